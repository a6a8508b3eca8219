//! RMSNorm forward and backward, and the fused residual add + RMSNorm (kernels in
//! `hir_kernels::RMSNORM`). With `subgroups` (the device has `Features::SUBGROUP` and the
//! backend uses it) the row reductions run the `rmsnorm_sg` variant
//! (`hir_kernels::SUBGROUP_VARIANTS`): one partial sum per subgroup instead of per thread.

use hir_core::backend::Result;
use hir_kernels::{Shader, RMSNORM};

use crate::dispatch::{grid_1d, Binding, Kernel, Params};
use crate::gpu::Gpu;
use hir_core::backend::rmsnorm::{check_add_forward, check_backward, check_forward};

use crate::dispatch::to_u32;
use crate::tensor::WgpuTensor;
use crate::variants::variant;

/// The shader of the row-reduction entry points: the subgroup variant when asked for and
/// the device has subgroups.
fn row_shader(gpu: &Gpu, subgroups: bool) -> Result<Shader> {
    variant(RMSNORM, false, subgroups && gpu.summary.subgroups)
}

/// The parameter block `rows, dim, eps`.
fn params(op: &'static str, rows: usize, dim: usize, eps: f32) -> Result<Params> {
    Ok(Params::new()
        .u32(to_u32(op, "rows", rows)?)
        .u32(to_u32(op, "dim", dim)?)
        .f32(eps))
}

/// See `Backend::rmsnorm`.
pub(crate) fn rmsnorm(
    gpu: &Gpu,
    x: &WgpuTensor,
    w: &WgpuTensor,
    dim: usize,
    eps: f32,
    subgroups: bool,
) -> Result<(WgpuTensor, WgpuTensor)> {
    const OP: &str = "rmsnorm";
    let rows = check_forward(x.len, w.len, dim)?.rows;
    let (y, rstd) = (gpu.alloc(x.len), gpu.alloc(rows));
    gpu.dispatch(
        Kernel::new(row_shader(gpu, subgroups)?, "rmsnorm"),
        &[
            Binding::read(x),
            Binding::read(w),
            Binding::write(&y),
            Binding::write(&rstd),
        ],
        &params(OP, rows, dim, eps)?,
        // One workgroup per row.
        grid_1d(rows, 1),
    )?;
    Ok((y, rstd))
}

/// See `Backend::add_rmsnorm`: `delta += x`, then `rmsnorm(delta, w)`, in one dispatch.
pub(crate) fn add_rmsnorm(
    gpu: &Gpu,
    x: &WgpuTensor,
    delta: &mut WgpuTensor,
    w: &WgpuTensor,
    dim: usize,
    eps: f32,
    subgroups: bool,
) -> Result<(WgpuTensor, WgpuTensor)> {
    const OP: &str = "add_rmsnorm";
    let rows = check_add_forward(x.len, delta.len, w.len, dim)?.rows;
    let (y, rstd) = (gpu.alloc(x.len), gpu.alloc(rows));
    gpu.dispatch(
        Kernel::new(row_shader(gpu, subgroups)?, "add_rmsnorm"),
        &[
            Binding::read(x),
            Binding::write(delta),
            Binding::read(w),
            Binding::write(&y),
            Binding::write(&rstd),
        ],
        &params(OP, rows, dim, eps)?,
        // One workgroup per row.
        grid_1d(rows, 1),
    )?;
    Ok((y, rstd))
}

/// See `Backend::rmsnorm_backward`; `(gpu, subgroups)` as the other ops' `gpu, …, subgroups`
/// (one argument, to keep the count down).
pub(crate) fn rmsnorm_backward(
    (gpu, subgroups): (&Gpu, bool),
    dy: &WgpuTensor,
    x: &WgpuTensor,
    w: &WgpuTensor,
    rstd: &WgpuTensor,
    dw: &mut WgpuTensor,
    dim: usize,
) -> Result<WgpuTensor> {
    const OP: &str = "rmsnorm_backward";
    let rows = check_backward(dy.len, x.len, w.len, rstd.len, dw.len, dim)?.rows;
    let dx = gpu.alloc(x.len);
    let params = params(OP, rows, dim, 0.0)?;
    gpu.dispatch(
        Kernel::new(row_shader(gpu, subgroups)?, "rmsnorm_backward_dx"),
        &[
            Binding::read(dy),
            Binding::read(x),
            Binding::read(w),
            Binding::read(rstd),
            Binding::write(&dx),
        ],
        &params,
        grid_1d(rows, 1),
    )?;
    gpu.dispatch(
        Kernel::new(RMSNORM, "rmsnorm_backward_dw"),
        &[
            Binding::read(dy),
            Binding::read(x),
            Binding::read(w),
            Binding::read(rstd),
            Binding::write(dw),
        ],
        &params,
        grid_1d(dim, 256),
    )?;
    Ok(dx)
}
