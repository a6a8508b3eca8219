//! The shared device state: device and queue, buffer pool, pipeline cache, the command
//! encoder currently being recorded, and the slot where asynchronous wgpu errors land.
//!
//! Ops never submit work themselves: they record copies, clears and compute passes into the
//! pending encoder ([`Gpu::record`]). The encoder is submitted ([`Gpu::flush`]) only when
//! the host needs data (a readback), or every [`MAX_PENDING`] commands so that the GPU can
//! start on long phases, e.g. a whole forward pass, while the CPU keeps recording. One
//! encoder therefore spans a whole phase of a step, and readbacks are the only
//! synchronisation points.

use std::sync::{Arc, Mutex, PoisonError};

use hir_core::backend::{BackendError, Result};

use crate::device::AdapterSummary;
use crate::pipeline::PipelineCache;
use crate::pool::BufferPool;
use crate::rope_tables::RopeTables;

/// Commands recorded before the pending encoder is submitted without waiting for a readback.
pub(crate) const MAX_PENDING: usize = 512;

/// Bytes reserved per dispatch in the parameter arena (at least the device's uniform offset
/// alignment, and enough for 64 scalar parameters).
const MIN_PARAM_STRIDE: u64 = 256;

/// The pending command encoder, how many commands it holds, and the uniform parameter arena
/// of its dispatches.
///
/// Each dispatch's parameter block gets a slot of one `UNIFORM | COPY_DST` buffer per batch
/// (instead of a buffer per dispatch); the host copy in `params` is written into it with
/// `Queue::write_buffer` just before the batch is submitted, which wgpu orders before the
/// batch's commands.
struct Pending {
    encoder: Option<wgpu::CommandEncoder>,
    commands: usize,
    arena: Option<wgpu::Buffer>,
    params: Vec<u8>,
}

/// Device-wide state shared by every tensor and op of one backend.
pub(crate) struct Gpu {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub summary: AdapterSummary,
    pub pool: BufferPool,
    pub pipelines: PipelineCache,
    /// Cached RoPE cos/sin tables.
    pub rope_tables: RopeTables,
    pending: Mutex<Pending>,
    /// Bytes per parameter slot of the arena (a multiple of the uniform offset alignment).
    param_stride: u64,
    /// The adapter's largest storage-buffer binding, in bytes.
    pub max_binding: u64,
    /// The first validation / out-of-memory error wgpu reported since the last check.
    errors: Arc<Mutex<Option<String>>>,
}

