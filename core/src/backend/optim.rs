//! Optimiser ops: `sum_squares` and `adamw_step`.
//!
//! Contract:
//! - `sum_squares(xs)`: `Σ x²` over all given tensors, read back to the host (for the global
//!   grad norm).
//! - `adamw_step(param, grad, m, v, p)`: one AdamW update of `param` in place, with moment
//!   buffers `m`, `v` (all the same length). Matches `torch.optim.AdamW` operation by
//!   operation, per element in f32, with `g = grad · grad_scale` and the scalar factors
//!   computed in f64 from the f32 parameters: `p *= 1 − lr·wd`; `m += (1 − β1)(g − m)`;
//!   `v = v·β2 + (1 − β2)·g²`; `p −= (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + eps)`.
//!   `step` must be `≥ 1`.

use super::shape::{check_len, err};
use super::Result;

/// Hyper-parameters of one AdamW update (decoupled weight decay, bias-corrected moments).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamWParams {
    /// Learning rate.
    pub lr: f32,
    /// First-moment decay (PyTorch default 0.9).
    pub beta1: f32,
    /// Second-moment decay (PyTorch default 0.999).
    pub beta2: f32,
    /// Denominator epsilon (PyTorch default 1e-8).
    pub eps: f32,
    /// Decoupled weight decay (applied as `p -= lr * wd * p`).
    pub weight_decay: f32,
    /// 1-based step counter, used for bias correction.
    pub step: u32,
    /// Multiplier applied to the gradient before the moments (e.g. a grad-norm clip factor).
    pub grad_scale: f32,
}

/// Checks `adamw_step`'s `grad`, `m`, `v` against `param` (element counts) and `p.step ≥ 1`;
/// returns the length.
pub fn check_adamw(
    param: usize,
    grad: usize,
    m: usize,
    v: usize,
    p: &AdamWParams,
) -> Result<usize> {
    const OP: &str = "adamw_step";
    check_len(OP, "grad", grad, param)?;
    check_len(OP, "m", m, param)?;
    check_len(OP, "v", v, param)?;
    if p.step == 0 {
        return Err(err(OP, "`step` is 1-based and must be ≥ 1".into()));
    }
    Ok(param)
}
