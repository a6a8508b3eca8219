//! # hir-backend-wgpu
//!
//! [`hir_core::backend::Backend`] on wgpu 30: every op is a hand-written WGSL compute kernel
//! (the sources live in the `hir-kernels` crate, one file per op family), checked against the
//! CPU reference by the conformance suite of `hir-backend-cpu`.
//!
//! ## Design
//!
//! - **Device** (`device.rs`): the instance honours `WGPU_BACKEND` and the other `WGPU_*`
//!   variables; `WGPU_ADAPTER_NAME` picks an adapter by name, otherwise the default
//!   high-performance adapter is used. The device is opened with the adapter's own limits and,
//!   when available, `SHADER_F16` and `SUBGROUP`. When no adapter fits, [`WgpuError`] lists
//!   every adapter seen.
//! - **Buffers** (`pool.rs`, `tensor.rs`): a [`WgpuTensor`] is a storage buffer borrowed from
//!   a pool that recycles buffers by size class (4 classes per power of two); dropping a
//!   tensor returns its buffer. A [`WgpuIndex`] also keeps a host copy of its `u32`s (index
//!   buffers only come from the host), so ids are validated without a readback.
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
//!   `download_index` answers from the host copy.
//! - **Dispatch** (`dispatch.rs`): `Gpu::dispatch(Kernel, &[Binding], &Params, groups)` binds
//!   the buffers, builds the uniform block and records one compute pass. Errors wgpu raises
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
mod gpu;
mod ops;
mod pipeline;
mod pool;
mod shape;
mod tensor;

use std::sync::Arc;

use hir_core::backend::{
    AdamWParams, Backend, BackendError, PolicyLossParams, PolicyLossSums, Result, SampleParams,
};

pub use device::AdapterSummary;
pub use error::WgpuError;
pub use pool::{size_class, MAX_FREE_BYTES};
pub use tensor::{WgpuIndex, WgpuTensor};

use gpu::Gpu;
use ops::{
    attention, elementwise, embedding, loss, matmul, memory, optim, policy_loss, rmsnorm, rope,
    sample, swiglu,
};

/// The wgpu backend. Cloning shares the device, pools and caches.
#[derive(Clone)]
pub struct WgpuBackend {
    gpu: Arc<Gpu>,
}

impl core::fmt::Debug for WgpuBackend {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "WgpuBackend({})", self.gpu.summary)
    }
}

impl WgpuBackend {
    /// Opens the adapter chosen as described in the crate doc.
    pub fn new() -> core::result::Result<Self, WgpuError> {
        let opened = device::open()?;
        Ok(Self {
            gpu: Arc::new(Gpu::new(opened.device, opened.queue, opened.summary)),
        })
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

    /// Number of compute pipelines compiled so far.
    pub fn compiled_pipelines(&self) -> usize {
        self.gpu.pipelines.len()
    }
}

impl Backend for WgpuBackend {
    type Tensor = WgpuTensor;
    type Index = WgpuIndex;

    fn name(&self) -> String {
        format!("wgpu: {}", self.gpu.summary)
    }

    // ---- memory -------------------------------------------------------------------------

    fn upload(&self, data: &[f32]) -> Result<WgpuTensor> {
        memory::upload(&self.gpu, data)
    }
    fn upload_index(&self, data: &[u32]) -> Result<WgpuIndex> {
        memory::upload_index(&self.gpu, data)
    }
    fn zeros(&self, len: usize) -> Result<WgpuTensor> {
        memory::zeros(&self.gpu, len)
    }
    fn download(&self, t: &WgpuTensor) -> Result<Vec<f32>> {
        memory::download(&self.gpu, t)
    }
    fn download_index(&self, t: &WgpuIndex) -> Result<Vec<u32>> {
        Ok(memory::download_index(t))
    }
    fn len(&self, t: &WgpuTensor) -> usize {
        t.len
    }
    fn index_len(&self, t: &WgpuIndex) -> usize {
        t.len()
    }
    fn copy(&self, src: &WgpuTensor) -> Result<WgpuTensor> {
        memory::copy(&self.gpu, src)
    }
    fn fill_zero(&self, t: &mut WgpuTensor) -> Result<()> {
        memory::fill_zero(&self.gpu, t)
    }

