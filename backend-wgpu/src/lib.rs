//! # hir-backend-wgpu
//!
//! [`hir_core::backend::Backend`] on wgpu 30: every op is a hand-written WGSL compute kernel
//! (the sources live in the `hir-kernels` crate, one file per op family). Each op checks its
//! arguments with its contract in `hir_core::backend::<family>` and keeps only the dispatch;
//! the shared suite of `hir-backend-tests` (`tests/wgpu.rs`) checks every op against an f64
//! reference and finite differences, as it does the CPU backend.
//!
//! An op family `F` has four files: its contract (argument types, shapes, the argument
//! `check`) in `hir_core::backend::F`, the CPU reference in `hir-backend-cpu/src/F.rs`, the
//! kernels in `kernels/src/wgsl/F.wgsl`, and the host code here in `src/ops/F.rs`, which
//! runs the contract's check, adds the kernels' own limits and records the dispatches. The
//! `Backend` impl below only forwards to `ops`.
//!
//! ## Design
//!
//! - **Device** (`device.rs`): the instance honours `WGPU_BACKEND` and the other `WGPU_*`
//!   variables; `WGPU_ADAPTER_NAME` picks an adapter by name, otherwise the default
//!   high-performance adapter is used. The device is opened with the adapter's own limits and,
//!   when available, `SHADER_F16` and `SUBGROUP`. When no adapter fits, [`WgpuError`] lists
//!   every adapter seen.
//! - **Stored weights** (`upload_weight`, contract in `hir_core::backend::weight`): a weight
//!   in `WeightFormat::F16` stays f16 on the GPU when the device has `SHADER_F16` (half the
//!   memory and bandwidth of f32; its values are exact in f32). `matmul` (as `b`, A not
//!   transposed) and `embedding` (as the table) run f16 variants of their kernels, derived
//!   from the same WGSL (`hir_kernels::F16_VARIANTS`), that convert on load and accumulate in
//!   f32; `download` converts to f32 and `copy` keeps f16; every other op refuses such a
//!   tensor with `BackendError::StoredWeight`, checked once for all ops where bindings are
//!   made (`dispatch.rs`). Other formats (GGUF blocks, bf16), or any format without
//!   `SHADER_F16`, are dequantized to f32 at upload.
//! - **Subgroups** (`variants.rs`): on a device with `SUBGROUP`, the few-row matmul and the
//!   RMSNorm row reductions run their subgroup variants (`hir_kernels::SUBGROUP_VARIANTS`, derived from the same WGSL and
//!   composed with the f16 one), correct for any subgroup size; `with_subgroups(false)` (or
//!   `HIR_WGPU_SUBGROUPS=0`) runs the plain kernels on the same device, and
//!   `subgroups_in_use` / the backend's name say which path runs.
//! - **Buffers** (`pool.rs`, `tensor.rs`): a [`WgpuTensor`] is a storage buffer borrowed from
//!   a pool that recycles buffers by size class (4 classes per power of two); dropping a
//!   tensor returns its buffer. A [`WgpuIndex`] from `upload_index` also keeps a host copy
//!   of its `u32`s, so ids are validated without a readback; one from `sample_to_index` is
//!   device-only (its length and an upper bound on its ids are known), which `embedding`
//!   accepts and the ops that need host ids refuse.
//! - **Pipelines** (`pipeline.rs`): compiled once per (shader, entry point, override
//!   constants, binding layout) and cached; bind-group layouts are explicit (binding 0 a
//!   uniform parameter block, then the storage buffers).
//! - **Encoders** (`gpu.rs`): ops record into one pending command encoder (uploads go
//!   through mapped staging buffers and buffer copies, so they stay in order with the
//!   kernels). It is submitted at a readback, or every 512 commands, so one encoder spans a
//!   whole phase of a step (e.g. forward, or backward) and the CPU never waits for the GPU in
//!   between.
//! - **Readback points**: only `download` (and the ops whose result is a host value:
//!   `sum_squares`, `sample`) wait for the GPU, copying through a `MAP_READ` staging buffer.
//!   `download_index` answers from the host copy, or reads a device-only buffer back;
//!   `download_indices` reads all its device-only buffers through one staging buffer, one
//!   wait.
//! - **Dispatch** (`dispatch.rs`): `Gpu::dispatch(Kernel, &[Binding], &Params, groups)` binds
//!   the buffers, puts the uniform parameter block in a slot of the batch's parameter arena
//!   (one uniform buffer per submitted batch, filled with `write_buffer` just before the
//!   submit) and records one compute pass. Errors wgpu raises
//!   asynchronously (validation, out of memory) are caught and returned by the next op as
//!   [`BackendError::Device`].
//!
//! ```no_run
//! use hir_backend_wgpu::WgpuBackend;
//! use hir_core::backend::Backend;
//!
//! let gpu = WgpuBackend::new()?;
//! println!("running on {}", gpu.adapter_info());
//! let mut x = gpu.upload(&[1.0, 2.0, 3.0])?;
//! gpu.scale(&mut x, 2.0)?;
//! assert_eq!(gpu.download(&x)?, vec![2.0, 4.0, 6.0]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod device;
mod dispatch;
mod error;
mod f16;
mod gpu;
mod ops;
mod pipeline;
mod pool;
mod rope_tables;
mod tensor;
mod variants;

