//! SwiGLU gating: `h = silu(gate) · up`, forward and backward.

use hir_core::backend::Result;
use rayon::prelude::*;

use crate::elementwise::CHUNK;
use crate::exp::exp;
use crate::memory::zeroed;
use hir_core::backend::swiglu::{check_backward, check_forward};

/// The logistic sigmoid `1 / (1 + e^(−x))`.
fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// `h = silu(gate) * up`, `silu(x) = x · sigmoid(x)`.
pub(crate) fn swiglu(gate: &[f32], up: &[f32]) -> Result<Vec<f32>> {
    check_forward(gate.len(), up.len())?;
    let mut h = zeroed(gate.len());
    h.par_chunks_mut(CHUNK)
        .zip(gate.par_chunks(CHUNK))
        .zip(up.par_chunks(CHUNK))
        .for_each(|((h, g), u)| {
            for ((hi, &gi), &ui) in h.iter_mut().zip(g).zip(u) {
                *hi = gi * sigmoid(gi) * ui;
            }
        });
    Ok(h)
}

/// Returns `(dgate, dup)`: `dup = dh · silu(g)`,
/// `dgate = dh · up · σ(g) · (1 + g · (1 − σ(g)))`.
pub(crate) fn swiglu_backward(
    dh: &[f32],
    gate: &[f32],
    up: &[f32],
) -> Result<(Vec<f32>, Vec<f32>)> {
    check_backward(dh.len(), gate.len(), up.len())?;
    let mut dgate = zeroed(gate.len());
    let mut dup = zeroed(gate.len());
    dgate
        .par_chunks_mut(CHUNK)
        .zip(dup.par_chunks_mut(CHUNK))
        .zip(dh.par_chunks(CHUNK))
        .zip(gate.par_chunks(CHUNK).zip(up.par_chunks(CHUNK)))
        .for_each(|(((dg, du), dh), (g, u))| {
            for i in 0..dg.len() {
                let s = sigmoid(g[i]);
                du[i] = dh[i] * g[i] * s;
                dg[i] = dh[i] * u[i] * s * (1.0 + g[i] * (1.0 - s));
            }
        });
    Ok((dgate, dup))
}
