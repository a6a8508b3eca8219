//! The buffer pool: storage buffers are recycled by size class instead of being created and
//! destroyed for every intermediate tensor.
//!
//! A request of `n` bytes is served by a buffer of [`size_class`]`(n)` bytes (at most 25%
//! larger, at least 256 bytes). When a [`PooledBuffer`] is dropped its buffer goes back to the
//! free list of its class, up to [`MAX_FREE_BYTES`] of idle memory; beyond that it is
//! released to the driver.
//!
//! Reuse is safe without waiting for the GPU: every command that touches a buffer is recorded
//! in submission order (see `batch.rs`), so a later op that reuses a buffer runs after the
//! earlier ones that read or wrote it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Usage flags of every pooled buffer: bound as storage, copied to and from.
pub(crate) const POOL_USAGE: wgpu::BufferUsages = wgpu::BufferUsages::STORAGE
    .union(wgpu::BufferUsages::COPY_SRC)
    .union(wgpu::BufferUsages::COPY_DST);

/// Idle memory kept for reuse, in bytes; buffers freed beyond it are destroyed.
pub const MAX_FREE_BYTES: u64 = 1 << 30;

/// The smallest size class, in bytes.
const MIN_CLASS: u64 = 256;

/// The size class serving a request of `bytes`: `bytes` rounded up to a quarter of its power
/// of two (so at most 25% is wasted), and at least 256.
pub fn size_class(bytes: u64) -> u64 {
    if bytes <= MIN_CLASS {
        return MIN_CLASS;
    }
    let pow = 1u64 << (63 - bytes.leading_zeros());
    let step = pow / 4;
    bytes.div_ceil(step) * step
}

#[derive(Default)]
struct FreeLists {
    lists: HashMap<u64, Vec<wgpu::Buffer>>,
    free_bytes: u64,
}

/// A pool of storage buffers keyed by size class. Cheap to clone (shared state).
#[derive(Clone)]
pub(crate) struct BufferPool {
    device: wgpu::Device,
    free: Arc<Mutex<FreeLists>>,
}

impl BufferPool {
    pub fn new(device: wgpu::Device) -> Self {
        Self {
            device,
            free: Arc::default(),
        }
    }

    /// A buffer of at least `bytes` bytes (contents undefined), from the free list when one
    /// of the right class is idle.
    pub fn get(&self, bytes: u64) -> PooledBuffer {
        let class = size_class(bytes);
        let reused = {
            let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
            let b = free.lists.get_mut(&class).and_then(Vec::pop);
            if b.is_some() {
                free.free_bytes -= class;
            }
            b
        };
        let buffer = reused.unwrap_or_else(|| {
            self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("hir pooled"),
                size: class,
                usage: POOL_USAGE,
                mapped_at_creation: false,
            })
        });
        PooledBuffer {
            buffer: Some(buffer),
            pool: Arc::clone(&self.free),
        }
    }

    /// Drops every idle buffer (memory in use is not affected). Dropping, not destroying:
    /// wgpu frees a buffer only once no recorded or running command uses it.
    pub fn release_idle(&self) {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        free.lists.clear();
        free.free_bytes = 0;
    }

    /// Bytes held idle in the free lists.
    pub fn idle_bytes(&self) -> u64 {
        self.free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .free_bytes
    }
}

/// A buffer on loan from the pool; returns to it when dropped.
pub(crate) struct PooledBuffer {
    buffer: Option<wgpu::Buffer>,
    pool: Arc<Mutex<FreeLists>>,
}

impl PooledBuffer {
    /// The wgpu buffer (its size is the size class, not the requested size).
    pub fn buffer(&self) -> &wgpu::Buffer {
        // Only `drop` takes the buffer out.
        self.buffer
            .as_ref()
            .expect("pooled buffer present until drop")
    }
}

impl Drop for PooledBuffer {
    fn drop(&mut self) {
        let Some(buffer) = self.buffer.take() else {
            return;
        };
        let class = buffer.size();
        let mut free = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        if free.free_bytes + class <= MAX_FREE_BYTES {
            free.free_bytes += class;
            free.lists.entry(class).or_default().push(buffer);
        }
        // Otherwise the buffer is dropped here: wgpu frees it once the GPU no longer uses it.
    }
}

#[cfg(test)]
mod tests {
    use super::size_class;

    #[test]
    fn size_classes_waste_at_most_a_quarter() {
        assert_eq!(size_class(0), 256);
        assert_eq!(size_class(256), 256);
        assert_eq!(size_class(257), 320);
        assert_eq!(size_class(1024), 1024);
        assert_eq!(size_class(1025), 1280);
        for bytes in (1..100_000u64).step_by(37) {
            let c = size_class(bytes);
            assert!(c >= bytes && c >= 256);
            assert!(bytes <= 256 || (c - bytes) * 4 <= bytes, "{bytes} -> {c}");
            assert_eq!(size_class(c), c, "a class is its own class");
        }
    }
}