    // ---- elementwise ---------------------------------------------------------------------

    fn axpy(&self, alpha: f32, x: &WgpuTensor, y: &mut WgpuTensor) -> Result<()> {
        elementwise::axpy(&self.gpu, alpha, x, y)
    }
    fn scale(&self, x: &mut WgpuTensor, alpha: f32) -> Result<()> {
        elementwise::scale(&self.gpu, x, alpha)
    }
    fn add_bias(&self, x: &mut WgpuTensor, bias: &WgpuTensor, cols: usize) -> Result<()> {
        elementwise::add_bias(&self.gpu, x, bias, cols)
    }
    fn bias_backward_acc(
        &self,
        dy: &WgpuTensor,
        dbias: &mut WgpuTensor,
        cols: usize,
    ) -> Result<()> {
        elementwise::bias_backward_acc(&self.gpu, dy, dbias, cols)
    }
    fn gather_rows(&self, x: &WgpuTensor, rows: &WgpuIndex, cols: usize) -> Result<WgpuTensor> {
        elementwise::gather_rows(&self.gpu, x, rows, cols)
    }

    // ---- linear algebra ------------------------------------------------------------------

    fn matmul(
        &self,
        a: &WgpuTensor,
        b: &WgpuTensor,
        c: &mut WgpuTensor,
        m: usize,
        k: usize,
        n: usize,
        trans_a: bool,
        trans_b: bool,
        alpha: f32,
        beta: f32,
    ) -> Result<()> {
        matmul::matmul(&self.gpu, a, b, c, m, k, n, trans_a, trans_b, alpha, beta)
    }

    // ---- embedding -----------------------------------------------------------------------

    fn embedding(&self, table: &WgpuTensor, ids: &WgpuIndex, dim: usize) -> Result<WgpuTensor> {
        embedding::embedding(&self.gpu, table, ids, dim)
    }
    fn embedding_backward_acc(
        &self,
        dout: &WgpuTensor,
        ids: &WgpuIndex,
        dtable: &mut WgpuTensor,
        dim: usize,
    ) -> Result<()> {
        embedding::embedding_backward_acc(&self.gpu, dout, ids, dtable, dim)
    }

    // ---- RMSNorm -------------------------------------------------------------------------

    fn rmsnorm(
        &self,
        x: &WgpuTensor,
        w: &WgpuTensor,
        dim: usize,
        eps: f32,
    ) -> Result<(WgpuTensor, WgpuTensor)> {
        rmsnorm::rmsnorm(&self.gpu, x, w, dim, eps)
    }
    fn rmsnorm_backward(
        &self,
        dy: &WgpuTensor,
        x: &WgpuTensor,
        w: &WgpuTensor,
        rstd: &WgpuTensor,
        dw: &mut WgpuTensor,
        dim: usize,
    ) -> Result<WgpuTensor> {
        rmsnorm::rmsnorm_backward(&self.gpu, dy, x, w, rstd, dw, dim)
    }

    // ---- RoPE ----------------------------------------------------------------------------

    fn rope(
        &self,
        x: &mut WgpuTensor,
        positions: &WgpuIndex,
        heads: usize,
        head_dim: usize,
        theta: f32,
        inverse: bool,
    ) -> Result<()> {
        rope::rope(&self.gpu, x, positions, heads, head_dim, theta, inverse)
    }

    // ---- attention -----------------------------------------------------------------------

    fn attention(
        &self,
        q: &WgpuTensor,
        k: &WgpuTensor,
        v: &WgpuTensor,
        seq_starts: &[u32],
        heads: usize,
        kv_heads: usize,
        head_dim: usize,
    ) -> Result<(WgpuTensor, WgpuTensor)> {
        attention::attention(&self.gpu, q, k, v, seq_starts, heads, kv_heads, head_dim)
    }

    fn attention_backward(
        &self,
        d_o: &WgpuTensor,
        q: &WgpuTensor,
        k: &WgpuTensor,
        v: &WgpuTensor,
        o: &WgpuTensor,
        lse: &WgpuTensor,
        seq_starts: &[u32],
        heads: usize,
        kv_heads: usize,
        head_dim: usize,
    ) -> Result<(WgpuTensor, WgpuTensor, WgpuTensor)> {
        attention::attention_backward(
            &self.gpu, d_o, q, k, v, o, lse, seq_starts, heads, kv_heads, head_dim,
        )
    }