use std::sync::Arc;

use hir_core::backend::{
    AdamWParams, AttentionSaved, AttentionShape, Backend, BackendError, CachedAttention,
    KvCacheShape, Matmul, PolicyLossParams, PolicyLossSums, QuantMatrix, Result, SampleParams,
};

pub use device::AdapterSummary;
pub use error::WgpuError;
pub use pool::{size_class, MAX_FREE_BYTES};
pub use tensor::{WgpuIndex, WgpuTensor};

use gpu::Gpu;
use ops::{
    attention, cross_entropy, elementwise, embedding, kv_cache, matmul, memory, optim, policy_loss,
    rmsnorm, rope, sample, swiglu,
};
// The fused gate/up/SwiGLU op (issue 16).
use hir_core::backend::GateUp;
use ops::gate_up_swiglu::{self, GateUpOut};

/// The wgpu backend. Cloning shares the device, pools and caches.
#[derive(Clone)]
pub struct WgpuBackend {
    gpu: Arc<Gpu>,
    /// A tile config forced on the tiled matmul kernel (tests; `None`: the table decides).
    matmul_tiles: Option<ops::matmul_tiles::TileConfig>,
    /// Whether kernels with a subgroup variant run it (only when the device has
    /// `Features::SUBGROUP`; see `with_subgroups`).
    subgroups: bool,
}

impl core::fmt::Debug for WgpuBackend {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "WgpuBackend({})", self.gpu.summary)
    }
}

impl WgpuBackend {
    /// Opens the adapter chosen as described in the crate doc. Subgroup operations are used
    /// when the device has them, unless the environment sets `HIR_WGPU_SUBGROUPS=0` (or
    /// `off`; for comparing both paths on one adapter, as `benches/gpu_check.sh` does).
    pub fn new() -> core::result::Result<Self, WgpuError> {
        let opened = device::open()?;
        let off = std::env::var("HIR_WGPU_SUBGROUPS").is_ok_and(|v| v == "0" || v == "off");
        let subgroups = opened.summary.subgroups && !off;
        Ok(Self {
            gpu: Arc::new(Gpu::new(opened.device, opened.queue, opened.summary)),
            matmul_tiles: None,
            subgroups,
        })
    }

    /// A backend on the same device that uses subgroup operations (`on`, and the device has
    /// `Features::SUBGROUP`) or not: the kernels with a subgroup variant (the few-row
    /// matmul and RMSNorm, `hir_kernels::SUBGROUP_VARIANTS`) run it, or their plain source. Tests run
    /// both paths on one adapter with it.
    pub fn with_subgroups(&self, on: bool) -> Self {
        Self {
            subgroups: on && self.gpu.summary.subgroups,
            ..self.clone()
        }
    }

