//! Backward of the causal grouped-query attention (contract in
//! [`hir_core::backend::attention`]; the forward is in `attention.rs`).
//!
//! The FlashAttention recurrence, using the saved `lse` instead of the probabilities: with
//! `D_i = do_i·o_i`, `P = exp(S − lse)` (recomputed tile by tile with the forward's own
//! `gemm` calls, [`crate::attention_tiles`]), `dP = dO Vᵀ` and `dS = P ∘ (dP − D)`:
//! `dQ = dS K / sqrt(E)`, `dK = Σ_{h∈g} dSᵀ Q / sqrt(E)`, `dV = Σ_{h∈g} Pᵀ dO`.
//!
//! One task per (sequence, key/value head) computes `dq` for the query heads of its group and
//! accumulates `dk, dv` over those heads and the query tiles in a fixed order, so every output
//! element is a sum in an order fixed by the shapes (deterministic across thread counts).

use hir_core::backend::attention::check_backward;
use hir_core::backend::{AttentionSaved, AttentionShape, Matmul, Result};
use rayon::prelude::*;

use crate::attention_tiles::{dot, tile_scores, Dims, TILE};
use crate::exp::exp;
use crate::matmul::{gemm_strided, MatRef};
use crate::memory::zeroed;

/// Gradients of one (sequence, key/value head): `dq: [group, T, E]`, `dk, dv: [T, E]`.
struct GroupGrads {
    dq: Vec<f32>,
    dk: Vec<f32>,
    dv: Vec<f32>,
}

/// Backward of one (sequence `[a, b)`, key/value head `g`).
fn backward_group(
    d: &Dims,
    d_o: &[f32],
    x: AttentionSaved<'_, [f32]>,
    (a, b): (usize, usize),
    g: usize,
) -> GroupGrads {
    let AttentionSaved { q, k, v, o, lse } = x;
    let (t, e, group, scale) = (b - a, d.e, d.group(), d.scale());
    let (km, vm) = (d.kv_rows(k, a, g), d.kv_rows(v, a, g));
    let mut out = GroupGrads {
        dq: vec![0.0f32; group * t * e],
        dk: vec![0.0f32; t * e],
        dv: vec![0.0f32; t * e],
    };
    let (mut p, mut ds) = (Vec::new(), Vec::new());
    let mut delta = vec![0.0f32; t];
    for hh in 0..group {
        let h = g * group + hh;
        let (qm, dom) = (d.q_rows(q, a, h), d.q_rows(d_o, a, h));
        for (r, dl) in delta.iter_mut().enumerate() {
            let at = ((a + r) * d.heads + h) * e;
            *dl = dot(&d_o[at..at + e], &o[at..at + e]);
        }
        let dq = &mut out.dq[hh * t * e..(hh + 1) * t * e];
        for t0 in (0..t).step_by(TILE) {
            let rows = TILE.min(t - t0);
            let n = t0 + rows;
            tile_scores(d, (qm, km), t0, rows, &mut p);
            ds.resize(rows * n, 0.0);
            gemm_strided(
                Matmul::new(rows, e, n),
                &mut ds,
                n,
                dom.skip_rows(t0),
                vm.t(),
            );
            for (r, (p_row, ds_row)) in p
                .chunks_exact_mut(n)
                .zip(ds.chunks_exact_mut(n))
                .enumerate()
            {
                let i = t0 + r;
                let (l, dl) = (lse[(a + i) * d.heads + h], delta[i]);
                let valid = i + 1;
                for (pj, dsj) in p_row[..valid].iter_mut().zip(&mut ds_row[..valid]) {
                    *pj = exp(*pj - l);
                    *dsj = *pj * (*dsj - dl);
                }
                p_row[valid..].fill(0.0);
                ds_row[valid..].fill(0.0);
            }
            let (pm, dsm) = (MatRef::rows(&p, 0, n), MatRef::rows(&ds, 0, n));
            let dq_tile = Matmul::new(rows, n, e).alpha(scale);
            gemm_strided(dq_tile, &mut dq[t0 * e..], e, dsm, km);
            let dk_tile = Matmul::new(n, rows, e).alpha(scale).accumulate();
            gemm_strided(dk_tile, &mut out.dk, e, dsm.t(), qm.skip_rows(t0));
            let dv_tile = Matmul::new(n, rows, e).accumulate();
            gemm_strided(dv_tile, &mut out.dv, e, pm.t(), dom.skip_rows(t0));
        }
    }
    out
}

/// Training backward. Returns `(dq, dk, dv)`.
pub(crate) fn attention_backward(
    d_o: &[f32],
    x: AttentionSaved<'_, [f32]>,
    seq_starts: &[u32],
    shape: AttentionShape,
) -> Result<(Vec<f32>, Vec<f32>, Vec<f32>)> {
    let checked = check_backward(d_o, x, <[f32]>::len, seq_starts, shape)?;
    let d = Dims::new(checked, seq_starts);
    let (q, k, v) = (x.q, x.k, x.v);
    let (e, group) = (d.e, d.group());
    let tasks: Vec<((usize, usize), usize)> = d
        .seqs
        .iter()
        .flat_map(|&s| (0..d.kv_heads).map(move |g| (s, g)))
        .collect();
    let results: Vec<GroupGrads> = tasks
        .par_iter()
        .map(|&(s, g)| backward_group(&d, d_o, x, s, g))
        .collect();
    let mut dq = zeroed(q.len());
    let mut dk = zeroed(k.len());
    let mut dv = zeroed(v.len());
    for (&((a, b), g), r) in tasks.iter().zip(&results) {
        let t = b - a;
        for hh in 0..group {
            let h = g * group + hh;
            for (i, row) in r.dq[hh * t * e..(hh + 1) * t * e]
                .chunks_exact(e)
                .enumerate()
            {
                let at = ((a + i) * d.heads + h) * e;
                dq[at..at + e].copy_from_slice(row);
            }
        }
        for (i, (dk_row, dv_row)) in r.dk.chunks_exact(e).zip(r.dv.chunks_exact(e)).enumerate() {
            let at = ((a + i) * d.kv_heads + g) * e;
            dk[at..at + e].copy_from_slice(dk_row);
            dv[at..at + e].copy_from_slice(dv_row);
        }
    }
    Ok((dq, dk, dv))
}
