//! The KV cache for inference: writing new keys/values, and attention of new queries against
//! the cache (prefill and decode).

use hir_core::backend::Result;
use rayon::prelude::*;

use crate::attention::{check_heads, dot, sum};
use crate::exp::exp;
use crate::memory::zeroed;
use crate::shape::{check_ids, check_len, err, mul, rows_of};

/// `y += alpha * x`.
#[inline]
fn axpy_row(alpha: f32, x: &[f32], y: &mut [f32]) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// Attention of one query row `q: [E]` against `n` keys/values, key `j` being
/// `k[off + j·stride ..][..E]` (and likewise `v`). Writes `out: [E]`. `scores` is scratch
/// space.
#[allow(clippy::too_many_arguments)]
fn attend_row(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    off: usize,
    stride: usize,
    n: usize,
    scale: f32,
    scores: &mut Vec<f32>,
    out: &mut [f32],
) {
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

/// The number of slots of a `[slots, max_len, kv_heads, head_dim]` cache argument `what`.
fn slots_of(
    op: &'static str,
    what: &str,
    len: usize,
    max_len: usize,
    kv_heads: usize,
    head_dim: usize,
) -> Result<usize> {
    let slot_len = mul(op, &[max_len, kv_heads, head_dim])?;
    if slot_len == 0 {
        return Err(err(
            op,
            format!(
                "max_len ({max_len}), kv_heads ({kv_heads}), head_dim ({head_dim}) must be > 0"
            ),
        ));
    }
    rows_of(op, what, len, slot_len)
}

/// Checks `slot`, `pos` (one entry per token, in range of the cache).
fn check_slot_pos(
    op: &'static str,
    slot: &[u32],
    pos: &[u32],
    n: usize,
    slots: usize,
    max_len: usize,
) -> Result<()> {
    check_len(op, "slot [N]", slot.len(), n)?;
    check_len(op, "pos [N]", pos.len(), n)?;
    check_ids(op, "slot", slot, slots, "the number of cache slots")?;
    check_ids(op, "pos", pos, max_len, "max_len")
}

/// `cache[slot[i], pos[i]] = x[i]` for every token `i`, in token order (a later token wins
/// when two write the same place).
#[allow(clippy::too_many_arguments)]
pub(crate) fn kv_cache_write(
    cache: &mut [f32],
    x: &[f32],
    slot: &[u32],
    pos: &[u32],
    max_len: usize,
    kv_heads: usize,
    head_dim: usize,
) -> Result<()> {
    const OP: &str = "kv_cache_write";
    let slots = slots_of(OP, "cache", cache.len(), max_len, kv_heads, head_dim)?;
    let row = kv_heads * head_dim;
    let n = rows_of(OP, "x [N, kv_heads, head_dim]", x.len(), row)?;
    check_slot_pos(OP, slot, pos, n, slots, max_len)?;
    for i in 0..n {
        let at = (slot[i] as usize * max_len + pos[i] as usize) * row;
        cache[at..at + row].copy_from_slice(&x[i * row..(i + 1) * row]);
    }
    Ok(())
}

/// Query `i` attends to `cache[slot[i], 0..=pos[i]]`. Returns `o: [N, H, E]`.
///
/// The same math as the training forward ([`crate::attention::attention`]) one query row at
/// a time (decoding attends one new row per sequence, too little for the blocked `gemm`
/// path), so on the same tokens the two agree up to f32 rounding of the reordered sums.
#[allow(clippy::too_many_arguments)]
pub(crate) fn attention_cached(
    q: &[f32],
    k_cache: &[f32],
    v_cache: &[f32],
    slot: &[u32],
    pos: &[u32],
    max_len: usize,
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
) -> Result<Vec<f32>> {
    const OP: &str = "attention_cached";
    check_heads(OP, heads, kv_heads, head_dim)?;
    let slots = slots_of(OP, "k_cache", k_cache.len(), max_len, kv_heads, head_dim)?;
    check_len(OP, "v_cache", v_cache.len(), k_cache.len())?;
    let e = head_dim;
    let n = rows_of(OP, "q [N, heads, head_dim]", q.len(), heads * e)?;
    check_slot_pos(OP, slot, pos, n, slots, max_len)?;
    let (group, stride) = (heads / kv_heads, kv_heads * e);
    let scale = (1.0 / (e as f64).sqrt()) as f32;
    let mut o = zeroed(q.len());
    o.par_chunks_mut(heads * e)
        .enumerate()
        .for_each_init(Vec::new, |scores, (i, o_tok)| {
            let base = slot[i] as usize * max_len * stride;
            for h in 0..heads {
                attend_row(
                    &q[(i * heads + h) * e..][..e],
                    k_cache,
                    v_cache,
                    base + (h / group) * e,
                    stride,
                    pos[i] as usize + 1,
                    scale,
                    scores,
                    &mut o_tok[h * e..(h + 1) * e],
                );
            }
        });
    Ok(o)
}
