//! Attention ops: causal grouped-query attention (training forward and backward), the KV
//! cache write, and attention against the KV cache.
//!
//! Placeholder: these are implemented on the `wgpu-ops` branch (kernels in
//! `hir_kernels::ATTENTION`). Until then each op returns a `BackendError::Device` saying so.

use hir_core::backend::{BackendError, Result};

use crate::gpu::Gpu;
use crate::tensor::{WgpuIndex, WgpuTensor};

fn not_yet(op: &str) -> BackendError {
    BackendError::Device(format!("{op} is not implemented on wgpu yet"))
}

/// See `Backend::attention`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn attention(
    _gpu: &Gpu,
    _q: &WgpuTensor,
    _k: &WgpuTensor,
    _v: &WgpuTensor,
    _seq_starts: &[u32],
    _heads: usize,
    _kv_heads: usize,
    _head_dim: usize,
) -> Result<(WgpuTensor, WgpuTensor)> {
    Err(not_yet("attention"))
}

/// See `Backend::attention_backward`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn attention_backward(
    _gpu: &Gpu,
    _d_o: &WgpuTensor,
    _q: &WgpuTensor,
    _k: &WgpuTensor,
    _v: &WgpuTensor,
    _o: &WgpuTensor,
    _lse: &WgpuTensor,
    _seq_starts: &[u32],
    _heads: usize,
    _kv_heads: usize,
    _head_dim: usize,
) -> Result<(WgpuTensor, WgpuTensor, WgpuTensor)> {
    Err(not_yet("attention_backward"))
}

/// See `Backend::kv_cache_write`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn kv_cache_write(
    _gpu: &Gpu,
    _cache: &mut WgpuTensor,
    _x: &WgpuTensor,
    _slot: &WgpuIndex,
    _pos: &WgpuIndex,
    _max_len: usize,
    _kv_heads: usize,
    _head_dim: usize,
) -> Result<()> {
    Err(not_yet("kv_cache_write"))
}

/// See `Backend::attention_cached`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn attention_cached(
    _gpu: &Gpu,
    _q: &WgpuTensor,
    _k_cache: &WgpuTensor,
    _v_cache: &WgpuTensor,
    _slot: &WgpuIndex,
    _pos: &WgpuIndex,
    _max_len: usize,
    _heads: usize,
    _kv_heads: usize,
    _head_dim: usize,
) -> Result<WgpuTensor> {
    Err(not_yet("attention_cached"))
}
