//! The device-resident tensor types: [`WgpuTensor`] (`f32`, or a frozen weight stored as
//! f16) and [`WgpuIndex`] (`u32`).

use std::sync::Arc;

use hir_core::backend::shape::err;
use hir_core::backend::{Result, WeightFormat};

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

/// What the host knows of a [`WgpuIndex`]'s contents.
#[derive(Clone)]
pub(crate) enum IndexHost {
    /// Uploaded from the host (`upload_index`): the host copy, which no op changes.
    Mirror(Arc<[u32]>),
    /// Written on the device (`sample_to_index`): `len` ids, each `< bound`, not on the host.
    DeviceOnly { len: usize, bound: usize },
}

/// A device-resident `u32` buffer (token ids, positions, targets), with a host mirror when it
/// came from the host.
///
/// A buffer from `upload_index` keeps its host copy (no op writes index buffers): ops validate
/// ids against table sizes without a readback, and `download_index` needs no GPU round trip.
/// A buffer from `sample_to_index` is *device-only*: the host knows its length and a bound
/// on its ids (the vocabulary it was drawn from), which is all `embedding` needs; reading it
/// takes `download_index` / `download_indices` (a GPU round trip), and the ops that need the
/// ids on the host (`embedding_backward_acc`, `cross_entropy*`, `token_logprobs*`, `rope`,
/// `kv_cache_write`, `attention_cached`, `gather_rows`) refuse it with a shape error that says
/// so.
pub struct WgpuIndex {
    pub(crate) buf: PooledBuffer,
    pub(crate) host: IndexHost,
}

impl WgpuIndex {
    /// Number of `u32` elements.
    pub fn len(&self) -> usize {
        match &self.host {
            IndexHost::Mirror(h) => h.len(),
            IndexHost::DeviceOnly { len, .. } => *len,
        }
    }

    /// Whether the buffer has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The host copy of the contents (`None` for a device-only buffer from
    /// `sample_to_index`).
    pub fn host(&self) -> Option<&[u32]> {
        match &self.host {
            IndexHost::Mirror(h) => Some(h),
            IndexHost::DeviceOnly { .. } => None,
        }
    }

    /// The host copy for `op`, which needs one; a device-only buffer is a shape error naming
    /// `op`.
    pub(crate) fn host_for(&self, op: &'static str) -> Result<&[u32]> {
        self.mirror_for(op).map(|h| &h[..])
    }

    /// The shared host copy for `op` (see [`host_for`](Self::host_for)).
    pub(crate) fn mirror_for(&self, op: &'static str) -> Result<&Arc<[u32]>> {
        match &self.host {
            IndexHost::Mirror(h) => Ok(h),
            IndexHost::DeviceOnly { len, .. } => Err(err(
                op,
                format!(
                    "this index buffer ({len} ids drawn on the device by `sample_to_index`) has \
                     no host copy, and `{op}` needs its values on the host: read it back with \
                     `download_index` and pass an `upload_index` of the result"
                ),
            )),
        }
    }

    /// The underlying wgpu buffer (larger than the data when its size class is).
    pub fn buffer(&self) -> &wgpu::Buffer {
        self.buf.buffer()
    }
}

impl core::fmt::Debug for WgpuIndex {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.host {
            IndexHost::Mirror(h) => write!(f, "WgpuIndex(len {})", h.len()),
            IndexHost::DeviceOnly { len, bound } => {
                write!(f, "WgpuIndex(len {len}, device-only, ids < {bound})")
            }
        }
    }
}
