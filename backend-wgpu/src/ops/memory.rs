//! Memory ops: upload, download, zeros, copy, fill_zero. They are encoder commands (buffer
//! copies and clears), not kernels, so they stay in order with the compute passes around
//! them.
//!
//! A frozen weight uploaded in f16 on an adapter with `SHADER_F16` stays f16 (see
//! `upload_weight`): `download` converts it to f32 on the host, `copy` keeps it f16, and
//! `fill_zero` refuses it (a stored weight is frozen).

use std::sync::Arc;

use hir_core::backend::weight::{dequantize, stored_weight_error};
use hir_core::backend::{BackendError, QuantMatrix, Result, WeightFormat};
use wgpu::util::DeviceExt;

use crate::gpu::Gpu;
use crate::tensor::{Elem, IndexHost, WgpuIndex, WgpuTensor};

/// Bytes of `len` 4-byte elements.
fn bytes_of(len: usize) -> u64 {
    len as u64 * 4
}

impl Gpu {
    /// A tensor of `len` elements with undefined contents (a recycled buffer).
    pub(crate) fn alloc(&self, len: usize) -> WgpuTensor {
        WgpuTensor {
            buf: self.pool.get(bytes_of(len).max(4)),
            len,
            elem: Elem::F32,
        }
    }

    /// An f16 `[rows, cols]` stored weight with undefined contents; its buffer holds whole
    /// `vec4<f16>`s (8 bytes), as the matmul kernels bind it.
    fn alloc_f16(&self, rows: usize, cols: usize) -> WgpuTensor {
        let len = rows * cols;
        WgpuTensor {
            buf: self.pool.get((len as u64 * 2).div_ceil(8).max(1) * 8),
            len,
            elem: Elem::F16 { rows, cols },
        }
    }

    /// Records a copy of `data` into the start of `dst` through a mapped staging buffer
    /// (ordered with the other recorded commands, unlike `Queue::write_buffer`).
    fn write_words(&self, dst: &wgpu::Buffer, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        let staging = self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("hir upload"),
                contents: data,
                usage: wgpu::BufferUsages::COPY_SRC,
            });
        self.record(|enc| enc.copy_buffer_to_buffer(&staging, 0, dst, 0, data.len() as u64));
    }
}

/// See `Backend::upload`.
pub(crate) fn upload(gpu: &Gpu, data: &[f32]) -> Result<WgpuTensor> {
    let t = gpu.alloc(data.len());
    gpu.write_words(t.buffer(), bytemuck::cast_slice(data));
    gpu.check("upload")?;
    Ok(t)
}

/// See `Backend::upload_index`.
pub(crate) fn upload_index(gpu: &Gpu, data: &[u32]) -> Result<WgpuIndex> {
    let buf = gpu.pool.get(bytes_of(data.len()).max(4));
    gpu.write_words(buf.buffer(), bytemuck::cast_slice(data));
    gpu.check("upload_index")?;
    Ok(WgpuIndex {
        buf,
        host: IndexHost::Mirror(Arc::from(data)),
    })
}

/// See `Backend::zeros`.
pub(crate) fn zeros(gpu: &Gpu, len: usize) -> Result<WgpuTensor> {
    let mut t = gpu.alloc(len);
    fill_zero(gpu, &mut t)?;
    Ok(t)
}

/// See `Backend::upload_weight`: an f16 weight stays f16 when the device has `SHADER_F16`
/// (its values as they are, half the bytes of f32); every other format, or any format
/// without `SHADER_F16`, is dequantized to f32 (the trait's default).
pub(crate) fn upload_weight(gpu: &Gpu, w: QuantMatrix<'_>) -> Result<WgpuTensor> {
    if w.format() != WeightFormat::F16 || !gpu.summary.shader_f16 {
        return upload(gpu, &dequantize(&w));
    }
    let t = gpu.alloc_f16(w.rows(), w.cols());
    // Buffer copies move whole 4-byte words: pad an odd count of values.
    let mut bytes = w.bytes().to_vec();
    bytes.resize(bytes.len().div_ceil(4) * 4, 0);
    gpu.write_words(t.buffer(), &bytes);
    gpu.check("upload_weight")?;
    Ok(t)
}

/// See `Backend::download` (a stored f16 weight is converted to f32).
pub(crate) fn download(gpu: &Gpu, t: &WgpuTensor) -> Result<Vec<f32>> {
    if t.len == 0 {
        return Ok(Vec::new());
    }
    let bytes = gpu.read_bytes(t.buffer(), t.bytes().div_ceil(4) * 4, "download")?;
    match t.elem {
        Elem::F32 => Ok(bytemuck::pod_collect_to_vec(&bytes)),
        Elem::F16 { rows, cols } => {
            let w = QuantMatrix::new(WeightFormat::F16, rows, cols, &bytes[..rows * cols * 2])
                .map_err(|e| BackendError::Device(format!("`download`: {e}")))?;
            Ok(dequantize(&w))
        }
    }
}

/// See `Backend::download_index`: the host mirror without a GPU round trip, or a readback
/// for a device-only buffer (`sample_to_index`).
pub(crate) fn download_index(gpu: &Gpu, t: &WgpuIndex) -> Result<Vec<u32>> {
    Ok(download_indices(gpu, &[t])?.pop().unwrap_or_default())
}

/// See `Backend::download_indices`: host mirrors are copied on the host; every device-only
/// buffer is copied into one staging buffer (each at a 4-byte aligned offset) and read back
/// with one wait for the GPU.
pub(crate) fn download_indices(gpu: &Gpu, ts: &[&WgpuIndex]) -> Result<Vec<Vec<u32>>> {
    let mut device = Vec::new();
    let mut words = 0usize;
    for t in ts {
        if let IndexHost::DeviceOnly { len, .. } = t.host {
            if len > 0 {
                device.push((t.buffer(), words as u64 * 4, len as u64 * 4));
                words += len;
            }
        }
    }
    let read: Vec<u32> = if device.is_empty() {
        Vec::new()
    } else {
        bytemuck::pod_collect_to_vec(&gpu.read_many(&device, "download_indices")?)
    };
    let mut at = 0;
    Ok(ts
        .iter()
        .map(|t| match &t.host {
            IndexHost::Mirror(h) => h.to_vec(),
            IndexHost::DeviceOnly { len, .. } => {
                at += len;
                read[at - len..at].to_vec()
            }
        })
        .collect())
}

/// See `Backend::copy` (a stored f16 weight stays one).
pub(crate) fn copy(gpu: &Gpu, src: &WgpuTensor) -> Result<WgpuTensor> {
    let t = match src.elem {
        Elem::F32 => gpu.alloc(src.len),
        Elem::F16 { rows, cols } => gpu.alloc_f16(rows, cols),
    };
    if src.len > 0 {
        let bytes = src.bytes().div_ceil(4) * 4;
        gpu.record(|enc| enc.copy_buffer_to_buffer(src.buffer(), 0, t.buffer(), 0, bytes));
    }
    gpu.check("copy")?;
    Ok(t)
}

/// See `Backend::fill_zero`.
pub(crate) fn fill_zero(gpu: &Gpu, t: &mut WgpuTensor) -> Result<()> {
    if let Some(format) = t.weight_format() {
        return Err(stored_weight_error("fill_zero", format));
    }
    if t.len > 0 {
        gpu.record(|enc| enc.clear_buffer(t.buffer(), 0, Some(bytes_of(t.len))));
    }
    gpu.check("fill_zero")
}
