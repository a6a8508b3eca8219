//! Elementwise ops: `axpy`, `scale`, `add_bias`, `bias_backward_acc`, `gather_rows`
//! (kernels in `hir_kernels::ELEMENTWISE`).

use hir_core::backend::Result;
use hir_kernels::ELEMENTWISE;

use crate::dispatch::{grid_1d, Binding, Kernel, Params};
use crate::gpu::Gpu;
use hir_core::backend::elementwise::{
    check_add_bias, check_axpy, check_bias_backward, check_gather_rows,
};
use hir_core::backend::shape::mul;

use crate::dispatch::to_u32;
use crate::tensor::{WgpuIndex, WgpuTensor};

/// Threads per workgroup of the 1-D kernels.
const WG: u32 = 256;

/// The parameter block of `elementwise.wgsl`: `n, cols, alpha, rows`.
fn params(n: u32, cols: u32, alpha: f32, rows: u32) -> Params {
    Params::new().u32(n).u32(cols).f32(alpha).u32(rows)
}

/// `y += alpha * x`.
pub(crate) fn axpy(gpu: &Gpu, alpha: f32, x: &WgpuTensor, y: &mut WgpuTensor) -> Result<()> {
    check_axpy(x.len, y.len)?;
    let n = to_u32("axpy", "len", x.len)?;
    gpu.dispatch(
        Kernel::new(ELEMENTWISE, "axpy"),
        &[Binding::read(x), Binding::write(y)],
        &params(n, 0, alpha, 0),
        grid_1d(x.len, WG),
    )
}

/// `x *= alpha`.
pub(crate) fn scale(gpu: &Gpu, x: &mut WgpuTensor, alpha: f32) -> Result<()> {
    let n = to_u32("scale", "len", x.len)?;
    gpu.dispatch(
        Kernel::new(ELEMENTWISE, "scale"),
        &[Binding::write(x)],
        &params(n, 0, alpha, 0),
        grid_1d(x.len, WG),
    )
}

/// `x[r, c] += bias[c]`.
pub(crate) fn add_bias(
    gpu: &Gpu,
    x: &mut WgpuTensor,
    bias: &WgpuTensor,
    cols: usize,
) -> Result<()> {
    const OP: &str = "add_bias";
    check_add_bias(x.len, bias.len, cols)?;
    let n = to_u32(OP, "len", x.len)?;
    gpu.dispatch(
        Kernel::new(ELEMENTWISE, "add_bias"),
        &[Binding::write(x), Binding::read(bias)],
        &params(n, to_u32(OP, "cols", cols)?, 0.0, 0),
        grid_1d(x.len, WG),
    )
}

/// `dbias[c] += Σ_r dy[r, c]`, each column summed in row order by one thread.
pub(crate) fn bias_backward_acc(
    gpu: &Gpu,
    dy: &WgpuTensor,
    dbias: &mut WgpuTensor,
    cols: usize,
) -> Result<()> {
    const OP: &str = "bias_backward_acc";
    let rows = check_bias_backward(dy.len, dbias.len, cols)?.rows;
    let (rows, cols_u) = (to_u32(OP, "rows", rows)?, to_u32(OP, "cols", cols)?);
    gpu.dispatch(
        Kernel::new(ELEMENTWISE, "bias_backward_acc"),
        &[Binding::read(dy), Binding::write(dbias)],
        &params(0, cols_u, 0.0, rows),
        grid_1d(cols, WG),
    )
}

/// Rows `rows[i]` of `x: [*, cols]` gathered into `[rows.len(), cols]`.
pub(crate) fn gather_rows(
    gpu: &Gpu,
    x: &WgpuTensor,
    rows: &WgpuIndex,
    cols: usize,
) -> Result<WgpuTensor> {
    const OP: &str = "gather_rows";
    check_gather_rows(x.len, rows.host_for(OP)?, cols)?;
    let n = mul(OP, &[rows.len(), cols])?;
    let out = gpu.alloc(n);
    gpu.dispatch(
        Kernel::new(ELEMENTWISE, "gather_rows"),
        &[Binding::read(x), Binding::index(rows), Binding::write(&out)],
        &params(to_u32(OP, "len", n)?, to_u32(OP, "cols", cols)?, 0.0, 0),
        grid_1d(n, WG),
    )?;
    Ok(out)
}
