//! Causal grouped-query attention over packed sequences: training forward and backward.
//!
//! Forward, for query token `i` of a sequence starting at `s0` and query head `h` (key/value
//! head `g = h / (H / Hkv)`):
//! `s_j = q_i·k_j / sqrt(E)` for `j = s0..=i`, `p = softmax(s)`, `o_i = Σ_j p_j v_j`,
//! `lse_i = log Σ_j exp(s_j)`.
//!
//! Backward (the FlashAttention recurrence, using the saved `lse` instead of the
//! probabilities): with `D_i = do_i·o_i`, `p_ij = exp(s_ij − lse_i)`, `dp_ij = do_i·v_j`,
//! `ds_ij = p_ij (dp_ij − D_i)`:
//! `dq_i = Σ_j ds_ij k_j / sqrt(E)`, `dk_j = Σ_{i,h∈g} ds_ij q_i / sqrt(E)`,
//! `dv_j = Σ_{i,h∈g} p_ij do_i`.
//! `dq` is computed in parallel over query tokens and `dk, dv` over key tokens, each
//! recomputing the scores it needs, so every output element is a sum in a fixed order
//! (deterministic across thread counts) and no `[N, N]` matrix is ever stored.

use hir_core::backend::Result;
use rayon::prelude::*;

use crate::shape::{check_len, err, mul};

/// `Σ a_i b_i` in f32 with eight interleaved partial sums (vectorisable, and the order is fixed
/// by the length only, so the result is deterministic).
#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let (ac, bc) = (a.chunks_exact(8), b.chunks_exact(8));
    let mut tail = 0.0f32;
    for (&x, &y) in ac.remainder().iter().zip(bc.remainder()) {
        tail += x * y;
    }
    let mut acc = [0.0f32; 8];
    for (x, y) in ac.zip(bc) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// `y += alpha * x`.
#[inline]
pub(crate) fn axpy_row(alpha: f32, x: &[f32], y: &mut [f32]) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// Attention of one query row `q: [E]` against `n` keys/values, key `j` being
/// `k[off + j·stride ..][..E]` (and likewise `v`). Writes `out: [E]`, returns the log-sum-exp
/// of the scaled scores. `scores` is scratch space.
///
/// Shared by the training forward and the KV-cache attention, so that both give bit-identical
/// results on the same tokens.
#[allow(clippy::too_many_arguments)]
pub(crate) fn attend_row(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    off: usize,
    stride: usize,
    n: usize,
    scale: f32,
    scores: &mut Vec<f32>,
    out: &mut [f32],
) -> f32 {
    let e = q.len();
    scores.clear();
    let mut max = f32::NEG_INFINITY;
    for j in 0..n {
        let s = dot(q, &k[off + j * stride..][..e]) * scale;
        max = max.max(s);
        scores.push(s);
    }
    let mut sum = 0.0f32;
    for s in scores.iter_mut() {
        *s = (*s - max).exp();
        sum += *s;
    }
    out.fill(0.0);
    for (j, &p) in scores.iter().enumerate() {
        axpy_row(p, &v[off + j * stride..][..e], out);
    }
    let inv = 1.0 / sum;
    for o in out.iter_mut() {
        *o *= inv;
    }
    max + sum.ln()
}

/// Validated sizes of an attention call.
struct Dims {
    n: usize,
    heads: usize,
    kv_heads: usize,
    e: usize,
    /// For each token, the index of the first token of its sequence.
    seq_start_of: Vec<usize>,
    /// For each token, one past the last token of its sequence.
    seq_end_of: Vec<usize>,
}

impl Dims {
    /// Query heads per key/value head.
    fn group(&self) -> usize {
        self.heads / self.kv_heads
    }
    /// `1/sqrt(E)`.
    fn scale(&self) -> f32 {
        (1.0 / (self.e as f64).sqrt()) as f32
    }
}

/// Checks that the head counts and head size are positive and that `kv_heads` divides `heads`.
pub(crate) fn check_heads(
    op: &'static str,
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
) -> Result<()> {
    if heads == 0 || kv_heads == 0 || head_dim == 0 {
        return Err(err(
            op,
            format!("heads ({heads}), kv_heads ({kv_heads}) and head_dim ({head_dim}) must be > 0"),
        ));
    }
    if heads % kv_heads != 0 {
        return Err(err(
            op,
            format!("heads ({heads}) must be a multiple of kv_heads ({kv_heads})"),
        ));
    }
    Ok(())
}

/// Checks `q, k, v` and `seq_starts` against the head sizes, derives `N` and each token's
/// sequence bounds.
#[allow(clippy::too_many_arguments)]
fn dims(
    op: &'static str,
    q: &[f32],
    k: &[f32],
    v: &[f32],
    seq_starts: &[u32],
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
) -> Result<Dims> {
    check_heads(op, heads, kv_heads, head_dim)?;
    let q_row = mul(op, &[heads, head_dim])?;
    if q.len() % q_row != 0 {
        return Err(err(
            op,
            format!(
                "`q` has {} elements, not a multiple of heads·head_dim = {q_row}",
                q.len()
            ),
        ));
    }
    let n = q.len() / q_row;
    let kv_len = mul(op, &[n, kv_heads, head_dim])?;
    check_len(op, "k [N, kv_heads, head_dim]", k.len(), kv_len)?;
    check_len(op, "v [N, kv_heads, head_dim]", v.len(), kv_len)?;
    if seq_starts.first() != Some(&0) || seq_starts.last().map(|&l| l as usize) != Some(n) {
        return Err(err(
            op,
            format!(
                "`seq_starts` must start at 0 and end at N = {n} (one entry per sequence plus \
                 the final N), got {seq_starts:?}"
            ),
        ));
    }
    let mut seq_start_of = vec![0usize; n];
    let mut seq_end_of = vec![0usize; n];
    for (s, w) in seq_starts.windows(2).enumerate() {
        let (a, b) = (w[0] as usize, w[1] as usize);
        if b < a {
            return Err(err(
                op,
                format!("`seq_starts` must be non-decreasing, but entry {s} is {a} > {b}"),
            ));
        }
        seq_start_of[a..b].fill(a);
        seq_end_of[a..b].fill(b);
    }
    Ok(Dims {
        n,
        heads,
        kv_heads,
        e: head_dim,
        seq_start_of,
        seq_end_of,
    })
}