    /// Whether this backend runs the subgroup variants of its kernels (see `with_subgroups`).
    pub fn subgroups_in_use(&self) -> bool {
        self.subgroups
    }

    /// The adapter this backend runs on: name, graphics API, device type, driver, features.
    pub fn adapter_info(&self) -> &AdapterSummary {
        &self.gpu.summary
    }

    /// Submits the recorded commands and waits for the GPU to finish them (for timing);
    /// reports any error wgpu raised meanwhile.
    pub fn synchronize(&self) -> Result<()> {
        self.gpu.synchronize()
    }

    /// Releases the idle buffers the pool keeps for reuse (tensors in use are unaffected).
    pub fn release_pooled_memory(&self) {
        self.gpu.pool.release_idle();
    }

    /// Bytes of idle buffers the pool keeps for reuse.
    pub fn pooled_idle_bytes(&self) -> u64 {
        self.gpu.pool.idle_bytes()
    }

    /// Names of the tiled matmul kernel's tile configs (see `with_matmul_tiles`).
    #[doc(hidden)]
    pub fn matmul_tile_names() -> Vec<&'static str> {
        ops::matmul_tiles::ALL.iter().map(|c| c.name).collect()
    }

    /// For tests: a backend on the same device whose matmuls with `m ≥ 2` all run the tiled
    /// kernel with the tile config `name` (one of `matmul_tile_names`), whatever the
    /// adapter's table would pick. `None` for an unknown name or a config beyond this
    /// device's workgroup limits.
    #[doc(hidden)]
    pub fn with_matmul_tiles(&self, name: &str) -> Option<Self> {
        let cfg = ops::matmul_tiles::ALL
            .into_iter()
            .find(|c| c.name == name)?;
        let limits = self.gpu.device.limits();
        let fits = cfg.workgroup_bytes() <= limits.max_compute_workgroup_storage_size
            && cfg.threads() <= limits.max_compute_invocations_per_workgroup;
        fits.then(|| Self {
            matmul_tiles: Some(cfg),
            ..self.clone()
        })
    }

    /// Number of compute pipelines compiled so far.
    pub fn compiled_pipelines(&self) -> usize {
        self.gpu.pipelines.len()
    }
}

impl Backend for WgpuBackend {
    type Tensor = WgpuTensor;
    type Index = WgpuIndex;

    fn name(&self) -> String {
        // The summary says what the adapter offers; say so when its subgroups are not used.
        let unused = self.gpu.summary.subgroups && !self.subgroups;
        let note = if unused { " [subgroups unused]" } else { "" };
        format!("wgpu: {}{note}", self.gpu.summary)
    }

    // ---- memory -------------------------------------------------------------------------

    fn upload(&self, data: &[f32]) -> Result<T> {
        memory::upload(&self.gpu, data)
    }
    fn upload_weight(&self, w: QuantMatrix<'_>) -> Result<T> {
        memory::upload_weight(&self.gpu, w)
    }
    fn upload_index(&self, data: &[u32]) -> Result<I> {
        memory::upload_index(&self.gpu, data)
    }
    fn zeros(&self, len: usize) -> Result<T> {
        memory::zeros(&self.gpu, len)
    }
    fn download(&self, t: &T) -> Result<Vec<f32>> {
        memory::download(&self.gpu, t)
    }
    fn download_index(&self, t: &I) -> Result<Vec<u32>> {
        memory::download_index(&self.gpu, t)
    }
    fn len(&self, t: &T) -> usize {
        t.len
    }
    fn index_len(&self, t: &I) -> usize {
        t.len()
    }
    fn copy(&self, src: &T) -> Result<T> {
        memory::copy(&self.gpu, src)
    }
    fn fill_zero(&self, t: &mut T) -> Result<()> {
        memory::fill_zero(&self.gpu, t)
    }

