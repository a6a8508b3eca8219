//! The KV cache for inference: writing new keys/values, and attention of new queries against
//! the cache (prefill and decode); contract in [`hir_core::backend::kv_cache`].

use hir_core::backend::kv_cache::{check_attention, check_write};
use hir_core::backend::{CachedAttention, KvCacheShape, Result};
use rayon::prelude::*;

use crate::attention_tiles::{dot, sum};
use crate::exp::exp;
use crate::memory::zeroed;

/// `y += alpha * x`.
#[inline]
fn axpy_row(alpha: f32, x: &[f32], y: &mut [f32]) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// The keys and values one query row attends to: key `j < n` is `k[off + j·stride ..][..E]`
/// (and likewise `v`).
#[derive(Clone, Copy)]
struct KeyRows<'a> {
    k: &'a [f32],
    v: &'a [f32],
    off: usize,
    stride: usize,
    n: usize,
}

/// Attention of one query row `q: [E]` against `keys`. Writes `out: [E]`. `scores` is
/// scratch space.
fn attend_row(q: &[f32], keys: KeyRows<'_>, scale: f32, scores: &mut Vec<f32>, out: &mut [f32]) {
    let KeyRows {
        k,
        v,
        off,
        stride,
        n,
    } = keys;
    let e = q.len();
    scores.clear();
    let mut max = f32::NEG_INFINITY;
    for j in 0..n {
        let s = dot(q, &k[off + j * stride..][..e]) * scale;
        max = max.max(s);
        scores.push(s);
    }
    for s in scores.iter_mut() {
        *s = exp(*s - max);
    }
    let inv = 1.0 / sum(scores);
    out.fill(0.0);
    for (j, &p) in scores.iter().enumerate() {
        axpy_row(p * inv, &v[off + j * stride..][..e], out);
    }
}

/// `cache[slot[i], pos[i]] = x[i]` for every token `i`, in token order (a later token wins
/// when two write the same place).
pub(crate) fn kv_cache_write(
    cache: &mut [f32],
    x: &[f32],
    slot: &[u32],
    pos: &[u32],
    shape: KvCacheShape,
) -> Result<()> {
    let n = check_write((cache.len(), x.len()), slot, pos, shape)?.tokens;
    let (max_len, row) = (shape.max_len, shape.kv_heads * shape.head_dim);
    for i in 0..n {
        let at = (slot[i] as usize * max_len + pos[i] as usize) * row;
        cache[at..at + row].copy_from_slice(&x[i * row..(i + 1) * row]);
    }
    Ok(())
}

/// Query `i` attends to `cache[slot[i], 0..=pos[i]]`. Returns `o: [N, H, E]`.
///
/// The same math as the training forward (`crate::attention`) one query row at
/// a time (decoding attends one new row per sequence, too little for the blocked `gemm`
/// path), so on the same tokens the two agree up to f32 rounding of the reordered sums.
pub(crate) fn attention_cached(
    q: &[f32],
    k_cache: &[f32],
    v_cache: &[f32],
    slot: &[u32],
    pos: &[u32],
    shape: CachedAttention,
) -> Result<Vec<f32>> {
    check_attention((q.len(), k_cache.len(), v_cache.len()), slot, pos, shape)?;
    let max_len = shape.max_len;
    let (heads, kv_heads, e) = (
        shape.shape.heads,
        shape.shape.kv_heads,
        shape.shape.head_dim,
    );
    let (group, stride) = (heads / kv_heads, kv_heads * e);
    let scale = (1.0 / (e as f64).sqrt()) as f32;
    let mut o = zeroed(q.len());
    o.par_chunks_mut(heads * e)
        .enumerate()
        .for_each_init(Vec::new, |scores, (i, o_tok)| {
            let base = slot[i] as usize * max_len * stride;
            for h in 0..heads {
                let keys = KeyRows {
                    k: k_cache,
                    v: v_cache,
                    off: base + (h / group) * e,
                    stride,
                    n: pos[i] as usize + 1,
                };
                let q_row = &q[(i * heads + h) * e..][..e];
                attend_row(q_row, keys, scale, scores, &mut o_tok[h * e..(h + 1) * e]);
            }
        });
    Ok(o)
}
