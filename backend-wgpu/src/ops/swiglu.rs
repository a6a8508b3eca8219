//! SwiGLU gating forward and backward.

use hir_core::backend::{BackendError, Result};

use crate::gpu::Gpu;
use crate::tensor::WgpuTensor;

fn not_yet(op: &str) -> BackendError {
    BackendError::Device(format!("{op} is not implemented on wgpu yet"))
}

/// See `Backend::swiglu`.
pub(crate) fn swiglu(_gpu: &Gpu, _gate: &WgpuTensor, _up: &WgpuTensor) -> Result<WgpuTensor> {
    Err(not_yet("swiglu"))
}

/// See `Backend::swiglu_backward`.
pub(crate) fn swiglu_backward(
    _gpu: &Gpu,
    _dh: &WgpuTensor,
    _gate: &WgpuTensor,
    _up: &WgpuTensor,
) -> Result<(WgpuTensor, WgpuTensor)> {
    Err(not_yet("swiglu_backward"))
}
