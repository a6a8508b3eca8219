//! Causal grouped-query attention over packed sequences: the training forward, and the
//! validation and row helpers shared with the backward and the KV-cache attention.
//!
//! Forward, for query token `i` of a sequence and query head `h` (key/value head
//! `g = h / (H / Hkv)`): `s_j = q_i·k_j / sqrt(E)` for the keys `j ≤ i` of the same sequence,
//! `p = softmax(s)`, `o_i = Σ_j p_j v_j`, `lse_i = log Σ_j exp(s_j)`.
//!
//! The work is blocked matrix algebra per (sequence, head): query rows are taken in tiles of
//! [`TILE`]; a tile's scores `S = Q Kᵀ/sqrt(E)` against the keys up to its last row come from
//! one `gemm` call, each row gets a masked softmax, and `O = P V` is a second `gemm` call. The
//! (sequence, head) pairs run in parallel, each on one thread with a reduction order fixed by
//! the shapes, so results are bit-identical across thread counts. The backward
//! ([`crate::attention_backward`]) recomputes the same tiles with the same calls.

use hir_core::backend::Result;
use rayon::prelude::*;

use crate::exp::exp;
use crate::matmul::{gemm_strided, MatRef};
use crate::memory::zeroed;
use crate::shape::{check_len, err, mul};

/// Query rows per tile: a tile's `[TILE, keys]` scores stay in cache, and tiling skips most
/// of the masked upper triangle of the scores.
pub(crate) const TILE: usize = 64;

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

/// `Σ x_i` in f32 with eight interleaved partial sums (order fixed by the length).
#[inline]
pub(crate) fn sum(x: &[f32]) -> f32 {
    let c = x.chunks_exact(8);
    let tail: f32 = c.remainder().iter().sum();
    let mut acc = [0.0f32; 8];
    for x in c {
        for l in 0..8 {
            acc[l] += x[l];
        }
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// Masked softmax of one row of scaled scores, in place: the first `valid` entries become
/// probabilities, the rest zeros. Returns the log-sum-exp of the valid scores.
#[inline]
fn softmax_row(row: &mut [f32], valid: usize) -> f32 {
    let (live, masked) = row.split_at_mut(valid);
    masked.fill(0.0);
    let max = live.iter().fold(f32::NEG_INFINITY, |m, &s| m.max(s));
    for s in live.iter_mut() {
        *s = exp(*s - max);
    }
    let total = sum(live);
    let inv = 1.0 / total;
    for s in live.iter_mut() {
        *s *= inv;
    }
    max + total.ln()
}

/// Validated sizes of an attention call.
pub(crate) struct Dims {
    /// Query heads `H`.
    pub heads: usize,
    /// Key/value heads `Hkv`.
    pub kv_heads: usize,
    /// Head size `E`.
    pub e: usize,
    /// `[start, end)` token ranges of the non-empty sequences.
    pub seqs: Vec<(usize, usize)>,
}

impl Dims {
    /// Query heads per key/value head.
    pub fn group(&self) -> usize {
        self.heads / self.kv_heads
    }
    /// `1/sqrt(E)`.
    pub fn scale(&self) -> f32 {
        (1.0 / (self.e as f64).sqrt()) as f32
    }
    /// Query head `h`'s rows of a `[N, H, E]` tensor, from token `start` on.
    pub fn q_rows<'a>(&self, x: &'a [f32], start: usize, h: usize) -> MatRef<'a> {
        MatRef::rows(x, (start * self.heads + h) * self.e, self.heads * self.e)
    }
    /// Key/value head `g`'s rows of a `[N, Hkv, E]` tensor, from token `start` on.
    pub fn kv_rows<'a>(&self, x: &'a [f32], start: usize, g: usize) -> MatRef<'a> {
        MatRef::rows(
            x,
            (start * self.kv_heads + g) * self.e,
            self.kv_heads * self.e,
        )
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

/// Checks `q, k, v` and `seq_starts` against the head sizes, derives `N` and the sequences.
#[allow(clippy::too_many_arguments)]
pub(crate) fn dims(
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
    let mut seqs = Vec::with_capacity(seq_starts.len());
    for (s, w) in seq_starts.windows(2).enumerate() {
        let (a, b) = (w[0] as usize, w[1] as usize);
        if b < a {
            return Err(err(
                op,
                format!("`seq_starts` must be non-decreasing, but entry {s} is {a} > {b}"),
            ));
        }
        if b > a {
            seqs.push((a, b));
        }
    }
    Ok(Dims {
        heads,
        kv_heads,
        e: head_dim,
        seqs,
    })
}

/// The scaled scores `S = Q Kᵀ/sqrt(E)` of query rows `t0..t0+rows` of one (sequence, head)
/// against keys `0..t0+rows`, into `s: [rows, t0+rows]`.
///
/// The backward calls this with the same arguments as the forward, so it sees the same bits.
pub(crate) fn tile_scores(
    d: &Dims,
    q: MatRef<'_>,
    k: MatRef<'_>,
    t0: usize,
    rows: usize,
    s: &mut Vec<f32>,
) {
    let n = t0 + rows;
    s.resize(rows * n, 0.0);
    gemm_strided(rows, n, d.e, s, n, q.skip_rows(t0), k.t(), d.scale(), false);
}

/// Forward of one (sequence `[a, b)`, query head `h`): returns `(o: [T, E], lse: [T])`.
fn forward_head(
    d: &Dims,
    (q, k, v): (&[f32], &[f32], &[f32]),
    (a, b): (usize, usize),
    h: usize,
) -> (Vec<f32>, Vec<f32>) {
    let (t, e, g) = (b - a, d.e, h / d.group());
    let (qm, km, vm) = (d.q_rows(q, a, h), d.kv_rows(k, a, g), d.kv_rows(v, a, g));
    let mut o = vec![0.0f32; t * e];
    let mut lse = vec![0.0f32; t];
    let mut p = Vec::new();
    for t0 in (0..t).step_by(TILE) {
        let rows = TILE.min(t - t0);
        let n = t0 + rows;
        tile_scores(d, qm, km, t0, rows, &mut p);
        for (r, row) in p.chunks_exact_mut(n).enumerate() {
            lse[t0 + r] = softmax_row(row, t0 + r + 1);
        }
        let pm = MatRef::rows(&p, 0, n);
        gemm_strided(rows, e, n, &mut o[t0 * e..], e, pm, vm, 1.0, false);
    }
    (o, lse)
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
    let (e, hq) = (d.e, d.heads);
    let tasks: Vec<((usize, usize), usize)> = d
        .seqs
        .iter()
        .flat_map(|&s| (0..hq).map(move |h| (s, h)))
        .collect();
    let results: Vec<(Vec<f32>, Vec<f32>)> = tasks
        .par_iter()
        .map(|&(s, h)| forward_head(&d, (q, k, v), s, h))
        .collect();
    let mut o = zeroed(q.len());
    let mut lse = zeroed(q.len() / e);
    for (&((a, _), h), (o_h, lse_h)) in tasks.iter().zip(&results) {
        for (r, (row, &l)) in o_h.chunks_exact(e).zip(lse_h).enumerate() {
            let at = (a + r) * hq + h;
            o[at * e..(at + 1) * e].copy_from_slice(row);
            lse[at] = l;
        }
    }
    Ok((o, lse))
}
