//! Rotary position embedding, forward and inverse (contract in `hir_core::backend::rope`,
//! kernel in `hir_kernels::ROPE`).
//!
//! The cos/sin of every (token, pair) come from a table computed on the host exactly as the
//! CPU reference computes them (`inv_freq` of the contract, the angle as one f32 product,
//! cos/sin in f64 rounded to f32), because GPU `sin`/`cos` lose accuracy on the large angles
//! of late positions. The positions are on the host already (see [`WgpuIndex`]), and the
//! last few tables are cached in the device state (`crate::rope_tables`): within a step every
//! layer rotates q and k with the same positions, forward and backward.

use hir_core::backend::rope::{check, inv_freq};
use hir_core::backend::Result;
use hir_kernels::ROPE;

use crate::dispatch::{grid_1d, to_u32, Binding, Kernel, Params};
use crate::gpu::Gpu;
use crate::ops::memory::upload;
use crate::tensor::{WgpuIndex, WgpuTensor};

/// The `[N, head_dim/2, 2]` table of `(cos, sin)` of `f32(pos)·inv_freq`.
pub(crate) fn cos_sin_table(positions: &[u32], head_dim: usize, theta: f32) -> Vec<f32> {
    let half = head_dim / 2;
    let freqs: Vec<f32> = (0..half).map(|i| inv_freq(i, head_dim, theta)).collect();
    let mut table = Vec::with_capacity(positions.len() * half * 2);
    for &pos in positions {
        for &f in &freqs {
            let angle = (pos as f32 * f) as f64;
            table.push(angle.cos() as f32);
            table.push(angle.sin() as f32);
        }
    }
    table
}

/// See `Backend::rope`.
pub(crate) fn rope(
    gpu: &Gpu,
    x: &mut WgpuTensor,
    positions: &WgpuIndex,
    heads: usize,
    head_dim: usize,
    theta: f32,
    inverse: bool,
) -> Result<()> {
    const OP: &str = "rope";
    check(x.len, positions.len(), heads, head_dim)?;
    let positions = positions.mirror_for(OP)?;
    if x.len == 0 {
        return Ok(());
    }
    let table = gpu
        .rope_tables
        .get(positions, head_dim, theta, |positions| {
            upload(gpu, &cos_sin_table(positions, head_dim, theta))
        })?;
    let pairs = x.len / 2;
    gpu.dispatch(
        Kernel::new(ROPE, "rope"),
        &[Binding::write(x), Binding::read(&table)],
        &Params::new()
            .u32(to_u32(OP, "N·heads·head_dim/2", pairs)?)
            .u32(to_u32(OP, "heads", heads)?)
            .u32(to_u32(OP, "head_dim/2", head_dim / 2)?)
            .f32(if inverse { -1.0 } else { 1.0 }),
        grid_1d(pairs, 256),
    )
}
