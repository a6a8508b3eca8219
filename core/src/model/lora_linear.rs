//! The LoRA linear, forward and backward: `y = x·Wᵀ + scale · (x·Aᵀ)·Bᵀ` (see
//! [`lora`](super::lora) for the formulas). Built from `matmul` only, so it runs on every
//! backend.

use super::linear::{linear, LinearDims};
use super::lora::LoraPair;
use crate::backend::{Backend, Matmul, Result};

/// Adds the adapter's term to a base linear's output `y: [rows, d_out]` and returns
/// `u = x·Aᵀ: [rows, r]`, which the backward pass needs.
pub fn lora_forward_acc<B: Backend>(
    b: &B,
    x: &B::Tensor,
    pair: &LoraPair<B::Tensor>,
    y: &mut B::Tensor,
    dims: LinearDims,
    rank: usize,
    scale: f32,
) -> Result<B::Tensor> {
    let u = linear(b, x, &pair.a, dims.rows, dims.d_in, rank)?;
    b.matmul(
        &u,
        &pair.b,
        y,
        Matmul::new(dims.rows, rank, dims.d_out)
            .transpose_b()
            .alpha(scale)
            .accumulate(),
    )?;
    Ok(u)
}

/// What the adapter's backward needs from its forward pass.
#[derive(Debug, Clone, Copy)]
pub struct LoraSaved<'a, T> {
    /// The layer input `x: [rows, d_in]`.
    pub x: &'a T,
    /// `u = x·Aᵀ: [rows, r]`, as [`lora_forward_acc`] returned it.
    pub u: &'a T,
}

/// The sizes and scale of an adapted linear.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoraShape {
    /// Rows and the base linear's sizes.
    pub dims: LinearDims,
    /// Rank `r`.
    pub rank: usize,
    /// `alpha / r`.
    pub scale: f32,
}

/// Backward of the adapter's term given `dy: [rows, d_out]` and what the forward saved:
/// adds `scale · dy·B·A` into `dx: [rows, d_in]` and, when `grads` is given,
/// `dB += scale · dyᵀ·u` and `dA += (scale · dy·B)ᵀ·x` into it.
pub fn lora_backward_acc<B: Backend>(
    b: &B,
    dy: &B::Tensor,
    saved: LoraSaved<'_, B::Tensor>,
    pair: &LoraPair<B::Tensor>,
    grads: Option<&mut LoraPair<B::Tensor>>,
    dx: &mut B::Tensor,
    shape: LoraShape,
) -> Result<()> {
    let LoraShape { dims, rank, scale } = shape;
    let LoraSaved { x, u } = saved;
    let LinearDims { rows, d_in, d_out } = dims;
    // du = scale · dy · B: [rows, d_out] · [d_out, r].
    let mut du = b.zeros(rows * rank)?;
    b.matmul(
        dy,
        &pair.b,
        &mut du,
        Matmul::new(rows, d_out, rank).alpha(scale),
    )?;
    if let Some(g) = grads {
        // dB += scale · dyᵀ · u: [d_out, rows] · [rows, r].
        b.matmul(
            dy,
            u,
            &mut g.b,
            Matmul::new(d_out, rows, rank)
                .transpose_a()
                .alpha(scale)
                .accumulate(),
        )?;
        // dA += duᵀ · x: [r, rows] · [rows, d_in].
        b.matmul(
            &du,
            x,
            &mut g.a,
            Matmul::new(rank, rows, d_in).transpose_a().accumulate(),
        )?;
    }
    // dx += du · A: [rows, r] · [r, d_in].
    b.matmul(&du, &pair.a, dx, Matmul::new(rows, rank, d_in).accumulate())
}
