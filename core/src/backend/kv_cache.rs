//! The KV cache for inference: `kv_cache_write` and `attention_cached`.
//!
//! Contract of `kv_cache_write(cache, x, slot, pos, shape)`: `cache: [slots, max_len, Hkv, E]`
//! (`max_len`, `Hkv`, `E` from [`KvCacheShape`]); `x: [N, Hkv, E]`; token `i` goes to
//! `cache[slot[i], pos[i]]`. The number of slots is `cache.len() / (max_len·Hkv·E)`; a slot
//! or position out of range is a shape error. Tokens are written in order (when two tokens
//! name the same place, the later one wins).
//!
//! Contract of `attention_cached(q, k_cache, v_cache, slot, pos, shape)`: `q: [N, H, E]`;
//! query `i` belongs to cache slot `slot[i]`, sits at position `pos[i]` and attends to
//! `cache[slot[i], 0..=pos[i]]` of `k_cache, v_cache: [slots, max_len, Hkv, E]`. Returns
//! `o: [N, H, E]`. Scores are scaled by `1/sqrt(E)`; query head `h` uses key/value head
//! `h / (H / Hkv)`, as in [`super::attention`].
//!
//! Queries do not see each other: a prefill writes its keys/values with `kv_cache_write`
//! first, then attends. On the same tokens the result equals `attention`'s `o` (the CPU
//! backend makes it bit-identical).

use alloc::format;

use super::attention::AttentionShape;
use super::shape::{check_ids, check_len, err, mul, rows_of};
use super::Result;

/// The layout of one KV cache tensor: `[slots, max_len, kv_heads, head_dim]` (the number of
/// slots follows from the tensor's length).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KvCacheShape {
    /// Positions per slot.
    pub max_len: usize,
    /// Key/value heads `Hkv`.
    pub kv_heads: usize,
    /// Head size `E`.
    pub head_dim: usize,
}

impl KvCacheShape {
    /// A cache of `max_len` positions per slot, each `kv_heads × head_dim`.
    pub fn new(max_len: usize, kv_heads: usize, head_dim: usize) -> Self {
        Self {
            max_len,
            kv_heads,
            head_dim,
        }
    }

    /// The number of slots of cache argument `what` holding `len` elements.
    pub fn slots(&self, op: &'static str, what: &str, len: usize) -> Result<usize> {
        let Self {
            max_len,
            kv_heads,
            head_dim,
        } = *self;
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
}

/// The shape of an `attention_cached` call: the heads and the cache layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachedAttention {
    /// The head layout (`H`, `Hkv`, `E`).
    pub shape: AttentionShape,
    /// Positions per cache slot.
    pub max_len: usize,
}

impl CachedAttention {
    /// Attention with `shape` against caches of `max_len` positions per slot.
    pub fn new(shape: AttentionShape, max_len: usize) -> Self {
        Self { shape, max_len }
    }

    /// The layout of the caches.
    pub fn cache(&self) -> KvCacheShape {
        KvCacheShape::new(self.max_len, self.shape.kv_heads, self.shape.head_dim)
    }
}

/// Validated sizes of a KV-cache call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KvCacheDims {
    /// Cache slots.
    pub slots: usize,
    /// New tokens (writes) or query tokens (attention), `N`.
    pub tokens: usize,
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

/// Checks `kv_cache_write`'s `cache` and `x` (element counts) and the host copies of `slot`,
/// `pos`.
pub fn check_write(
    (cache, x): (usize, usize),
    slot: &[u32],
    pos: &[u32],
    shape: KvCacheShape,
) -> Result<KvCacheDims> {
    const OP: &str = "kv_cache_write";
    let slots = shape.slots(OP, "cache", cache)?;
    let row = shape.kv_heads * shape.head_dim;
    let n = rows_of(OP, "x [N, kv_heads, head_dim]", x, row)?;
    check_slot_pos(OP, slot, pos, n, slots, shape.max_len)?;
    Ok(KvCacheDims { slots, tokens: n })
}

/// Checks `attention_cached`'s `q`, `k_cache`, `v_cache` (element counts) and the host
/// copies of `slot`, `pos`.
pub fn check_attention(
    (q, k_cache, v_cache): (usize, usize, usize),
    slot: &[u32],
    pos: &[u32],
    shape: CachedAttention,
) -> Result<KvCacheDims> {
    const OP: &str = "attention_cached";
    shape.shape.check(OP)?;
    let slots = shape.cache().slots(OP, "k_cache", k_cache)?;
    check_len(OP, "v_cache", v_cache, k_cache)?;
    let AttentionShape {
        heads, head_dim, ..
    } = shape.shape;
    let n = rows_of(OP, "q [N, heads, head_dim]", q, heads * head_dim)?;
    check_slot_pos(OP, slot, pos, n, slots, shape.max_len)?;
    Ok(KvCacheDims { slots, tokens: n })
}