    // ---- elementwise ---------------------------------------------------------------------

    fn axpy(&self, alpha: f32, x: &T, y: &mut T) -> Result<()> {
        elementwise::axpy(&self.gpu, alpha, x, y)
    }
    fn scale(&self, x: &mut T, alpha: f32) -> Result<()> {
        elementwise::scale(&self.gpu, x, alpha)
    }
    fn add_bias(&self, x: &mut T, bias: &T, cols: usize) -> Result<()> {
        elementwise::add_bias(&self.gpu, x, bias, cols)
    }
    fn bias_backward_acc(&self, dy: &T, db: &mut T, cols: usize) -> Result<()> {
        elementwise::bias_backward_acc(&self.gpu, dy, db, cols)
    }
    fn gather_rows(&self, x: &T, rows: &I, cols: usize) -> Result<T> {
        elementwise::gather_rows(&self.gpu, x, rows, cols)
    }

    // ---- matmul, embedding, RMSNorm, RoPE ------------------------------------------------

    fn matmul(&self, a: &T, b: &T, c: &mut T, mm: Matmul) -> Result<()> {
        matmul::matmul(&self.gpu, a, b, c, mm, self.matmul_tiles, self.subgroups)
    }
    fn embedding(&self, table: &T, ids: &I, dim: usize) -> Result<T> {
        embedding::embedding(&self.gpu, table, ids, dim)
    }
    fn embedding_backward_acc(&self, dout: &T, ids: &I, dtable: &mut T, dim: usize) -> Result<()> {
        embedding::embedding_backward_acc(&self.gpu, dout, ids, dtable, dim)
    }
    fn rmsnorm(&self, x: &T, w: &T, dim: usize, eps: f32) -> Result<(T, T)> {
        rmsnorm::rmsnorm(&self.gpu, x, w, dim, eps, self.subgroups)
    }
    fn rmsnorm_backward(
        &self,
        dy: &T,
        x: &T,
        w: &T,
        rstd: &T,
        dw: &mut T,
        dim: usize,
    ) -> Result<T> {
        rmsnorm::rmsnorm_backward((&self.gpu, self.subgroups), dy, x, w, rstd, dw, dim)
    }
    fn add_rmsnorm(&self, x: &T, delta: &mut T, w: &T, dim: usize, eps: f32) -> Result<(T, T)> {
        rmsnorm::add_rmsnorm(&self.gpu, x, delta, w, dim, eps, self.subgroups)
    }
    fn rope(
        &self,
        x: &mut T,
        positions: &I,
        heads: usize,
        head_dim: usize,
        theta: f32,
        inverse: bool,
    ) -> Result<()> {
        rope::rope(&self.gpu, x, positions, heads, head_dim, theta, inverse)
    }

    // ---- attention and the KV cache ------------------------------------------------------

    fn attention(&self, q: &T, k: &T, v: &T, seq: &[u32], shape: AttentionShape) -> Result<(T, T)> {
        attention::attention(&self.gpu, q, k, v, seq, shape)
    }
    fn attention_backward(
        &self,
        d_o: &T,
        saved: AttentionSaved<'_, T>,
        seq: &[u32],
        shape: AttentionShape,
    ) -> Result<(T, T, T)> {
        attention::attention_backward(&self.gpu, d_o, saved, seq, shape)
    }
    fn kv_cache_write(&self, c: &mut T, x: &T, slot: &I, pos: &I, s: KvCacheShape) -> Result<()> {
        kv_cache::kv_cache_write(&self.gpu, c, x, slot, pos, s)
    }
    fn attention_cached(
        &self,
        q: &T,
        k_cache: &T,
        v_cache: &T,
        slot: &I,
        pos: &I,
        shape: CachedAttention,
    ) -> Result<T> {
        kv_cache::attention_cached(&self.gpu, q, k_cache, v_cache, slot, pos, shape)
    }

    // ---- MLP, losses, optimiser, sampling, policy loss -----------------------------------

