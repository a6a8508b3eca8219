//! RMSNorm: `y = x · rstd · w`, `rstd = 1 / sqrt(mean(x²) + eps)`, forward and backward.

use hir_core::backend::Result;
use rayon::prelude::*;

use crate::elementwise::column_sums_acc;
use crate::memory::zeroed;
use crate::task_size::rows_per_task;
use hir_core::backend::rmsnorm::{check_backward, check_forward};

/// Forward: returns `(y: [rows, dim], rstd: [rows])`.
///
/// The mean of squares is accumulated in f64 (in column order), the rest is f32.
pub(crate) fn rmsnorm(x: &[f32], w: &[f32], dim: usize, eps: f32) -> Result<(Vec<f32>, Vec<f32>)> {
    let rows = check_forward(x.len(), w.len(), dim)?.rows;
    let mut y = zeroed(x.len());
    let mut rstd = zeroed(rows);
    y.par_chunks_mut(dim)
        .zip(rstd.par_iter_mut())
        .zip(x.par_chunks(dim))
        .with_min_len(rows_per_task(2 * dim))
        .for_each(|((y, rstd), x)| {
            let ms = x.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>() / dim as f64;
            let r = (1.0 / (ms + eps as f64).sqrt()) as f32;
            *rstd = r;
            for ((yi, &xi), &wi) in y.iter_mut().zip(x).zip(w) {
                *yi = xi * r * wi;
            }
        });
    Ok((y, rstd))
}

/// Backward: returns `dx` and adds `Σ_rows dy · x · rstd` into `dw`.
///
/// With `x̂ = x · rstd`: `dx = rstd · (dy·w − x̂ · mean(dy·w·x̂))`.
pub(crate) fn rmsnorm_backward(
    dy: &[f32],
    x: &[f32],
    w: &[f32],
    rstd: &[f32],
    dw: &mut [f32],
    dim: usize,
) -> Result<Vec<f32>> {
    let rows = check_backward(dy.len(), x.len(), w.len(), rstd.len(), dw.len(), dim)?.rows;
    let mut dx = zeroed(x.len());
    dx.par_chunks_mut(dim)
        .zip(dy.par_chunks(dim))
        .zip(x.par_chunks(dim))
        .zip(rstd.par_iter())
        .with_min_len(rows_per_task(3 * dim))
        .for_each(|(((dx, dy), x), &r)| {
            // mean over the row of dy · w · x̂, accumulated in f64.
            let dot: f64 = dy
                .iter()
                .zip(w)
                .zip(x)
                .map(|((&g, &wi), &xi)| (g * wi) as f64 * (xi * r) as f64)
                .sum();
            let mean = (dot / dim as f64) as f32;
            for (((dxi, &g), &wi), &xi) in dx.iter_mut().zip(dy).zip(w).zip(x) {
                *dxi = r * (g * wi - xi * r * mean);
            }
        });
    column_sums_acc(rows, dim, dw, |row, c| {
        dy[row * dim + c] * x[row * dim + c] * rstd[row]
    });
    Ok(dx)
}
