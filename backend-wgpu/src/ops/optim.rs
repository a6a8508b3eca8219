//! Optimiser ops: the global sum of squares (one f32 read back) and the AdamW step (kernels
//! in `hir_kernels::OPTIM`).

use hir_core::backend::{AdamWParams, Result};
use hir_kernels::OPTIM;

use crate::dispatch::{grid_1d, Binding, Kernel, Params};
use crate::gpu::Gpu;
use crate::ops::memory::download;
use hir_core::backend::optim::check_adamw;

use crate::dispatch::to_u32;
use crate::tensor::WgpuTensor;

/// Elements summed by one workgroup of `sum_squares_partial` (`BLOCK` in the WGSL).
const BLOCK: usize = 4096;

/// See `Backend::sum_squares`: one partial sum per block of [`BLOCK`] elements of each
/// tensor, then one workgroup adds the partials; both in an order fixed by the sizes.
pub(crate) fn sum_squares(gpu: &Gpu, xs: &[&WgpuTensor]) -> Result<f32> {
    const OP: &str = "sum_squares";
    let blocks: Vec<usize> = xs.iter().map(|x| x.len.div_ceil(BLOCK)).collect();
    let total: usize = blocks.iter().sum();
    if total == 0 {
        return Ok(0.0);
    }
    let partials = gpu.alloc(total);
    let mut offset = 0usize;
    for (x, &nb) in xs.iter().zip(&blocks) {
        if nb == 0 {
            continue;
        }
        gpu.dispatch(
            Kernel::new(OPTIM, "sum_squares_partial"),
            &[Binding::read(x), Binding::write(&partials)],
            &Params::new()
                .u32(to_u32(OP, "len", x.len)?)
                .u32(to_u32(OP, "offset", offset)?)
                .u32(0)
                .u32(0),
            grid_1d(nb, 1),
        )?;
        offset += nb;
    }
    let out = gpu.alloc(1);
    gpu.dispatch(
        Kernel::new(OPTIM, "sum_squares_final"),
        &[Binding::read(&partials), Binding::write(&out)],
        &Params::new()
            .u32(to_u32(OP, "blocks", total)?)
            .u32(0)
            .u32(0)
            .u32(0),
        [1, 1, 1],
    )?;
    Ok(download(gpu, &out)?[0])
}

/// See `Backend::adamw_step`: the scalar factors are computed here in f64 (as PyTorch does
/// with Python floats, and as the CPU reference does) and passed to the kernel as f32.
pub(crate) fn adamw_step(
    gpu: &Gpu,
    param: &mut WgpuTensor,
    grad: &WgpuTensor,
    m: &mut WgpuTensor,
    v: &mut WgpuTensor,
    p: &AdamWParams,
) -> Result<()> {
    const OP: &str = "adamw_step";
    check_adamw(param.len, grad.len, m.len, v.len, p)?;
    let n = to_u32(OP, "len", param.len)?;
    let (lr, b1, b2) = (p.lr as f64, p.beta1 as f64, p.beta2 as f64);
    let decay = (1.0 - lr * p.weight_decay as f64) as f32;
    let step_size = (lr / (1.0 - b1.powf(p.step as f64))) as f32;
    let bc2_sqrt = (1.0 - b2.powf(p.step as f64)).sqrt() as f32;
    let params = Params::new()
        .u32(n)
        .f32(decay)
        .f32((1.0 - b1) as f32)
        .f32((1.0 - b2) as f32)
        .f32(p.beta2)
        .f32(step_size)
        .f32(bc2_sqrt)
        .f32(p.eps)
        .f32(p.grad_scale);
    gpu.dispatch(
        Kernel::new(OPTIM, "adamw_step"),
        &[
            Binding::write(param),
            Binding::read(grad),
            Binding::write(m),
            Binding::write(v),
        ],
        &params,
        grid_1d(param.len, 256),
    )
}