    fn swiglu(&self, gate: &T, up: &T) -> Result<T> {
        swiglu::swiglu(&self.gpu, gate, up)
    }
    fn swiglu_backward(&self, dh: &T, gate: &T, up: &T) -> Result<(T, T)> {
        swiglu::swiglu_backward(&self.gpu, dh, gate, up)
    }
    fn gate_up_swiglu(&self, x: &T, w_gate: &T, w_up: &T, shape: GateUp) -> Result<GateUpOut> {
        let how = (self.matmul_tiles, self.subgroups);
        match gate_up_swiglu::gate_up_swiglu(&self.gpu, x, w_gate, w_up, shape, how)? {
            Some(out) => Ok(out),
            None => hir_core::backend::swiglu::gate_up_unfused(self, x, w_gate, w_up, shape),
        }
    }
    fn cross_entropy(&self, logits: &T, targets: &I, vocab: usize) -> Result<(T, T)> {
        cross_entropy::cross_entropy(&self.gpu, logits, targets, vocab)
    }
    fn cross_entropy_backward(
        &self,
        logits: &T,
        lse: &T,
        targets: &I,
        dloss: &T,
        vocab: usize,
    ) -> Result<T> {
        cross_entropy::cross_entropy_backward(&self.gpu, logits, lse, targets, dloss, vocab)
    }
    fn token_logprobs(&self, z: &T, t: &I, vocab: usize, temp: f32) -> Result<(T, T)> {
        cross_entropy::token_logprobs(&self.gpu, z, t, vocab, temp)
    }
    fn token_logprobs_backward(
        &self,
        logits: &T,
        lse: &T,
        targets: &I,
        dlogp: &T,
        vocab: usize,
        temperature: f32,
    ) -> Result<T> {
        let (gpu, v, temp) = (&self.gpu, vocab, temperature);
        cross_entropy::token_logprobs_backward(gpu, logits, lse, targets, dlogp, v, temp)
    }
    fn token_logprobs_entropy(&self, z: &T, t: &I, vocab: usize, temp: f32) -> Result<(T, T)> {
        cross_entropy::token_logprobs_entropy(&self.gpu, z, t, vocab, temp)
    }
    fn sum_squares(&self, xs: &[&T]) -> Result<f32> {
        optim::sum_squares(&self.gpu, xs)
    }
    fn adamw_step(&self, p: &mut T, g: &T, m: &mut T, v: &mut T, hp: &AdamWParams) -> Result<()> {
        optim::adamw_step(&self.gpu, p, g, m, v, hp)
    }
    fn sample(&self, z: &T, vocab: usize, seeds: &[u64], p: &SampleParams) -> Result<Vec<u32>> {
        sample::sample(&self.gpu, z, vocab, seeds, p)
    }
    // ---- device-side sampled ids (sample.rs, memory.rs) --------------------------------------
    fn sample_to_index(&self, z: &T, vocab: usize, seeds: &[u64], p: &SampleParams) -> Result<I> {
        sample::sample_to_index(&self.gpu, z, vocab, seeds, p)
    }
    fn download_indices(&self, ts: &[&I]) -> Result<Vec<Vec<u32>>> {
        memory::download_indices(&self.gpu, ts)
    }
    fn policy_loss(
        &self,
        logp: &T,
        old_logp: &T,
        ref_logp: &T,
        adv: &T,
        weight: &T,
        p: &PolicyLossParams,
    ) -> Result<(T, PolicyLossSums)> {
        policy_loss::policy_loss(&self.gpu, logp, old_logp, ref_logp, adv, weight, p)
    }
}

/// `WgpuTensor`, short, for the signatures of the `Backend` impl (one line each).
type T = WgpuTensor;
/// `WgpuIndex`, short, for the signatures of the `Backend` impl (one line each).
type I = WgpuIndex;

/// Keeps `BackendError` in scope for the intra-doc links above.
#[allow(dead_code)]
type _DocLinks = BackendError;
