//! The PPO-clip policy loss (forward and backward in one op).
//!
//! Placeholder: implemented on the `wgpu-ops` branch (kernels in
//! `hir_kernels::POLICY_LOSS`). Until then it returns a `BackendError::Device` saying so.

use hir_core::backend::{BackendError, PolicyLossParams, PolicyLossSums, Result};

use crate::gpu::Gpu;
use crate::tensor::WgpuTensor;

/// See `Backend::policy_loss`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn policy_loss(
    _gpu: &Gpu,
    _logp: &WgpuTensor,
    _old_logp: &WgpuTensor,
    _ref_logp: &WgpuTensor,
    _adv: &WgpuTensor,
    _weight: &WgpuTensor,
    _p: &PolicyLossParams,
) -> Result<(WgpuTensor, PolicyLossSums)> {
    Err(BackendError::Device(
        "policy_loss is not implemented on wgpu yet".into(),
    ))
}
