//! Optimiser ops: the sum of squares (for the global gradient norm) and the AdamW step.

use hir_core::backend::optim::check_adamw;
use hir_core::backend::{AdamWParams, Result};
use rayon::prelude::*;

use crate::elementwise::CHUNK;

/// `Σ x²` over all tensors.
///
/// Each tensor is cut into fixed blocks of [`CHUNK`] elements (independent of the thread
/// count); a block is summed in f64 in order, and the block sums are added in order, so the
/// result is deterministic.
pub(crate) fn sum_squares(xs: &[&[f32]]) -> f32 {
    let mut total = 0.0f64;
    for x in xs {
        let blocks: Vec<f64> = x
            .par_chunks(CHUNK)
            .map(|c| c.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>())
            .collect();
        total += blocks.iter().sum::<f64>();
    }
    total as f32
}

/// One AdamW update, following `torch.optim.AdamW` (single-tensor path) operation by
/// operation, in f32 per element with the scalar factors computed in f64 as PyTorch does with
/// Python floats:
///
/// ```text
/// g  = grad · grad_scale
/// p  = p · (1 − lr·wd)
/// m  = m + (1 − β1)·(g − m)              (torch's lerp, = β1·m + (1 − β1)·g)
/// v  = v·β2 + (1 − β2)·g·g
/// p  = p − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + eps)
/// ```
pub(crate) fn adamw_step(
    param: &mut [f32],
    grad: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    p: &AdamWParams,
) -> Result<()> {
    check_adamw(param.len(), grad.len(), m.len(), v.len(), p)?;
    let (lr, b1, b2) = (p.lr as f64, p.beta1 as f64, p.beta2 as f64);
    let decay = (1.0 - lr * p.weight_decay as f64) as f32;
    let one_minus_b1 = (1.0 - b1) as f32;
    let one_minus_b2 = (1.0 - b2) as f32;
    let beta2 = p.beta2;
    let step_size = (lr / (1.0 - b1.powf(p.step as f64))) as f32;
    let bc2_sqrt = (1.0 - b2.powf(p.step as f64)).sqrt() as f32;
    let (eps, gs) = (p.eps, p.grad_scale);
    param
        .par_chunks_mut(CHUNK)
        .zip(m.par_chunks_mut(CHUNK))
        .zip(v.par_chunks_mut(CHUNK))
        .zip(grad.par_chunks(CHUNK))
        .for_each(|(((pc, mc), vc), gc)| {
            for i in 0..pc.len() {
                let g = gc[i] * gs;
                pc[i] *= decay;
                mc[i] += one_minus_b1 * (g - mc[i]);
                vc[i] = vc[i] * beta2 + one_minus_b2 * (g * g);
                let denom = vc[i].sqrt() / bc2_sqrt + eps;
                pc[i] += -step_size * (mc[i] / denom);
            }
        });
    Ok(())
}
