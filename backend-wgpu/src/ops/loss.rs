//! Losses over the vocabulary: softmax cross-entropy (forward, backward) and per-token
//! log-probability + entropy.
//!
//! Placeholder: these are implemented on the `wgpu-ops` branch (kernels in
//! `hir_kernels::LOSS`). Until then each op returns a `BackendError::Device` saying so.

use hir_core::backend::{BackendError, Result};

use crate::gpu::Gpu;
use crate::tensor::{WgpuIndex, WgpuTensor};

fn not_yet(op: &str) -> BackendError {
    BackendError::Device(format!("{op} is not implemented on wgpu yet"))
}

/// See `Backend::cross_entropy`.
pub(crate) fn cross_entropy(
    _gpu: &Gpu,
    _logits: &WgpuTensor,
    _targets: &WgpuIndex,
    _vocab: usize,
) -> Result<(WgpuTensor, WgpuTensor)> {
    Err(not_yet("cross_entropy"))
}

/// See `Backend::cross_entropy_backward`.
pub(crate) fn cross_entropy_backward(
    _gpu: &Gpu,
    _logits: &WgpuTensor,
    _lse: &WgpuTensor,
    _targets: &WgpuIndex,
    _dloss: &WgpuTensor,
    _vocab: usize,
) -> Result<WgpuTensor> {
    Err(not_yet("cross_entropy_backward"))
}

/// See `Backend::token_logprobs_entropy`.
pub(crate) fn token_logprobs_entropy(
    _gpu: &Gpu,
    _logits: &WgpuTensor,
    _targets: &WgpuIndex,
    _vocab: usize,
    _temperature: f32,
) -> Result<(WgpuTensor, WgpuTensor)> {
    Err(not_yet("token_logprobs_entropy"))
}
