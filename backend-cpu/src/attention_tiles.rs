//! The tile machinery shared by the training attention forward (`attention.rs`) and its
//! backward (`attention_backward.rs`), which both import it: the validated sizes of a call with the
//! per-head matrix views, the tile size, the fixed-order reductions, and the scores of one
//! tile.
//!
//! The work is blocked matrix algebra per (sequence, head): query rows are taken in tiles of
//! [`TILE`]; a tile's scores `S = Q Kᵀ/sqrt(E)` against the keys up to its last row come from
//! one `gemm` call ([`tile_scores`]). The forward and the backward make that call with the
//! same arguments, so the backward recomputes exactly the forward's scores.

use hir_core::backend::attention::AttentionDims;
use hir_core::backend::Matmul;

use crate::matmul::{gemm_strided, MatRef};

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

/// Validated sizes of a training attention call (from the contract's check) and its
/// sequences.
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
    /// The sizes of a checked call and the non-empty sequences of its (checked, so
    /// non-decreasing) `seq_starts`.
    pub fn new(checked: AttentionDims, seq_starts: &[u32]) -> Self {
        let seqs = seq_starts
            .windows(2)
            .map(|w| (w[0] as usize, w[1] as usize))
            .filter(|&(a, b)| b > a)
            .collect();
        let s = checked.shape;
        Self {
            heads: s.heads,
            kv_heads: s.kv_heads,
            e: s.head_dim,
            seqs,
        }
    }
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

/// The scaled scores `S = Q Kᵀ/sqrt(E)` of query rows `t0..t0+rows` of one (sequence, head)
/// against keys `0..t0+rows`, into `s: [rows, t0+rows]`.
///
/// The backward calls this with the same arguments as the forward, so it sees the same bits.
pub(crate) fn tile_scores(
    d: &Dims,
    (q, k): (MatRef<'_>, MatRef<'_>),
    t0: usize,
    rows: usize,
    s: &mut Vec<f32>,
) {
    let n = t0 + rows;
    s.resize(rows * n, 0.0);
    let mm = Matmul::new(rows, d.e, n).alpha(d.scale());
    gemm_strided(mm, s, n, q.skip_rows(t0), k.t());
}
