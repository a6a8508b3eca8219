//! Linear layers `y = x Wᵀ` (Hugging Face weight layout `[out, in]`) and their backward.

use crate::backend::{Backend, Matmul, Result};

/// `y = x · wᵀ` with `x: [rows, d_in]`, `w: [d_out, d_in]`; returns `y: [rows, d_out]`.
pub fn linear<B: Backend>(
    b: &B,
    x: &B::Tensor,
    w: &B::Tensor,
    rows: usize,
    d_in: usize,
    d_out: usize,
) -> Result<B::Tensor> {
    let mut y = b.zeros(rows * d_out)?;
    b.matmul(x, w, &mut y, Matmul::new(rows, d_in, d_out).transpose_b())?;
    Ok(y)
}

/// The sizes of a linear layer applied to `rows` tokens: `x: [rows, d_in]`,
/// `w: [d_out, d_in]`, `y: [rows, d_out]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinearDims {
    /// Tokens.
    pub rows: usize,
    /// Input features.
    pub d_in: usize,
    /// Output features.
    pub d_out: usize,
}

impl LinearDims {
    /// A `[d_out, d_in]` layer over `rows` tokens.
    pub fn new(rows: usize, d_in: usize, d_out: usize) -> Self {
        Self { rows, d_in, d_out }
    }

    /// `dw += dyᵀ · x`: `[d_out, rows] · [rows, d_in]`, accumulated.
    pub(crate) fn weight_grad(self) -> Matmul {
        Matmul::new(self.d_out, self.rows, self.d_in)
            .transpose_a()
            .accumulate()
    }

    /// `dx = dy · w`: `[rows, d_out] · [d_out, d_in]` (overwrites `dx`).
    pub(crate) fn input_grad(self) -> Matmul {
        Matmul::new(self.rows, self.d_out, self.d_in)
    }
}

/// Backward of [`linear`]: adds `dyᵀ · x` into `dw` and returns `dx = dy · w`.
pub fn linear_backward<B: Backend>(
    b: &B,
    dy: &B::Tensor,
    x: &B::Tensor,
    w: &B::Tensor,
    dw: &mut B::Tensor,
    dims: LinearDims,
) -> Result<B::Tensor> {
    let mut dx = b.zeros(dims.rows * dims.d_in)?;
    b.matmul(dy, x, dw, dims.weight_grad())?;
    b.matmul(dy, w, &mut dx, dims.input_grad())?;
    Ok(dx)
}

/// Backward of [`linear`] adding into an existing input gradient: `dw += dyᵀ · x`,
/// `dx += dy · w` (lets q/k/v or gate/up share one `dx`).
pub fn linear_backward_acc<B: Backend>(
    b: &B,
    dy: &B::Tensor,
    x: &B::Tensor,
    w: &B::Tensor,
    dw: &mut B::Tensor,
    dx: &mut B::Tensor,
    dims: LinearDims,
) -> Result<()> {
    b.matmul(dy, x, dw, dims.weight_grad())?;
    b.matmul(dy, w, dx, dims.input_grad().accumulate())
}
