//! Rotary position embedding (forward and inverse).

use hir_core::backend::{BackendError, Result};

use crate::gpu::Gpu;
use crate::tensor::{WgpuIndex, WgpuTensor};

fn not_yet(op: &str) -> BackendError {
    BackendError::Device(format!("{op} is not implemented on wgpu yet"))
}

/// See `Backend::rope`.
pub(crate) fn rope(
    _gpu: &Gpu,
    _x: &mut WgpuTensor,
    _positions: &WgpuIndex,
    _heads: usize,
    _head_dim: usize,
    _theta: f32,
    _inverse: bool,
) -> Result<()> {
    Err(not_yet("rope"))
}
