//! Optimiser ops: the global sum of squares (grad norm) and AdamW.
//!
//! Placeholder: these are implemented on the `wgpu-ops` branch (kernels in
//! `hir_kernels::OPTIM`). Until then each op returns a `BackendError::Device` saying so.

use hir_core::backend::{AdamWParams, BackendError, Result};

use crate::gpu::Gpu;
use crate::tensor::WgpuTensor;

fn not_yet(op: &str) -> BackendError {
    BackendError::Device(format!("{op} is not implemented on wgpu yet"))
}

/// See `Backend::sum_squares`.
pub(crate) fn sum_squares(_gpu: &Gpu, _xs: &[&WgpuTensor]) -> Result<f32> {
    Err(not_yet("sum_squares"))
}

/// See `Backend::adamw_step`.
pub(crate) fn adamw_step(
    _gpu: &Gpu,
    _param: &mut WgpuTensor,
    _grad: &WgpuTensor,
    _m: &mut WgpuTensor,
    _v: &mut WgpuTensor,
    _p: &AdamWParams,
) -> Result<()> {
    Err(not_yet("adamw_step"))
}
