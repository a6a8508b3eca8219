//! Elementwise ops: `axpy`, `scale`, bias add and its backward, row gather.

use hir_core::backend::Result;
use rayon::prelude::*;

use crate::memory::zeroed;
use crate::task_size::rows_per_task;
use hir_core::backend::elementwise::{
    check_add_bias, check_axpy, check_bias_backward, check_gather_rows,
};

/// Elements per parallel task for purely elementwise loops (below this, threads cost more
/// than they save).
pub(crate) const CHUNK: usize = 1 << 14;

/// `y += alpha * x`.
pub(crate) fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) -> Result<()> {
    check_axpy(x.len(), y.len())?;
    y.par_chunks_mut(CHUNK)
        .zip(x.par_chunks(CHUNK))
        .for_each(|(y, x)| {
            for (yi, &xi) in y.iter_mut().zip(x) {
                *yi += alpha * xi;
            }
        });
    Ok(())
}

/// `x *= alpha`.
pub(crate) fn scale(x: &mut [f32], alpha: f32) {
    x.par_chunks_mut(CHUNK).for_each(|x| {
        for xi in x {
            *xi *= alpha;
        }
    });
}

/// `x[r, c] += bias[c]` for `x: [rows, cols]`.
pub(crate) fn add_bias(x: &mut [f32], bias: &[f32], cols: usize) -> Result<()> {
    check_add_bias(x.len(), bias.len(), cols)?;
    x.par_chunks_mut(cols)
        .with_min_len(rows_per_task(cols))
        .for_each(|row| {
            for (xi, &b) in row.iter_mut().zip(bias) {
                *xi += b;
            }
        });
    Ok(())
}

/// `dbias[c] += Σ_r dy[r, c]`; each column sums its rows in row order, whatever the threads.
pub(crate) fn bias_backward_acc(dy: &[f32], dbias: &mut [f32], cols: usize) -> Result<()> {
    let rows = check_bias_backward(dy.len(), dbias.len(), cols)?.rows;
    column_sums_acc(rows, cols, dbias, |r, c| dy[r * cols + c]);
    Ok(())
}

/// `acc[c] += Σ_{r < rows} f(r, c)`, summed in f32 in row order (deterministic), parallel over
/// blocks of columns.
pub(crate) fn column_sums_acc(
    rows: usize,
    cols: usize,
    acc: &mut [f32],
    f: impl Fn(usize, usize) -> f32 + Sync,
) {
    const COLS_PER_TASK: usize = 64;
    acc.par_chunks_mut(COLS_PER_TASK)
        .enumerate()
        .for_each(|(block, acc)| {
            let c0 = block * COLS_PER_TASK;
            let mut sums = vec![0.0f32; acc.len()];
            for r in 0..rows {
                for (dc, s) in sums.iter_mut().enumerate() {
                    *s += f(r, c0 + dc);
                }
            }
            for (a, s) in acc.iter_mut().zip(sums) {
                *a += s;
            }
        });
    debug_assert_eq!(acc.len(), cols);
}

/// Rows `rows[i]` of `x: [*, cols]` gathered into `[rows.len(), cols]`.
pub(crate) fn gather_rows(x: &[f32], rows: &[u32], cols: usize) -> Result<Vec<f32>> {
    check_gather_rows(x.len(), rows, cols)?;
    let mut out = zeroed(rows.len() * cols);
    out.par_chunks_mut(cols)
        .zip(rows.par_iter())
        .with_min_len(rows_per_task(cols))
        .for_each(|(o, &r)| {
            let r = r as usize;
            o.copy_from_slice(&x[r * cols..(r + 1) * cols]);
        });
    Ok(out)
}
