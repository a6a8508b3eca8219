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
//!
//! A frozen weight uploaded with `upload_weight` is kept as its bytes (GGUF blocks, f16/bf16
//! rows) behind an `Arc`, outside the pool: it lives as long as the model.

use std::sync::{Arc, Mutex};

use hir_core::backend::{QuantMatrix, WeightFormat};

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
pub(crate) fn recycle(v: Vec<f32>) {
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

/// A frozen weight matrix kept in its storage format (see [`hir_core::backend::weight`]): the
/// bytes are shared, so cloning a stored tensor is cheap.
#[derive(Debug, Clone, PartialEq)]
struct Stored {
    format: WeightFormat,
    rows: usize,
    cols: usize,
    bytes: Arc<[u8]>,
}

impl Stored {
    /// The bytes as a validated matrix.
    fn matrix(&self) -> QuantMatrix<'_> {
        // Validated when the tensor was made (`CpuTensor::stored`), and never changed since.
        QuantMatrix::new(self.format, self.rows, self.cols, &self.bytes)
            .expect("a stored tensor holds a valid matrix")
    }
}

/// The CPU backend's [`hir_core::backend::Backend::Tensor`]: a dense, row-major `f32` buffer,
/// or a frozen weight matrix stored as GGUF blocks / f16 / bf16 rows (made by
/// `upload_weight`; only `matmul`'s `b`, `embedding`'s table, `download`, `len` and `copy`
/// accept it).
///
/// Large f32 buffers return to the backend's buffer pool when dropped (see the module docs).
#[derive(Debug, Default, PartialEq)]
pub struct CpuTensor {
    /// The f32 elements (empty for a stored weight).
    data: Vec<f32>,
    /// The stored weight, if this is one.
    stored: Option<Stored>,
}

impl Clone for CpuTensor {
    fn clone(&self) -> Self {
        match &self.stored {
            Some(s) => Self {
                data: Vec::new(),
                stored: Some(s.clone()),
            },
            None => Self::from_vec(copied(&self.data)),
        }
    }
}

impl Drop for CpuTensor {
    fn drop(&mut self) {
        recycle(std::mem::take(&mut self.data));
    }
}

impl CpuTensor {
    /// Wraps a vector without copying.
    pub fn from_vec(data: Vec<f32>) -> Self {
        Self { data, stored: None }
    }
    /// A stored weight holding a copy of `w`'s bytes.
    pub fn stored(w: &QuantMatrix<'_>) -> Self {
        Self {
            data: Vec::new(),
            stored: Some(Stored {
                format: w.format(),
                rows: w.rows(),
                cols: w.cols(),
                bytes: Arc::from(w.bytes()),
            }),
        }
    }
    /// The storage format of a stored weight, `None` for an f32 tensor.
    pub fn weight_format(&self) -> Option<WeightFormat> {
        self.stored.as_ref().map(|s| s.format)
    }
    /// The stored weight's matrix, `None` for an f32 tensor.
    pub fn weight_matrix(&self) -> Option<QuantMatrix<'_>> {
        self.stored.as_ref().map(Stored::matrix)
    }
    /// The f32 elements, read-only (empty for a stored weight: see
    /// [`CpuTensor::weight_format`]).
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }
    /// The f32 elements, writable (empty for a stored weight).
    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        &mut self.data
    }
    /// Unwraps the f32 vector without copying (a stored weight is dequantized).
    pub fn into_vec(mut self) -> Vec<f32> {
        match &self.stored {
            Some(s) => hir_core::backend::weight::dequantize(&s.matrix()),
            None => std::mem::take(&mut self.data),
        }
    }
    /// Number of elements (`rows · cols` for a stored weight).
    pub fn len(&self) -> usize {
        match &self.stored {
            Some(s) => s.rows * s.cols,
            None => self.data.len(),
        }
    }
    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<Vec<f32>> for CpuTensor {
    fn from(data: Vec<f32>) -> Self {
        Self::from_vec(data)
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
    CpuTensor::from_vec(zeroed(len))
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
