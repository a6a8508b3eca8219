//! The KV cache for inference: writing new keys/values and attention of new query tokens
//! against the cache (contract in `hir_core::backend::kv_cache`, kernels in
//! `hir_kernels::KV_CACHE`, described at the top of `kv_cache.wgsl`). The limits are those of
//! the training attention kernels (`ops/attention.rs`).

use hir_core::backend::kv_cache::{check_attention, check_write};
use hir_core::backend::{AttentionShape, BackendError, CachedAttention, KvCacheShape, Result};
use hir_kernels::KV_CACHE;

use crate::dispatch::{to_u32, Binding, Kernel, MAX_GROUPS_PER_DIM};
use crate::gpu::Gpu;
use crate::ops::attention::{
    attn_params, check_kernel_heads, check_loop_budget, grid_rows, unrolled, ROWS,
};
use crate::tensor::{WgpuIndex, WgpuTensor};

/// Estimated loop iterations of one `attention_cached` invocation attending to `keys` keys:
/// per tile of 64 keys one unrolled dot product, the max and the weighted sum.
fn cached_loop_estimate(keys: usize, e: usize) -> usize {
    keys.div_ceil(ROWS) * (unrolled(e) + 6 * ROWS + 4) + e
}

/// See `Backend::kv_cache_write`.
pub(crate) fn kv_cache_write(
    gpu: &Gpu,
    cache: &mut WgpuTensor,
    x: &WgpuTensor,
    slot: &WgpuIndex,
    pos: &WgpuIndex,
    shape: KvCacheShape,
) -> Result<()> {
    const OP: &str = "kv_cache_write";
    let n = check_write(
        (cache.len, x.len),
        slot.host_for(OP)?,
        pos.host_for(OP)?,
        shape,
    )?
    .tokens;
    to_u32(OP, "cache", cache.len)?;
    let KvCacheShape {
        max_len,
        kv_heads,
        head_dim,
    } = shape;
    gpu.dispatch(
        Kernel::new(KV_CACHE, "kv_cache_write"),
        &[
            Binding::write(cache),
            Binding::read(x),
            Binding::index(slot),
            Binding::index(pos),
        ],
        &attn_params(
            AttentionShape::new(kv_heads, kv_heads, head_dim),
            n,
            max_len,
            1,
        ),
        grid_rows(n, 1, false),
    )
}

/// See `Backend::attention_cached`.
pub(crate) fn attention_cached(
    gpu: &Gpu,
    q: &WgpuTensor,
    k_cache: &WgpuTensor,
    v_cache: &WgpuTensor,
    slot: &WgpuIndex,
    pos: &WgpuIndex,
    shape: CachedAttention,
) -> Result<WgpuTensor> {
    const OP: &str = "attention_cached";
    let lens = (q.len, k_cache.len, v_cache.len);
    let n = check_attention(lens, slot.host_for(OP)?, pos.host_for(OP)?, shape)?.tokens;
    check_kernel_heads(OP, shape.shape)?;
    to_u32(OP, "k_cache", k_cache.len)?;
    to_u32(OP, "q.len()", q.len)?;
    let (heads, head_dim) = (shape.shape.heads, shape.shape.head_dim);
    let keys = pos
        .host_for(OP)?
        .iter()
        .max()
        .map_or(0, |&p| p as usize + 1);
    check_loop_budget(
        gpu,
        OP,
        cached_loop_estimate(keys, head_dim),
        format!("attending to {keys} cached keys with head_dim {head_dim}"),
    )?;
    let o = gpu.alloc(q.len);
    if heads > MAX_GROUPS_PER_DIM as usize {
        return Err(BackendError::Device(format!(
            "{OP}: {heads} heads exceed one dispatch ({MAX_GROUPS_PER_DIM})"
        )));
    }
    gpu.dispatch(
        Kernel::new(KV_CACHE, "attention_cached"),
        &[
            Binding::read(q),
            Binding::read(k_cache),
            Binding::read(v_cache),
            Binding::index(slot),
            Binding::index(pos),
            Binding::write(&o),
        ],
        &attn_params(shape.shape, n, shape.max_len, 1),
        grid_rows(n, heads as u32, true),
    )?;
    Ok(o)
}
