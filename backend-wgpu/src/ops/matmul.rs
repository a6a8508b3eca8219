//! `C = alpha·op(A)·op(B) + beta·C` (kernels in `hir_kernels::MATMUL`).

use hir_core::backend::{BackendError, Result};

use crate::gpu::Gpu;
use crate::tensor::WgpuTensor;

fn not_yet(op: &str) -> BackendError {
    BackendError::Device(format!("{op} is not implemented on wgpu yet"))
}

/// See `Backend::matmul`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn matmul(
    _gpu: &Gpu,
    _a: &WgpuTensor,
    _b: &WgpuTensor,
    _c: &mut WgpuTensor,
    _m: usize,
    _k: usize,
    _n: usize,
    _trans_a: bool,
    _trans_b: bool,
    _alpha: f32,
    _beta: f32,
) -> Result<()> {
    Err(not_yet("matmul"))
}
