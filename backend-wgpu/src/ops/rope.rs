//! Rotary position embedding, forward and inverse (kernel in `hir_kernels::ROPE`).
//!
//! The cos/sin of every (token, pair) come from a table computed on the host exactly as the
//! CPU reference computes them (`inv_freq` in f64 rounded to f32, the angle as one f32
//! product, cos/sin in f64 rounded to f32), because GPU `sin`/`cos` lose accuracy on the
//! large angles of late positions. The positions are on the host already (see
//! [`WgpuIndex`]), and the last few tables are cached: within a step every layer rotates q
//! and k with the same positions, forward and backward.

use std::sync::{Arc, Mutex, PoisonError};

use hir_core::backend::Result;
use hir_kernels::ROPE;

use crate::dispatch::{grid_1d, Binding, Kernel, Params};
use crate::gpu::Gpu;
use crate::ops::memory::upload;
use crate::shape::{err, mul, to_u32};
use crate::tensor::{WgpuIndex, WgpuTensor};

/// Tables kept for reuse.
const CACHED_TABLES: usize = 8;

/// `inv_freq` of pair `i`: `f32(1 / theta^(2i/head_dim))`, as the CPU reference.
fn inv_freq(i: usize, head_dim: usize, theta: f32) -> f32 {
    (1.0 / (theta as f64).powf((2 * i) as f64 / head_dim as f64)) as f32
}

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

/// One cached table and what it was computed for.
struct Entry {
    positions: Arc<[u32]>,
    head_dim: usize,
    theta_bits: u32,
    table: Arc<WgpuTensor>,
}

/// The most recently used cos/sin tables (most recent last).
#[derive(Default)]
pub(crate) struct RopeTables {
    entries: Mutex<Vec<Entry>>,
}

impl RopeTables {
    /// The table for these positions, head size and theta, computed and uploaded on a miss.
    fn get(
        &self,
        gpu: &Gpu,
        positions: &Arc<[u32]>,
        head_dim: usize,
        theta: f32,
    ) -> Result<Arc<WgpuTensor>> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let hit = entries.iter().position(|e| {
            e.head_dim == head_dim
                && e.theta_bits == theta.to_bits()
                && (Arc::ptr_eq(&e.positions, positions) || e.positions[..] == positions[..])
        });
        if let Some(i) = hit {
            let e = entries.remove(i);
            let table = Arc::clone(&e.table);
            entries.push(e);
            return Ok(table);
        }
        let table = Arc::new(upload(gpu, &cos_sin_table(positions, head_dim, theta))?);
        if entries.len() >= CACHED_TABLES {
            entries.remove(0);
        }
        entries.push(Entry {
            positions: Arc::clone(positions),
            head_dim,
            theta_bits: theta.to_bits(),
            table: Arc::clone(&table),
        });
        Ok(table)
    }
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
    if head_dim == 0 || !head_dim.is_multiple_of(2) {
        return Err(err(
            OP,
            format!("head_dim must be even and > 0, got {head_dim}"),
        ));
    }
    if heads == 0 {
        return Err(err(OP, "heads must be > 0".into()));
    }
    let row = mul(OP, &[heads, head_dim])?;
    let expected = mul(OP, &[positions.len(), row])?;
    if x.len != expected {
        return Err(err(
            OP,
            format!(
                "`x` has {} elements, expected N·heads·head_dim = {}·{heads}·{head_dim} = {expected} \
                 (N = positions.len())",
                x.len,
                positions.len()
            ),
        ));
    }
    if x.len == 0 {
        return Ok(());
    }
    let table = gpu.rope_tables.get(gpu, &positions.host, head_dim, theta)?;
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
