//! `C = alpha·op(A)·op(B) + beta·C` (contract in `hir_core::backend::matmul`, kernels in
//! `hir_kernels::MATMUL`).
//!
//! - `m = 1` (decoding): a matrix–vector kernel (`matvec_rows` when B is stored `[n, k]`, the
//!   layout of a linear layer's weight, else `matvec_cols`).
//! - otherwise the tiled kernel: 64×64 tiles of C per 16×16-thread workgroup, 4×4 outputs per
//!   thread, k in slices of 16, specialised by override constants for the transposes and,
//!   when `m, n` are multiples of 64 and `k` of 16, without bounds checks.

use hir_core::backend::shape::err;
use hir_core::backend::{Matmul, Result};
use hir_kernels::MATMUL;

use crate::dispatch::{grid_1d, to_u32, Binding, Kernel, Params, MAX_GROUPS_PER_DIM};
use crate::gpu::Gpu;
use crate::tensor::WgpuTensor;

/// Rows and columns of C per workgroup of the tiled kernel.
const TILE_MN: usize = 64;
/// Slice of k staged per step of the tiled kernel.
const TILE_K: usize = 16;

/// See `Backend::matmul`.
pub(crate) fn matmul(
    gpu: &Gpu,
    a: &WgpuTensor,
    b: &WgpuTensor,
    c: &mut WgpuTensor,
    mm: Matmul,
) -> Result<()> {
    const OP: &str = "matmul";
    mm.check(a.len, b.len, c.len)?;
    let Matmul {
        m,
        k,
        n,
        trans_a,
        trans_b,
        alpha,
        beta,
    } = mm;
    if m == 0 || n == 0 {
        return Ok(());
    }
    let params = Params::new()
        .u32(to_u32(OP, "m", m)?)
        .u32(to_u32(OP, "k", k)?)
        .u32(to_u32(OP, "n", n)?)
        .f32(alpha)
        .f32(beta);
    let bindings = [Binding::read(a), Binding::read(b), Binding::write(c)];
    if m == 1 {
        return if trans_b {
            let groups = grid_1d(n, 1);
            gpu.dispatch(
                Kernel::new(MATMUL, "matvec_rows"),
                &bindings,
                &params,
                groups,
            )
        } else {
            gpu.dispatch(
                Kernel::new(MATMUL, "matvec_cols"),
                &bindings,
                &params,
                grid_1d(n, 256),
            )
        };
    }
    let exact = m.is_multiple_of(TILE_MN) && n.is_multiple_of(TILE_MN) && k.is_multiple_of(TILE_K);
    let (gx, gy) = (n.div_ceil(TILE_MN), m.div_ceil(TILE_MN));
    if gx > MAX_GROUPS_PER_DIM as usize || gy > MAX_GROUPS_PER_DIM as usize {
        return Err(err(
            OP,
            format!("m={m}, n={n} exceed the {MAX_GROUPS_PER_DIM}×64 tile grid"),
        ));
    }
    let kernel = Kernel::new(MATMUL, "matmul_tiled")
        .with("TRANS_A", f64::from(u8::from(trans_a)))
        .with("TRANS_B", f64::from(u8::from(trans_b)))
        .with("CHECKED", f64::from(u8::from(!exact)));
    gpu.dispatch(kernel, &bindings, &params, [gx as u32, gy as u32, 1])
}
