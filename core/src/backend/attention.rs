//! Causal grouped-query attention over packed sequences (training / full forward):
//! `attention` and `attention_backward`.
//!
//! Contract of `attention(q, k, v, seq_starts, shape)`: `q: [N, H, E]`, `k, v: [N, Hkv, E]`
//! (`H`, `Hkv`, `E` from [`AttentionShape`]); sequence `s` holds tokens
//! `seq_starts[s] .. seq_starts[s+1]` and token `i` attends to tokens `j ≤ i` of its own
//! sequence. Query head `h` uses key/value head `h / (H / Hkv)`. Scores are scaled by
//! `1/sqrt(E)`. Returns `(o: [N, H, E], lse: [N, H])` where `lse` is the log-sum-exp of each
//! (scaled) score row (kept for the backward pass).
//!
//! `seq_starts` has one entry per sequence plus a final `N`: it starts at 0, never decreases
//! and ends at `N = q.len() / (H·E)` (e.g. `[0, 3, 4, 6]` packs sequences of 3, 1 and 2
//! tokens; an empty sequence is allowed). `H` must be a multiple of `Hkv`.
//!
//! Contract of `attention_backward(d_o, saved, seq_starts, shape)`: returns `(dq, dk, dv)`
//! with the shapes of `q, k, v`; `saved` ([`AttentionSaved`]) holds the forward's inputs and
//! outputs `o`, `lse`. With `D_i = do_i·o_i`, `p_ij = exp(s_ij − lse_i)` and
//! `ds_ij = p_ij (do_i·v_j − D_i)`: `dq_i = Σ_j ds_ij k_j / sqrt(E)`,
//! `dk_j = Σ_i ds_ij q_i / sqrt(E)` and `dv_j = Σ_i p_ij do_i`, the sums over `i` running over
//! every query head of `j`'s group. Must be deterministic (no atomics whose order depends on
//! scheduling).

use alloc::format;

use super::shape::{check_len, err, mul};
use super::Result;

/// The head layout of an attention call: `H` query heads, `Hkv` key/value heads, head size
/// `E`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttentionShape {
    /// Query heads `H` (a multiple of `kv_heads`).
    pub heads: usize,
    /// Key/value heads `Hkv`.
    pub kv_heads: usize,
    /// Head size `E`.
    pub head_dim: usize,
}

impl AttentionShape {
    /// `heads` query heads sharing `kv_heads` key/value heads of size `head_dim`.
    pub fn new(heads: usize, kv_heads: usize, head_dim: usize) -> Self {
        Self {
            heads,
            kv_heads,
            head_dim,
        }
    }

    /// Query heads per key/value head, `H / Hkv`.
    pub fn group(&self) -> usize {
        self.heads / self.kv_heads
    }

    /// Checks that the head counts and head size are positive and that `kv_heads` divides
    /// `heads` (`op` names the op in the error).
    pub fn check(&self, op: &'static str) -> Result<()> {
        let Self {
            heads,
            kv_heads,
            head_dim,
        } = *self;
        if heads == 0 || kv_heads == 0 || head_dim == 0 {
            return Err(err(
                op,
                format!(
                    "heads ({heads}), kv_heads ({kv_heads}) and head_dim ({head_dim}) must be > 0"
                ),
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
}

/// What the backward reads from the forward pass: its inputs `q, k, v` and its outputs `o`,
/// `lse`, borrowed.
#[derive(Debug)]
pub struct AttentionSaved<'a, T: ?Sized> {
    /// `q: [N, H, E]`.
    pub q: &'a T,
    /// `k: [N, Hkv, E]`.
    pub k: &'a T,
    /// `v: [N, Hkv, E]`.
    pub v: &'a T,
    /// The forward's `o: [N, H, E]`.
    pub o: &'a T,
    /// The forward's `lse: [N, H]`.
    pub lse: &'a T,
}

impl<T: ?Sized> Clone for AttentionSaved<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for AttentionSaved<'_, T> {}

impl<'a, T: ?Sized> AttentionSaved<'a, T> {
    /// The same tensors seen through `f` (e.g. a backend's tensor as its host slice).
    pub fn map<U: ?Sized>(self, f: impl Fn(&'a T) -> &'a U) -> AttentionSaved<'a, U> {
        AttentionSaved {
            q: f(self.q),
            k: f(self.k),
            v: f(self.v),
            o: f(self.o),
            lse: f(self.lse),
        }
    }
}

/// Validated sizes of an attention call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttentionDims {
    /// The head layout.
    pub shape: AttentionShape,
    /// Tokens `N`.
    pub tokens: usize,
}

/// Checks the forward's `q, k, v` (element counts) and `seq_starts` against `shape`. Once it
/// passes, `seq_starts` is known to start at 0, end at `N` and never decrease.
pub fn check_forward(
    qkv: (usize, usize, usize),
    seq_starts: &[u32],
    shape: AttentionShape,
) -> Result<AttentionDims> {
    check_qkv("attention", qkv, seq_starts, shape)
}

/// [`check_forward`] for op `op` (the backward runs the same checks under its own name).
fn check_qkv(
    op: &'static str,
    (q, k, v): (usize, usize, usize),
    seq_starts: &[u32],
    shape: AttentionShape,
) -> Result<AttentionDims> {
    shape.check(op)?;
    let AttentionShape {
        heads,
        kv_heads,
        head_dim,
    } = shape;
    let q_row = mul(op, &[heads, head_dim])?;
    if q % q_row != 0 {
        return Err(err(
            op,
            format!("`q` has {q} elements, not a multiple of heads·head_dim = {q_row}"),
        ));
    }
    let n = q / q_row;
    let kv_len = mul(op, &[n, kv_heads, head_dim])?;
    check_len(op, "k [N, kv_heads, head_dim]", k, kv_len)?;
    check_len(op, "v [N, kv_heads, head_dim]", v, kv_len)?;
    if seq_starts.first() != Some(&0) || seq_starts.last().map(|&l| l as usize) != Some(n) {
        return Err(err(
            op,
            format!(
                "`seq_starts` must start at 0 and end at N = {n} (one entry per sequence plus \
                 the final N), got {seq_starts:?}"
            ),
        ));
    }
    for (s, w) in seq_starts.windows(2).enumerate() {
        let (a, b) = (w[0] as usize, w[1] as usize);
        if b < a {
            return Err(err(
                op,
                format!("`seq_starts` must be non-decreasing, but entry {s} is {a} > {b}"),
            ));
        }
    }
    Ok(AttentionDims { shape, tokens: n })
}

/// Checks the backward's arguments: the forward's checks on `saved.q, k, v`, then `d_o` and
/// `saved.o` (`[N, H, E]`) and `saved.lse` (`[N, H]`). `len` gives a tensor's element count.
pub fn check_backward<T: ?Sized>(
    d_o: &T,
    saved: AttentionSaved<'_, T>,
    len: impl Fn(&T) -> usize,
    seq_starts: &[u32],
    shape: AttentionShape,
) -> Result<AttentionDims> {
    const OP: &str = "attention_backward";
    let q = len(saved.q);
    let dims = check_qkv(OP, (q, len(saved.k), len(saved.v)), seq_starts, shape)?;
    check_len(OP, "d_o [N, H, E]", len(d_o), q)?;
    check_len(OP, "o [N, H, E]", len(saved.o), q)?;
    check_len(OP, "lse [N, H]", len(saved.lse), q / shape.head_dim)?;
    Ok(dims)
}