    fn kv_cache_write(
        &self,
        cache: &mut WgpuTensor,
        x: &WgpuTensor,
        slot: &WgpuIndex,
        pos: &WgpuIndex,
        max_len: usize,
        kv_heads: usize,
        head_dim: usize,
    ) -> Result<()> {
        attention::kv_cache_write(&self.gpu, cache, x, slot, pos, max_len, kv_heads, head_dim)
    }

    fn attention_cached(
        &self,
        q: &WgpuTensor,
        k_cache: &WgpuTensor,
        v_cache: &WgpuTensor,
        slot: &WgpuIndex,
        pos: &WgpuIndex,
        max_len: usize,
        heads: usize,
        kv_heads: usize,
        head_dim: usize,
    ) -> Result<WgpuTensor> {
        attention::attention_cached(
            &self.gpu, q, k_cache, v_cache, slot, pos, max_len, heads, kv_heads, head_dim,
        )
    }

    // ---- MLP -----------------------------------------------------------------------------

    fn swiglu(&self, gate: &WgpuTensor, up: &WgpuTensor) -> Result<WgpuTensor> {
        swiglu::swiglu(&self.gpu, gate, up)
    }
    fn swiglu_backward(
        &self,
        dh: &WgpuTensor,
        gate: &WgpuTensor,
        up: &WgpuTensor,
    ) -> Result<(WgpuTensor, WgpuTensor)> {
        swiglu::swiglu_backward(&self.gpu, dh, gate, up)
    }

    // ---- losses over the vocabulary ------------------------------------------------------

    fn cross_entropy(
        &self,
        logits: &WgpuTensor,
        targets: &WgpuIndex,
        vocab: usize,
    ) -> Result<(WgpuTensor, WgpuTensor)> {
        loss::cross_entropy(&self.gpu, logits, targets, vocab)
    }
    fn cross_entropy_backward(
        &self,
        logits: &WgpuTensor,
        lse: &WgpuTensor,
        targets: &WgpuIndex,
        dloss: &WgpuTensor,
        vocab: usize,
    ) -> Result<WgpuTensor> {
        loss::cross_entropy_backward(&self.gpu, logits, lse, targets, dloss, vocab)
    }
    fn token_logprobs_entropy(
        &self,
        logits: &WgpuTensor,
        targets: &WgpuIndex,
        vocab: usize,
        temperature: f32,
    ) -> Result<(WgpuTensor, WgpuTensor)> {
        loss::token_logprobs_entropy(&self.gpu, logits, targets, vocab, temperature)
    }

    // ---- optimiser -----------------------------------------------------------------------

    fn sum_squares(&self, xs: &[&WgpuTensor]) -> Result<f32> {
        optim::sum_squares(&self.gpu, xs)
    }
    fn adamw_step(
        &self,
        param: &mut WgpuTensor,
        grad: &WgpuTensor,
        m: &mut WgpuTensor,
        v: &mut WgpuTensor,
        p: &AdamWParams,
    ) -> Result<()> {
        optim::adamw_step(&self.gpu, param, grad, m, v, p)
    }

    // ---- sampling ------------------------------------------------------------------------

    fn sample(
        &self,
        logits: &WgpuTensor,
        vocab: usize,
        seeds: &[u64],
        params: &SampleParams,
    ) -> Result<Vec<u32>> {
        sample::sample(&self.gpu, logits, vocab, seeds, params)
    }

    // ---- policy loss ---------------------------------------------------------------------

    fn policy_loss(
        &self,
        logp: &WgpuTensor,
        old_logp: &WgpuTensor,
        ref_logp: &WgpuTensor,
        adv: &WgpuTensor,
        weight: &WgpuTensor,
        p: &PolicyLossParams,
    ) -> Result<(WgpuTensor, PolicyLossSums)> {
        policy_loss::policy_loss(&self.gpu, logp, old_logp, ref_logp, adv, weight, p)
    }
}

/// Keeps `BackendError` in scope for the intra-doc links above.
#[allow(dead_code)]
type _DocLinks = BackendError;
