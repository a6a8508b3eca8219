//! Token embedding lookup and its deterministic backward.

use hir_core::backend::{BackendError, Result};

use crate::gpu::Gpu;
use crate::tensor::{WgpuIndex, WgpuTensor};

fn not_yet(op: &str) -> BackendError {
    BackendError::Device(format!("{op} is not implemented on wgpu yet"))
}

/// See `Backend::embedding`.
pub(crate) fn embedding(
    _gpu: &Gpu,
    _table: &WgpuTensor,
    _ids: &WgpuIndex,
    _dim: usize,
) -> Result<WgpuTensor> {
    Err(not_yet("embedding"))
}

/// See `Backend::embedding_backward_acc`.
pub(crate) fn embedding_backward_acc(
    _gpu: &Gpu,
    _dout: &WgpuTensor,
    _ids: &WgpuIndex,
    _dtable: &mut WgpuTensor,
    _dim: usize,
) -> Result<()> {
    Err(not_yet("embedding_backward_acc"))
}
