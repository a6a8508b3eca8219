//! The cache of RoPE cos/sin tables on the device: the last few tables, keyed by the
//! positions, the head size and theta (most recently used last). Part of the device state
//! (held by `Gpu`); the RoPE op (`ops/rope.rs`) says how a table is computed.

use std::sync::{Arc, Mutex, PoisonError};

use hir_core::backend::Result;

use crate::tensor::WgpuTensor;

/// Tables kept for reuse.
const CACHED_TABLES: usize = 8;

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
    /// The table for these positions, head size and theta; on a miss `make` computes and
    /// uploads it.
    pub fn get(
        &self,
        positions: &Arc<[u32]>,
        head_dim: usize,
        theta: f32,
        make: impl FnOnce(&[u32]) -> Result<WgpuTensor>,
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
        let table = Arc::new(make(positions)?);
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
