//! The dispatch helper: how an op runs one compute kernel.
//!
//! ```ignore
//! // y += alpha * x, 256 threads per workgroup over n elements:
//! gpu.dispatch(
//!     Kernel::new(hir_kernels::ELEMENTWISE, "axpy"),
//!     &[Binding::read(x), Binding::write(y)],
//!     &Params::new().u32(n as u32).u32(0).f32(alpha),
//!     grid_1d(n, 256),
//! )?;
//! ```
//!
//! - [`Kernel`]: shader (from `hir_kernels`), entry point, and optional pipeline-overridable
//!   constants (`override` declarations in WGSL, e.g. a tile size), which select a separately
//!   compiled pipeline.
//! - [`Binding`]s: storage buffers bound at `@binding(1)`, `@binding(2)`, … in the order
//!   given; `read` ↔ `var<storage, read>`, `write` ↔ `var<storage, read_write>` (the access
//!   must match the WGSL declaration). Each binding covers exactly the tensor's elements, so
//!   `arrayLength(&buf)` is the tensor length (at least 1 for empty tensors).
//! - Stored weights (f16 tensors from `upload_weight`, see `tensor.rs`) are refused here, in
//!   one place for every op: a binding made from such a tensor fails the dispatch with
//!   `BackendError::StoredWeight` naming the op ([`op_of`] the entry point), unless the op
//!   opted in with [`Binding::stored_weight_ok`] (matmul's `b`, embedding's table), after
//!   choosing the kernel's f16 variant.
//! - [`Params`]: the uniform block at `@binding(0)`, 4-byte scalars in declaration order
//!   (padded to 16 bytes here, at most 64 scalars). Every dispatch binds one, even if the
//!   shader ignores it; it lives in a slot of a per-batch arena buffer (see `gpu.rs`).
//! - Workgroup counts `[x, y, z]`; [`grid_1d`] spreads `n` threads over `x ≤ 65535` and `y`
//!   (kernels flatten with `gid.x + gid.y · num_workgroups.x · wg`). A dispatch with a zero
//!   count is skipped.
//!
//! The dispatch is recorded into the pending encoder (`gpu.rs`), not submitted; any wgpu
//! validation error so far is returned as a `BackendError::Device`.

use hir_core::backend::shape::err;
use hir_core::backend::weight::stored_weight_error;
use hir_core::backend::{BackendError, Result, WeightFormat};
use hir_kernels::Shader;

use crate::gpu::Gpu;
use crate::pipeline::PipelineKey;
use crate::tensor::{WgpuIndex, WgpuTensor};

/// Largest workgroup count per grid dimension (WebGPU's minimum limit, which every adapter
/// has).
pub(crate) const MAX_GROUPS_PER_DIM: u32 = 65_535;

/// A compute entry point with its pipeline-overridable constants.
#[derive(Debug, Clone)]
pub(crate) struct Kernel {
    shader: Shader,
    entry: &'static str,
    overrides: Vec<(&'static str, u64)>,
}

impl Kernel {
    /// Entry point `entry` of `shader`.
    pub fn new(shader: Shader, entry: &'static str) -> Self {
        Self {
            shader,
            entry,
            overrides: Vec::new(),
        }
    }

    /// Sets the WGSL `override` constant `name` (a separate pipeline per distinct value).
    pub fn with(mut self, name: &'static str, value: f64) -> Self {
        self.overrides.push((name, value.to_bits()));
        self
    }
}

/// A storage buffer binding: a buffer, how many bytes of it the kernel sees, whether it
/// is written, and the storage format of a stored weight bound to it (refused by
/// [`Gpu::dispatch`] unless `stored_ok`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Binding<'a> {
    buffer: &'a wgpu::Buffer,
    bytes: u64,
    read_only: bool,
    stored: Option<WeightFormat>,
    stored_ok: bool,
}

impl<'a> Binding<'a> {
    /// A tensor the kernel only reads (`var<storage, read>`).
    pub fn read(t: &'a WgpuTensor) -> Self {
        Self::tensor(t, t.bytes(), true)
    }

    /// A tensor the kernel writes (`var<storage, read_write>`).
    pub fn write(t: &'a WgpuTensor) -> Self {
        Self::tensor(t, t.bytes(), false)
    }

    /// The first `bytes` bytes of tensor `t`'s buffer (e.g. its bytes rounded up to whole
    /// vec4s); a stored weight stays marked as one.
    pub fn tensor(t: &'a WgpuTensor, bytes: u64, read_only: bool) -> Self {
        Self {
            stored: t.weight_format(),
            ..Self::raw(t.buffer(), bytes, read_only)
        }
    }

    /// Lets a stored weight through (the op bound it to a kernel variant that reads its
    /// storage format).
    pub fn stored_weight_ok(mut self) -> Self {
        self.stored_ok = true;
        self
    }

    /// An index buffer the kernel reads (`var<storage, read> … array<u32>`).
    pub fn index(t: &'a WgpuIndex) -> Self {
        Self::raw(t.buffer(), t.len() as u64 * 4, true)
    }