impl Gpu {
    pub fn new(device: wgpu::Device, queue: wgpu::Queue, summary: AdapterSummary) -> Self {
        let errors: Arc<Mutex<Option<String>>> = Arc::default();
        let slot = Arc::clone(&errors);
        // wgpu's default handler panics; keep the first error and report it from the op that
        // next checks (every dispatch and readback does).
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            let mut s = slot.lock().unwrap_or_else(PoisonError::into_inner);
            if s.is_none() {
                *s = Some(e.to_string());
            }
        }));
        let align = u64::from(device.limits().min_uniform_buffer_offset_alignment);
        Self {
            param_stride: MIN_PARAM_STRIDE.div_ceil(align) * align,
            max_binding: device.limits().max_storage_buffer_binding_size,
            pool: BufferPool::new(device.clone()),
            device,
            queue,
            summary,
            pipelines: PipelineCache::default(),
            rope_tables: Default::default(),
            pending: Mutex::new(Pending {
                encoder: None,
                commands: 0,
                arena: None,
                params: Vec::new(),
            }),
            errors,
        }
    }

    /// Returns (and clears) the error wgpu reported since the last check, as a
    /// [`BackendError::Device`] naming `op`.
    pub fn check(&self, op: &str) -> Result<()> {
        let e = self
            .errors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match e {
            None => Ok(()),
            Some(msg) => Err(BackendError::Device(format!(
                "wgpu error (at `{op}`): {msg}"
            ))),
        }
    }

    /// Records commands into the pending encoder (created on demand), submitting it once it
    /// holds [`MAX_PENDING`] commands.
    pub fn record<R>(&self, f: impl FnOnce(&mut wgpu::CommandEncoder) -> R) -> R {
        let mut p = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let enc = p.encoder.get_or_insert_with(|| {
            self.device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("hir") })
        });
        let r = f(enc);
        p.commands += 1;
        if p.commands >= MAX_PENDING {
            self.submit_locked(&mut p);
        }
        r
    }

    /// Records a command that reads a uniform parameter block: `params` is placed in this
    /// batch's arena and `f` gets the encoder and the binding of the block (`params.len()`
    /// bytes, at most [`MIN_PARAM_STRIDE`]). Submits once the batch holds [`MAX_PENDING`]
    /// commands.
    pub fn record_with_params<R>(
        &self,
        params: &[u8],
        f: impl FnOnce(&mut wgpu::CommandEncoder, wgpu::BufferBinding<'_>) -> R,
    ) -> R {
        let stride = self.param_stride;
        debug_assert!(params.len() as u64 <= stride);
        let mut guard = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let p = &mut *guard;
        let offset = p.params.len() as u64;
        p.params.resize((offset + stride) as usize, 0);
        p.params[offset as usize..offset as usize + params.len()].copy_from_slice(params);
        let arena = p.arena.get_or_insert_with(|| {
            self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("hir params"),
                size: stride * MAX_PENDING as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        });
        let enc = p.encoder.get_or_insert_with(|| {
            self.device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("hir") })
        });
        let r = f(
            enc,
            wgpu::BufferBinding {
                buffer: arena,
                offset,
                size: wgpu::BufferSize::new(params.len() as u64),
            },
        );
        p.commands += 1;
        if p.commands >= MAX_PENDING {
            self.submit_locked(p);
        }
        r
    }

    fn submit_locked(&self, p: &mut Pending) {
        p.commands = 0;
        if let Some(arena) = p.arena.take() {
            if !p.params.is_empty() {
                self.queue.write_buffer(&arena, 0, &p.params);
            }
        }
        p.params.clear();
        if let Some(enc) = p.encoder.take() {
            self.queue.submit([enc.finish()]);
        }
    }

    /// Submits the pending encoder, if any (does not wait for the GPU).
    pub fn flush(&self) {
        let mut p = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        self.submit_locked(&mut p);
    }

    /// Copies the first `bytes` bytes of `src` to the host: records the copy into a staging
    /// buffer, submits everything pending, and waits for the GPU. `bytes` must be a multiple
    /// of 4 and `> 0`.
    pub fn read_bytes(&self, src: &wgpu::Buffer, bytes: u64, op: &str) -> Result<Vec<u8>> {
        self.read_many(&[(src, 0, bytes)], op)
    }

    /// Copies several buffer prefixes to the host in one round trip: `(src, at, bytes)` puts
    /// the first `bytes` bytes of `src` at offset `at` of one staging buffer (all recorded in
    /// the pending encoder), then submits and waits once; returns the staging buffer's bytes
    /// (its size is the largest `at + bytes`). Offsets and sizes must be multiples of 4, and
    /// the total `> 0`.
    pub fn read_many(&self, srcs: &[(&wgpu::Buffer, u64, u64)], op: &str) -> Result<Vec<u8>> {
        let size = srcs.iter().map(|&(_, at, n)| at + n).max().unwrap_or(0);
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("hir readback"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        self.record(|enc| {
            for &(src, at, bytes) in srcs {
                enc.copy_buffer_to_buffer(src, 0, &staging, at, bytes);
            }
        });
        self.flush();
        let (tx, rx) = std::sync::mpsc::channel();
        staging.map_async(wgpu::MapMode::Read, .., move |r| {
            // The receiver lives until after the poll below.
            let _ = tx.send(r);
        });
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| {
                BackendError::Device(format!("`{op}`: waiting for the GPU failed: {e}"))
            })?;
        self.check(op)?;
        match rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                return Err(BackendError::Device(format!(
                    "`{op}`: mapping the readback buffer failed: {e}"
                )))
            }
            Err(_) => {
                return Err(BackendError::Device(format!(
                    "`{op}`: the readback buffer was never mapped"
                )))
            }
        }
        let data = staging
            .get_mapped_range(..)
            .map_err(|e| BackendError::Device(format!("`{op}`: reading the mapped buffer: {e}")))?
            .to_vec();
        staging.unmap();
        Ok(data)
    }

    /// Waits until the GPU has finished every submitted command (after submitting the pending
    /// encoder), and reports any error wgpu raised meanwhile.
    pub fn synchronize(&self) -> Result<()> {
        self.flush();
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| BackendError::Device(format!("waiting for the GPU failed: {e}")))?;
        self.check("synchronize")
    }
}
