//! Rotary position embedding, Hugging Face "rotate half" layout, in place; `inverse` is the
//! backward pass (a rotation by the opposite angle).

use hir_core::backend::Result;
use rayon::prelude::*;

use crate::shape::{err, mul};

/// The rotation angle of pair `i` at position `pos`, computed the way Hugging Face
/// transformers does: `inv_freq = 1 / theta^(2i/head_dim)` rounded to f32, then
/// `angle = f32(pos) * inv_freq` as one f32 product. The cos/sin are then evaluated in f64
/// and rounded to f32.
pub(crate) fn inv_freq(i: usize, head_dim: usize, theta: f32) -> f32 {
    (1.0 / (theta as f64).powf((2 * i) as f64 / head_dim as f64)) as f32
}

/// See [`hir_core::backend::Backend::rope`]. `x: [N, heads, head_dim]`, `positions: [N]`.
pub(crate) fn rope(
    x: &mut [f32],
    positions: &[u32],
    heads: usize,
    head_dim: usize,
    theta: f32,
    inverse: bool,
) -> Result<()> {
    const OP: &str = "rope";
    if head_dim == 0 || head_dim % 2 != 0 {
        return Err(err(
            OP,
            format!("head_dim must be even and > 0, got {head_dim}"),
        ));
    }
    if heads == 0 {
        return Err(err(OP, "heads must be > 0".into()));
    }
    let row = mul(OP, &[heads, head_dim])?;
    let expected = mul(OP, &[positions.len(), row])?;
    if x.len() != expected {
        return Err(err(
            OP,
            format!(
                "`x` has {} elements, expected N·heads·head_dim = {}·{heads}·{head_dim} = {expected} \
                 (N = positions.len())",
                x.len(),
                positions.len()
            ),
        ));
    }
    let half = head_dim / 2;
    let freqs: Vec<f32> = (0..half).map(|i| inv_freq(i, head_dim, theta)).collect();
    let sign = if inverse { -1.0f32 } else { 1.0 };
    x.par_chunks_mut(row)
        .zip(positions.par_iter())
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
