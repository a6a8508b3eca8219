//! SwiGLU gating forward and backward (kernels in `hir_kernels::SWIGLU`).

use hir_core::backend::Result;
use hir_kernels::SWIGLU;

use crate::dispatch::{grid_1d, Binding, Kernel, Params};
use crate::gpu::Gpu;
use crate::shape::{check_len, to_u32};
use crate::tensor::WgpuTensor;

/// See `Backend::swiglu`.
pub(crate) fn swiglu(gpu: &Gpu, gate: &WgpuTensor, up: &WgpuTensor) -> Result<WgpuTensor> {
    check_len("swiglu", "up", up.len, gate.len)?;
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
    check_len("swiglu_backward", "up", up.len, gate.len)?;
    check_len("swiglu_backward", "dh", dh.len, gate.len)?;
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
