//! Memory ops: upload, download, zeros, copy, fill_zero. They are encoder commands (buffer
//! copies and clears), not kernels, so they stay in order with the compute passes around
//! them.

use std::sync::Arc;

use hir_core::backend::Result;
use wgpu::util::DeviceExt;

use crate::gpu::Gpu;
use crate::tensor::{WgpuIndex, WgpuTensor};

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
        host: Arc::from(data),
    })
}

/// See `Backend::zeros`.
pub(crate) fn zeros(gpu: &Gpu, len: usize) -> Result<WgpuTensor> {
    let mut t = gpu.alloc(len);
    fill_zero(gpu, &mut t)?;
    Ok(t)
}

/// See `Backend::download`.
pub(crate) fn download(gpu: &Gpu, t: &WgpuTensor) -> Result<Vec<f32>> {
    if t.len == 0 {
        return Ok(Vec::new());
    }
    let bytes = gpu.read_bytes(t.buffer(), bytes_of(t.len), "download")?;
    Ok(bytemuck::pod_collect_to_vec(&bytes))
}

/// See `Backend::download_index`: the host mirror, no GPU round trip.
pub(crate) fn download_index(t: &WgpuIndex) -> Vec<u32> {
    t.host.to_vec()
}

/// See `Backend::copy`.
pub(crate) fn copy(gpu: &Gpu, src: &WgpuTensor) -> Result<WgpuTensor> {
    let t = gpu.alloc(src.len);
    if src.len > 0 {
        gpu.record(|enc| {
            enc.copy_buffer_to_buffer(src.buffer(), 0, t.buffer(), 0, bytes_of(src.len))
        });
    }
    gpu.check("copy")?;
    Ok(t)
}

/// See `Backend::fill_zero`.
pub(crate) fn fill_zero(gpu: &Gpu, t: &mut WgpuTensor) -> Result<()> {
    if t.len > 0 {
        gpu.record(|enc| enc.clear_buffer(t.buffer(), 0, Some(bytes_of(t.len))));
    }
    gpu.check("fill_zero")
}