    /// The first `bytes` bytes of any buffer (at least 4 are bound).
    pub fn raw(buffer: &'a wgpu::Buffer, bytes: u64, read_only: bool) -> Self {
        Self {
            buffer,
            bytes: bytes.max(4),
            read_only,
            stored: None,
            stored_ok: false,
        }
    }
}

/// The `Backend` op a kernel entry point belongs to, for error messages: the entry point's
/// own name unless it is one of several kernels of an op (or named differently from it).
pub(crate) fn op_of(entry: &'static str) -> &'static str {
    match entry {
        "matmul_tiled" | "matvec_rows" | "matvec_cols" | "matmul_rows" => "matmul",
        "attention_forward" => "attention",
        "attention_delta" | "attention_dq" | "attention_dkdv" | "attention_group_sum" => {
            "attention_backward"
        }
        "rmsnorm_backward_dx" | "rmsnorm_backward_dw" => "rmsnorm_backward",
        "cross_entropy_forward" => "cross_entropy",
        "sum_squares_partial" | "sum_squares_final" => "sum_squares",
        "sample_rows" => "sample",
        other => other,
    }
}

/// The uniform parameter block of a dispatch, built field by field in WGSL declaration
/// order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params {
    words: Vec<u32>,
}

impl Params {
    /// An empty block.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a `u32` field.
    pub fn u32(mut self, v: u32) -> Self {
        self.words.push(v);
        self
    }

    /// Appends an `f32` field.
    pub fn f32(mut self, v: f32) -> Self {
        self.words.push(v.to_bits());
        self
    }

    /// Appends an `i32` field.
    #[allow(dead_code)]
    pub fn i32(mut self, v: i32) -> Self {
        self.words.push(v as u32);
        self
    }

    /// The bytes, zero-padded to a multiple of 16.
    fn bytes(&self) -> Vec<u8> {
        let mut w = self.words.clone();
        w.resize(w.len().div_ceil(4).max(1) * 4, 0);
        bytemuck::cast_slice(&w).to_vec()
    }
}

/// `n` as a `u32` for a kernel parameter, or a shape error (naming `op` and `what`) when it
/// exceeds the 32-bit range of the kernels.
pub(crate) fn to_u32(op: &'static str, what: &str, n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| {
        err(
            op,
            format!("`{what}` = {n} exceeds the 32-bit range of the GPU kernels"),
        )
    })
}

/// Workgroup counts covering `n` threads with `wg` threads per workgroup: `[x, y, 1]` with
/// `x ≤ 65535` and `x·y ≥ ⌈n / wg⌉`.
pub(crate) fn grid_1d(n: usize, wg: u32) -> [u32; 3] {
    let groups = n.div_ceil(wg as usize) as u64;
    if groups <= MAX_GROUPS_PER_DIM as u64 {
        [groups as u32, 1, 1]
    } else {
        let y = groups.div_ceil(MAX_GROUPS_PER_DIM as u64);
        [MAX_GROUPS_PER_DIM, y as u32, 1]
    }
}

impl Gpu {
    /// Records one compute dispatch (see the module doc). Returns the first wgpu error
    /// raised so far, if any.
    pub fn dispatch(
        &self,
        kernel: Kernel,
        bindings: &[Binding<'_>],
        params: &Params,
        groups: [u32; 3],
    ) -> Result<()> {
        if let Some(format) = bindings
            .iter()
            .filter(|b| !b.stored_ok)
            .find_map(|b| b.stored)
        {
            return Err(stored_weight_error(op_of(kernel.entry), format));
        }
        if groups.contains(&0) {
            return Ok(());
        }
        if let Some(b) = bindings.iter().find(|b| b.bytes > self.max_binding) {
            return Err(BackendError::Device(format!(
                "`{}`: a tensor of {} bytes exceeds this adapter's largest storage binding ({} bytes)",
                kernel.entry, b.bytes, self.max_binding
            )));
        }
        let key = PipelineKey {
            shader: kernel.shader.name,
            entry: kernel.entry,
            overrides: kernel.overrides,
            read_only: bindings.iter().map(|b| b.read_only).collect(),
        };
        let cached = self.pipelines.get(&self.device, kernel.shader, key);
        let storage: Vec<wgpu::BindGroupEntry<'_>> = bindings
            .iter()
            .enumerate()
            .map(|(i, b)| wgpu::BindGroupEntry {
                binding: i as u32 + 1,
                resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: b.buffer,
                    offset: 0,
                    size: wgpu::BufferSize::new(b.bytes),
                }),
            })
            .collect();
        self.record_with_params(&params.bytes(), |enc, uniform| {
            let mut entries = Vec::with_capacity(storage.len() + 1);
            entries.push(wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::Buffer(uniform),
            });
            entries.extend(storage.iter().cloned());
            let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some(kernel.entry),
                layout: &cached.layout,
                entries: &entries,
            });
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some(kernel.entry),
                timestamp_writes: None,
            });
            pass.set_pipeline(&cached.pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(groups[0], groups[1], groups[2]);
        });
        self.check(kernel.entry)
    }
}
