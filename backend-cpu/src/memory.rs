//! The CPU tensor types and the memory ops (upload, download, zeros, copy).
//!
//! On the CPU "device memory" is the host heap: a tensor is a `Vec<f32>`, an index buffer a
//! `Vec<u32>`, and upload/download are plain copies.
//!
//! Large tensor buffers are recycled through a small process-wide pool: a training step
//! allocates and frees the same activation and gradient shapes every time, and fresh large
//! allocations come straight from the OS as untouched pages, so every step would otherwise
//! pay a page fault (and a kernel-side clear) per 4 KiB written — measured at ~12% of a
//! step's CPU time. A dropped [`CpuTensor`] of at least [`MIN_POOLED`] elements goes back to
//! the pool (bounded by [`MAX_POOLED_BYTES`]); new buffers of a similar size are taken from
//! it and zeroed (or overwritten) in user space.

use std::sync::Mutex;

/// Buffers shorter than this (128 KiB) come from the allocator's heap and are not pooled.
pub(crate) const MIN_POOLED: usize = 32 * 1024;
/// The pool keeps at most this many bytes of free buffers (older ones are released first).
pub(crate) const MAX_POOLED_BYTES: usize = 512 << 20;

/// Free buffers, oldest first, and their total capacity in elements.
struct Pool {
    bufs: Vec<Vec<f32>>,
    floats: usize,
}

static POOL: Mutex<Pool> = Mutex::new(Pool {
    bufs: Vec::new(),
    floats: 0,
});

/// The pool, even if a thread panicked while holding it (its state is always consistent:
/// every update is a single push or remove).
fn pool() -> std::sync::MutexGuard<'static, Pool> {
    POOL.lock().unwrap_or_else(|e| e.into_inner())
}

/// A pooled buffer with capacity in `[len, len + len/4]` (the smallest such), emptied.
fn take(len: usize) -> Option<Vec<f32>> {
    if len < MIN_POOLED {
        return None;
    }
    let mut p = pool();
    let best = p
        .bufs
        .iter()
        .enumerate()
        .filter(|(_, b)| b.capacity() >= len && b.capacity() - len <= len / 4)
        .min_by_key(|(_, b)| b.capacity())
        .map(|(i, _)| i)?;
    let mut v = p.bufs.remove(best);
    p.floats -= v.capacity();
    drop(p);
    v.clear();
    Some(v)
}

/// Gives a buffer back to the pool (or to the allocator when it is small).
fn recycle(v: Vec<f32>) {
    let cap = v.capacity();
    if cap < MIN_POOLED || cap * 4 > MAX_POOLED_BYTES {
        return;
    }
    let mut evicted = Vec::new();
    {
        let mut p = pool();
        while (p.floats + cap) * 4 > MAX_POOLED_BYTES {
            let old = p.bufs.remove(0);
            p.floats -= old.capacity();
            evicted.push(old);
        }
        p.floats += cap;
        p.bufs.push(v);
    }
    drop(evicted);
}

/// A vector of `len` zeros, reusing a pooled buffer when one fits.
pub(crate) fn zeroed(len: usize) -> Vec<f32> {
    match take(len) {
        Some(mut v) => {
            v.resize(len, 0.0);
            v
        }
        None => vec![0.0; len],
    }
}

/// A copy of `data`, reusing a pooled buffer when one fits.
pub(crate) fn copied(data: &[f32]) -> Vec<f32> {
    match take(data.len()) {
        Some(mut v) => {
            v.extend_from_slice(data);
            v
        }
        None => data.to_vec(),
    }
}

/// Releases every pooled buffer to the allocator (e.g. after training, before a phase that
/// needs the memory for something else). Buffers in use are not affected.
pub fn release_pooled_memory() {
    let bufs = {
        let mut p = pool();
        p.floats = 0;
        std::mem::take(&mut p.bufs)
    };
    drop(bufs);
}

/// A dense, row-major `f32` buffer: the CPU backend's [`hir_core::backend::Backend::Tensor`].
///
/// Large buffers return to the backend's buffer pool when dropped (see the module docs).
#[derive(Debug, Default, PartialEq)]
pub struct CpuTensor(Vec<f32>);

impl Clone for CpuTensor {
    fn clone(&self) -> Self {
        Self(copied(&self.0))
    }
}

impl Drop for CpuTensor {
    fn drop(&mut self) {
        recycle(std::mem::take(&mut self.0));
    }
}

impl CpuTensor {
    /// Wraps a vector without copying.
    pub fn from_vec(data: Vec<f32>) -> Self {
        Self(data)
    }
    /// The elements, read-only.
    pub fn as_slice(&self) -> &[f32] {
        &self.0
    }
    /// The elements, writable.
    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        &mut self.0
    }
    /// Unwraps the vector without copying.
    pub fn into_vec(mut self) -> Vec<f32> {
        std::mem::take(&mut self.0)
    }
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<f32>> for CpuTensor {
    fn from(data: Vec<f32>) -> Self {
        Self(data)
    }
}

/// A dense `u32` buffer (token ids, positions, targets): the CPU backend's
/// [`hir_core::backend::Backend::Index`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CpuIndex(Vec<u32>);

impl CpuIndex {
    /// Wraps a vector without copying.
    pub fn from_vec(data: Vec<u32>) -> Self {
        Self(data)
    }
    /// The elements, read-only.
    pub fn as_slice(&self) -> &[u32] {
        &self.0
    }
    /// Unwraps the vector without copying.
    pub fn into_vec(self) -> Vec<u32> {
        self.0
    }
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether the buffer has no elements.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<u32>> for CpuIndex {
    fn from(data: Vec<u32>) -> Self {
        Self(data)
    }
}

/// A new tensor of `len` zeros.
pub(crate) fn zeros(len: usize) -> CpuTensor {
    CpuTensor(zeroed(len))
}

/// Sets every element to zero.
pub(crate) fn fill_zero(t: &mut CpuTensor) {
    t.0.fill(0.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recycled_buffers_come_back_zeroed_or_overwritten() {
        let len = MIN_POOLED + 3;
        for _ in 0..3 {
            drop(CpuTensor::from_vec(vec![7.0; len]));
            assert!(zeros(len).as_slice().iter().all(|&x| x == 0.0));
            drop(CpuTensor::from_vec(vec![7.0; len]));
            let data: Vec<f32> = (0..len).map(|i| i as f32).collect();
            assert_eq!(copied(&data), data);
            let t = CpuTensor::from_vec(data.clone());
            assert_eq!(t.clone().into_vec(), data);
        }
        release_pooled_memory();
        assert!(zeros(len).as_slice().iter().all(|&x| x == 0.0));
    }

    #[test]
    fn the_pool_stays_within_its_byte_budget() {
        let len = MAX_POOLED_BYTES / 4 / 3 + 1;
        for _ in 0..5 {
            drop(CpuTensor::from_vec(vec![1.0; len]));
        }
        let p = pool();
        assert!(p.floats * 4 <= MAX_POOLED_BYTES);
        assert_eq!(p.floats, p.bufs.iter().map(Vec::capacity).sum::<usize>());
    }
}
