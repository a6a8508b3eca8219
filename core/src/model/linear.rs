//! Linear layers `y = x Wᵀ` (Hugging Face weight layout `[out, in]`) and their backward.

use crate::backend::{Backend, Result};

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
    b.matmul(x, w, &mut y, rows, d_in, d_out, false, true, 1.0, 0.0)?;
    Ok(y)
}

/// Backward of [`linear`]: adds `dyᵀ · x` into `dw` and returns `dx = dy · w`.
#[allow(clippy::too_many_arguments)]
pub fn linear_backward<B: Backend>(
    b: &B,
    dy: &B::Tensor,
    x: &B::Tensor,
    w: &B::Tensor,
    dw: &mut B::Tensor,
    rows: usize,
    d_in: usize,
    d_out: usize,
) -> Result<B::Tensor> {
    let mut dx = b.zeros(rows * d_in)?;
    linear_backward_into(b, dy, x, w, dw, &mut dx, 0.0, rows, d_in, d_out)?;
    Ok(dx)
}

/// Backward of [`linear`] into an existing input gradient: `dw += dyᵀ · x`,
/// `dx = dy · w + beta · dx` (`beta = 1` lets q/k/v or gate/up share one `dx`).
#[allow(clippy::too_many_arguments)]
pub fn linear_backward_into<B: Backend>(
    b: &B,
    dy: &B::Tensor,
    x: &B::Tensor,
    w: &B::Tensor,
    dw: &mut B::Tensor,
    dx: &mut B::Tensor,
    beta: f32,
    rows: usize,
    d_in: usize,
    d_out: usize,
) -> Result<()> {
    b.matmul(dy, x, dw, d_out, rows, d_in, true, false, 1.0, 1.0)?;
    b.matmul(dy, w, dx, rows, d_out, d_in, false, false, 1.0, beta)
}
