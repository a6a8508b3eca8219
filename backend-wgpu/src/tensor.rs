//! The device-resident tensor types: [`WgpuTensor`] (`f32`) and [`WgpuIndex`] (`u32`).

use std::sync::Arc;

use crate::pool::PooledBuffer;

/// A device-resident `f32` tensor: a pooled storage buffer and its element count.
///
/// The buffer may be larger than `4·len` bytes (size classes); kernels see exactly `len`
/// elements because bindings are sized to the tensor (`arrayLength` is `len`; at least 1).
pub struct WgpuTensor {
    pub(crate) buf: PooledBuffer,
    pub(crate) len: usize,
}

impl WgpuTensor {
    /// Number of `f32` elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The underlying wgpu buffer (larger than the tensor when its size class is).
    pub fn buffer(&self) -> &wgpu::Buffer {
        self.buf.buffer()
    }
}

impl core::fmt::Debug for WgpuTensor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "WgpuTensor(len {})", self.len)
    }
}

/// A device-resident `u32` buffer (token ids, positions, targets) with a host mirror.
///
/// Index buffers only ever come from the host (`upload_index`) and no op writes them, so the
/// backend keeps the host copy: ops validate ids against table sizes without a readback, and
/// `download_index` needs no GPU round trip.
pub struct WgpuIndex {
    pub(crate) buf: PooledBuffer,
    pub(crate) host: Arc<[u32]>,
}

impl WgpuIndex {
    /// Number of `u32` elements.
    pub fn len(&self) -> usize {
        self.host.len()
    }

    /// Whether the buffer has no elements.
    pub fn is_empty(&self) -> bool {
        self.host.is_empty()
    }

    /// The host copy of the contents.
    pub fn host(&self) -> &[u32] {
        &self.host
    }

    /// The underlying wgpu buffer (larger than the data when its size class is).
    pub fn buffer(&self) -> &wgpu::Buffer {
        self.buf.buffer()
    }
}

impl core::fmt::Debug for WgpuIndex {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "WgpuIndex(len {})", self.host.len())
    }
}