/// Training forward. Returns `(o: [N, H, E], lse: [N, H])`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn attention(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    seq_starts: &[u32],
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
) -> Result<(Vec<f32>, Vec<f32>)> {
    let d = dims("attention", q, k, v, seq_starts, heads, kv_heads, head_dim)?;
    let (e, group, scale) = (d.e, d.group(), d.scale());
    let stride = d.kv_heads * e;
    let mut o = vec![0.0f32; q.len()];
    let mut lse = vec![0.0f32; d.n * d.heads];
    o.par_chunks_mut(d.heads * e)
        .zip(lse.par_chunks_mut(d.heads))
        .enumerate()
        .for_each_init(Vec::new, |scores, (i, (o_tok, lse_tok))| {
            let s0 = d.seq_start_of[i];
            for h in 0..d.heads {
                let off = s0 * stride + (h / group) * e;
                lse_tok[h] = attend_row(
                    &q[(i * d.heads + h) * e..][..e],
                    k,
                    v,
                    off,
                    stride,
                    i - s0 + 1,
                    scale,
                    scores,
                    &mut o_tok[h * e..(h + 1) * e],
                );
            }
        });
    Ok((o, lse))
}

/// Training backward. Returns `(dq, dk, dv)`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn attention_backward(
    d_o: &[f32],
    q: &[f32],
    k: &[f32],
    v: &[f32],
    o: &[f32],
    lse: &[f32],
    seq_starts: &[u32],
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
) -> Result<(Vec<f32>, Vec<f32>, Vec<f32>)> {
    const OP: &str = "attention_backward";
    let d = dims(OP, q, k, v, seq_starts, heads, kv_heads, head_dim)?;
    check_len(OP, "d_o [N, H, E]", d_o.len(), q.len())?;
    check_len(OP, "o [N, H, E]", o.len(), q.len())?;
    check_len(OP, "lse [N, H]", lse.len(), d.n * d.heads)?;
    let (e, group, scale, hq) = (d.e, d.group(), d.scale(), d.heads);
    let stride = d.kv_heads * e;
    let q_at = |i: usize, h: usize| &q[(i * hq + h) * e..][..e];
    let do_at = |i: usize, h: usize| &d_o[(i * hq + h) * e..][..e];
    let k_at = |j: usize, g: usize| &k[j * stride + g * e..][..e];
    let v_at = |j: usize, g: usize| &v[j * stride + g * e..][..e];

    // D_i = do_i · o_i for every (token, query head).
    let mut delta = vec![0.0f32; d.n * hq];
    delta.par_iter_mut().enumerate().for_each(|(r, dl)| {
        *dl = dot(&d_o[r * e..][..e], &o[r * e..][..e]);
    });
    // ds_ij for query (i, h) against key j (recomputing the score).
    let ds = |i: usize, h: usize, j: usize| -> (f32, f32) {
        let g = h / group;
        let s = dot(q_at(i, h), k_at(j, g)) * scale;
        let p = (s - lse[i * hq + h]).exp();
        let dp = dot(do_at(i, h), v_at(j, g));
        (p, p * (dp - delta[i * hq + h]))
    };

    let mut dq = vec![0.0f32; q.len()];
    dq.par_chunks_mut(hq * e)
        .enumerate()
        .for_each(|(i, dq_tok)| {
            for h in 0..hq {
                let dq_row = &mut dq_tok[h * e..(h + 1) * e];
                for j in d.seq_start_of[i]..=i {
                    let (_, ds_ij) = ds(i, h, j);
                    axpy_row(ds_ij, k_at(j, h / group), dq_row);
                }
                for x in dq_row.iter_mut() {
                    *x *= scale;
                }
            }
        });

    let mut dk = vec![0.0f32; k.len()];
    let mut dv = vec![0.0f32; v.len()];
    dk.par_chunks_mut(stride)
        .zip(dv.par_chunks_mut(stride))
        .enumerate()
        .for_each(|(j, (dk_tok, dv_tok))| {
            for g in 0..d.kv_heads {
                let dk_row = &mut dk_tok[g * e..(g + 1) * e];
                let dv_row = &mut dv_tok[g * e..(g + 1) * e];
                for i in j..d.seq_end_of[j] {
                    for h in g * group..(g + 1) * group {
                        let (p, ds_ij) = ds(i, h, j);
                        axpy_row(ds_ij, q_at(i, h), dk_row);
                        axpy_row(p, do_at(i, h), dv_row);
                    }
                }
                for x in dk_row.iter_mut() {
                    *x *= scale;
                }
            }
        });
    Ok((dq, dk, dv))
}
