//! The CPU tensor types and the memory ops (upload, download, zeros, copy).
//!
//! On the CPU "device memory" is the host heap: a tensor is a `Vec<f32>`, an index buffer a
//! `Vec<u32>`, and upload/download are plain copies.

/// A dense, row-major `f32` buffer: the CPU backend's [`hir_core::backend::Backend::Tensor`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CpuTensor(Vec<f32>);

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
    pub fn into_vec(self) -> Vec<f32> {
        self.0
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
    CpuTensor(vec![0.0; len])
}

/// Sets every element to zero.
pub(crate) fn fill_zero(t: &mut CpuTensor) {
    t.0.fill(0.0);
}
