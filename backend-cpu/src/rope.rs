//! Rotary position embedding, Hugging Face "rotate half" layout, in place; `inverse` is the
//! backward pass (a rotation by the opposite angle).

use hir_core::backend::Result;
use rayon::prelude::*;

use crate::task_size::rows_per_task;
use hir_core::backend::rope::{check, inv_freq};

/// See [`hir_core::backend::Backend::rope`]. `x: [N, heads, head_dim]`, `positions: [N]`.
pub(crate) fn rope(
    x: &mut [f32],
    positions: &[u32],
    heads: usize,
    head_dim: usize,
    theta: f32,
    inverse: bool,
) -> Result<()> {
    let row = check(x.len(), positions.len(), heads, head_dim)?.row;
    let half = head_dim / 2;
    let freqs: Vec<f32> = (0..half).map(|i| inv_freq(i, head_dim, theta)).collect();
    let sign = if inverse { -1.0f32 } else { 1.0 };
    x.par_chunks_mut(row)
        .zip(positions.par_iter())
        // A token costs its row plus a sine and cosine (tens of units) per frequency.
        .with_min_len(rows_per_task(row + 32 * half))
        .for_each(|(token, &pos)| {
            for (i, &f) in freqs.iter().enumerate() {
                let angle = (pos as f32 * f) as f64;
                let (cos, sin) = (angle.cos() as f32, sign * angle.sin() as f32);
                for head in token.chunks_mut(head_dim) {
                    let (a, b) = (head[i], head[i + half]);
                    head[i] = a * cos - b * sin;
                    head[i + half] = b * cos + a * sin;
                }
            }
        });
    Ok(())
}
