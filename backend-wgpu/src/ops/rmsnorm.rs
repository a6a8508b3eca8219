//! RMSNorm forward and backward.

use hir_core::backend::{BackendError, Result};

use crate::gpu::Gpu;
use crate::tensor::WgpuTensor;

fn not_yet(op: &str) -> BackendError {
    BackendError::Device(format!("{op} is not implemented on wgpu yet"))
}

/// See `Backend::rmsnorm`.
pub(crate) fn rmsnorm(
    _gpu: &Gpu,
    _x: &WgpuTensor,
    _w: &WgpuTensor,
    _dim: usize,
    _eps: f32,
) -> Result<(WgpuTensor, WgpuTensor)> {
    Err(not_yet("rmsnorm"))
}

/// See `Backend::rmsnorm_backward`.
pub(crate) fn rmsnorm_backward(
    _gpu: &Gpu,
    _dy: &WgpuTensor,
    _x: &WgpuTensor,
    _w: &WgpuTensor,
    _rstd: &WgpuTensor,
    _dw: &mut WgpuTensor,
    _dim: usize,
) -> Result<WgpuTensor> {
    Err(not_yet("rmsnorm_backward"))
}
