//! The device-resident tensor types: [`WgpuTensor`] (`f32`, or a frozen weight stored as
//! f16) and [`WgpuIndex`] (`u32`).

use std::sync::Arc;

use hir_core::backend::WeightFormat;

use crate::pool::PooledBuffer;

/// The element type of a [`WgpuTensor`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Elem {
    /// `f32` values (every tensor an op creates).
    F32,
    /// A frozen `[rows, cols]` weight uploaded with `upload_weight` in `WeightFormat::F16`
    /// and kept as f16 (2 bytes per value) on an adapter with `SHADER_F16`.
    F16 { rows: usize, cols: usize },
}

/// A device-resident tensor: a pooled storage buffer, its element count and element type
/// (`f32`, or f16 for a stored weight; see `Backend::upload_weight`).
///
/// The buffer may be larger than the tensor's bytes (size classes); kernels see exactly `len`
/// elements because bindings are sized to the tensor (`arrayLength` is `len`; at least 1).
pub struct WgpuTensor {
    pub(crate) buf: PooledBuffer,
    pub(crate) len: usize,
    pub(crate) elem: Elem,
}

impl WgpuTensor {
    /// Number of elements (of the dequantized view, for a stored weight).
    pub fn len(&self) -> usize {
        self.len
    }

    /// The storage format of a weight kept in one (`Some(WeightFormat::F16)`), `None` for an
    /// f32 tensor.
    pub fn weight_format(&self) -> Option<WeightFormat> {
        match self.elem {
            Elem::F32 => None,
            Elem::F16 { .. } => Some(WeightFormat::F16),
        }
    }

    /// Bytes of the tensor's elements (4 per f32, 2 per f16 value).
    pub(crate) fn bytes(&self) -> u64 {
        match self.elem {
            Elem::F32 => self.len as u64 * 4,
            Elem::F16 { .. } => self.len as u64 * 2,
        }
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
        match self.elem {
            Elem::F32 => write!(f, "WgpuTensor(len {})", self.len),
            Elem::F16 { rows, cols } => write!(f, "WgpuTensor(f16 [{rows}, {cols}])"),
        }
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
