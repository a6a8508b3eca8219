//! Causal grouped-query attention over packed sequences: the training forward (contract in
//! [`hir_core::backend::attention`]).
//!
//! Forward, for query token `i` of a sequence and query head `h` (key/value head
//! `g = h / (H / Hkv)`): `s_j = q_i·k_j / sqrt(E)` for the keys `j ≤ i` of the same sequence,
//! `p = softmax(s)`, `o_i = Σ_j p_j v_j`, `lse_i = log Σ_j exp(s_j)`.
//!
//! Per (sequence, head) and query tile (see [`crate::attention_tiles`]): the tile's scores
//! from one `gemm` call, a masked softmax per row, and `O = P V` as a second `gemm` call. The
//! (sequence, head) pairs run in parallel, each on one thread with a reduction order fixed by
//! the shapes, so results are bit-identical across thread counts.

use hir_core::backend::attention::check_forward;
use hir_core::backend::{AttentionShape, Matmul, Result};
use rayon::prelude::*;

use crate::attention_tiles::{sum, tile_scores, Dims, TILE};
use crate::exp::exp;
use crate::matmul::{gemm_strided, MatRef};
use crate::memory::zeroed;

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
        tile_scores(d, (qm, km), t0, rows, &mut p);
        for (r, row) in p.chunks_exact_mut(n).enumerate() {
            lse[t0 + r] = softmax_row(row, t0 + r + 1);
        }
        let pm = MatRef::rows(&p, 0, n);
        gemm_strided(Matmul::new(rows, n, e), &mut o[t0 * e..], e, pm, vm);
    }
    (o, lse)
}

/// Training forward. Returns `(o: [N, H, E], lse: [N, H])`.
pub(crate) fn attention(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    seq_starts: &[u32],
    shape: AttentionShape,
) -> Result<(Vec<f32>, Vec<f32>)> {
    let checked = check_forward((q.len(), k.len(), v.len()), seq_starts, shape)?;
    let d = Dims::new(checked, seq_starts);
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
