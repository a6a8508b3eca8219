//! SwiGLU gating forward and backward (kernels in `hir_kernels::SWIGLU`).

use hir_core::backend::Result;
use hir_kernels::SWIGLU;

use crate::dispatch::{grid_1d, Binding, Kernel, Params};
use crate::gpu::Gpu;
use hir_core::backend::swiglu::{check_backward, check_forward};

use crate::dispatch::to_u32;
use crate::tensor::WgpuTensor;

/// See `Backend::swiglu`.
pub(crate) fn swiglu(gpu: &Gpu, gate: &WgpuTensor, up: &WgpuTensor) -> Result<WgpuTensor> {
    check_forward(gate.len, up.len)?;
    let n = to_u32("swiglu", "len", gate.len)?;
    let h = gpu.alloc(gate.len);
    gpu.dispatch(
        Kernel::new(SWIGLU, "swiglu"),
        &[Binding::read(gate), Binding::read(up), Binding::write(&h)],
        &Params::new().u32(n),
        grid_1d(gate.len, 256),
    )?;
    Ok(h)
}

/// See `Backend::swiglu_backward`.
pub(crate) fn swiglu_backward(
    gpu: &Gpu,
    dh: &WgpuTensor,
    gate: &WgpuTensor,
    up: &WgpuTensor,
) -> Result<(WgpuTensor, WgpuTensor)> {
    check_backward(dh.len, gate.len, up.len)?;
    let n = to_u32("swiglu_backward", "len", gate.len)?;
    let (dgate, dup) = (gpu.alloc(gate.len), gpu.alloc(gate.len));
    gpu.dispatch(
        Kernel::new(SWIGLU, "swiglu_backward"),
        &[
            Binding::read(dh),
            Binding::read(gate),
            Binding::read(up),
            Binding::write(&dgate),
            Binding::write(&dup),
        ],
        &Params::new().u32(n),
        grid_1d(gate.len, 256),
    )?;
    Ok((dgate, dup))
}
