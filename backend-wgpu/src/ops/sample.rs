//! Seeded sampling (temperature, top-p), one token per row.
//!
//! Placeholder: implemented on the `wgpu-ops` branch (kernels in `hir_kernels::SAMPLE`).
//! Until then it returns a `BackendError::Device` saying so.

use hir_core::backend::{BackendError, Result, SampleParams};

use crate::gpu::Gpu;
use crate::tensor::WgpuTensor;

/// See `Backend::sample`.
pub(crate) fn sample(
    _gpu: &Gpu,
    _logits: &WgpuTensor,
    _vocab: usize,
    _seeds: &[u64],
    _params: &SampleParams,
) -> Result<Vec<u32>> {
    Err(BackendError::Device(
        "sample is not implemented on wgpu yet".into(),
    ))
}
