//! # hir-backend-cpu
//!
//! The f32 reference implementation of [`hir_core::backend::Backend`].
//!
//! Every op is written out plainly, one file per op family (forward, then backward), in the
//! spirit of llm.c; matrix products go through the `gemm` crate. A family's file has the name
//! of its contract in `hir_core::backend` (whose `check` validates the arguments first, the
//! same call the wgpu backend makes) and of its WGSL kernels in `hir-kernels`; the training
//! attention's forward and backward share their tiling through `attention_tiles.rs`. Work is spread over rayon
//! threads by rows, tokens or heads, and every reduction has a fixed order, so results are
//! bit-identical across runs and thread counts.
//!
//! ```
//! use hir_backend_cpu::CpuBackend;
//! use hir_core::backend::{Backend, Matmul};
//!
//! let cpu = CpuBackend::new();
//! let a = cpu.upload(&[1.0, 2.0, 3.0, 4.0]).unwrap(); // [2, 2]
//! let mut c = cpu.zeros(4).unwrap();
//! cpu.matmul(&a, &a, &mut c, Matmul::new(2, 2, 2)).unwrap();
//! assert_eq!(cpu.download(&c).unwrap(), vec![7.0, 10.0, 15.0, 22.0]);
//! ```
#![warn(missing_docs)]

mod attention;
mod attention_backward;
mod attention_tiles;
mod cross_entropy;
mod elementwise;
mod embedding;
mod exp;
mod kv_cache;
mod matmul;
mod memory;
mod optim;
mod policy_loss;
mod rmsnorm;
mod rope;
mod sample;
mod swiglu;
mod task_size;

use std::sync::Arc;

use hir_core::backend::{
    AdamWParams, AttentionSaved, AttentionShape, Backend, BackendError, CachedAttention,
    KvCacheShape, Matmul, PolicyLossParams, PolicyLossSums, Result, SampleParams,
};

pub use memory::{release_pooled_memory, CpuIndex, CpuTensor};

/// The CPU backend: f32 tensors in host memory, ops parallelised with rayon.
///
/// [`CpuBackend::new`] runs on rayon's global thread pool; [`CpuBackend::with_threads`] owns a
/// pool of its own (useful to pin the thread count, e.g. to check determinism). Cloning shares
/// the pool.
#[derive(Debug, Clone, Default)]
pub struct CpuBackend {
    pool: Option<Arc<rayon::ThreadPool>>,
}

impl CpuBackend {
    /// A backend on rayon's global thread pool.
    pub fn new() -> Self {
        Self { pool: None }
    }

    /// A backend with its own pool of `threads` threads (`threads ≥ 1`).
    pub fn with_threads(threads: usize) -> Result<Self> {
        if threads == 0 {
            return Err(BackendError::Device(
                "CpuBackend::with_threads: threads must be ≥ 1".into(),
            ));
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("hir-cpu-{i}"))
            .build()
            .map_err(|e| {
                BackendError::Device(format!("could not start {threads} CPU threads: {e}"))
            })?;
        Ok(Self {
            pool: Some(Arc::new(pool)),
        })
    }

    /// The number of threads ops run on.
    pub fn threads(&self) -> usize {
        match &self.pool {
            Some(p) => p.current_num_threads(),
            None => rayon::current_num_threads(),
        }
    }

    /// Runs `f` on this backend's pool.
    fn run<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        match &self.pool {
            Some(p) => p.install(f),
            None => f(),
        }
    }
}

impl Backend for CpuBackend {
    type Tensor = CpuTensor;
    type Index = CpuIndex;

    fn name(&self) -> String {
        format!("cpu ({} threads)", self.threads())
    }

    // ---- memory -------------------------------------------------------------------------

    fn upload(&self, data: &[f32]) -> Result<CpuTensor> {
        Ok(CpuTensor::from_vec(memory::copied(data)))
    }
    fn upload_index(&self, data: &[u32]) -> Result<CpuIndex> {
        Ok(CpuIndex::from_vec(data.to_vec()))
    }
    fn zeros(&self, len: usize) -> Result<CpuTensor> {
        Ok(memory::zeros(len))
    }
    fn download(&self, t: &CpuTensor) -> Result<Vec<f32>> {
        Ok(t.as_slice().to_vec())
    }
    fn download_index(&self, t: &CpuIndex) -> Result<Vec<u32>> {
        Ok(t.as_slice().to_vec())
    }
    fn len(&self, t: &CpuTensor) -> usize {
        t.len()
    }
    fn index_len(&self, t: &CpuIndex) -> usize {
        t.len()
    }
    fn copy(&self, src: &CpuTensor) -> Result<CpuTensor> {
        Ok(src.clone())
    }
    fn fill_zero(&self, t: &mut CpuTensor) -> Result<()> {
        memory::fill_zero(t);
        Ok(())
    }

    // ---- elementwise ---------------------------------------------------------------------

    fn axpy(&self, alpha: f32, x: &CpuTensor, y: &mut CpuTensor) -> Result<()> {
        self.run(|| elementwise::axpy(alpha, x.as_slice(), y.as_mut_slice()))
    }
    fn scale(&self, x: &mut CpuTensor, alpha: f32) -> Result<()> {
        self.run(|| elementwise::scale(x.as_mut_slice(), alpha));
        Ok(())
    }
    fn add_bias(&self, x: &mut CpuTensor, bias: &CpuTensor, cols: usize) -> Result<()> {
        self.run(|| elementwise::add_bias(x.as_mut_slice(), bias.as_slice(), cols))
    }
    fn bias_backward_acc(&self, dy: &CpuTensor, dbias: &mut CpuTensor, cols: usize) -> Result<()> {
        self.run(|| elementwise::bias_backward_acc(dy.as_slice(), dbias.as_mut_slice(), cols))
    }
    fn gather_rows(&self, x: &CpuTensor, rows: &CpuIndex, cols: usize) -> Result<CpuTensor> {
        self.run(|| elementwise::gather_rows(x.as_slice(), rows.as_slice(), cols))
            .map(Into::into)
    }

    // ---- linear algebra ------------------------------------------------------------------

    fn matmul(&self, a: &CpuTensor, b: &CpuTensor, c: &mut CpuTensor, mm: Matmul) -> Result<()> {
        self.run(|| matmul::matmul(a.as_slice(), b.as_slice(), c.as_mut_slice(), mm))
    }

    // ---- embedding -----------------------------------------------------------------------

    fn embedding(&self, table: &CpuTensor, ids: &CpuIndex, dim: usize) -> Result<CpuTensor> {
        self.run(|| embedding::embedding(table.as_slice(), ids.as_slice(), dim))
            .map(Into::into)
    }
    fn embedding_backward_acc(
        &self,
        dout: &CpuTensor,
        ids: &CpuIndex,
        dtable: &mut CpuTensor,
        dim: usize,
    ) -> Result<()> {
        embedding::embedding_backward_acc(
            dout.as_slice(),
            ids.as_slice(),
            dtable.as_mut_slice(),
            dim,
        )
    }

    // ---- RMSNorm -------------------------------------------------------------------------

    fn rmsnorm(
        &self,
        x: &CpuTensor,
        w: &CpuTensor,
        dim: usize,
        eps: f32,
    ) -> Result<(CpuTensor, CpuTensor)> {
        let (y, rstd) = self.run(|| rmsnorm::rmsnorm(x.as_slice(), w.as_slice(), dim, eps))?;
        Ok((y.into(), rstd.into()))
    }
    fn rmsnorm_backward(
        &self,
        dy: &CpuTensor,
        x: &CpuTensor,
        w: &CpuTensor,
        rstd: &CpuTensor,
        dw: &mut CpuTensor,
        dim: usize,
    ) -> Result<CpuTensor> {
        self.run(|| {
            rmsnorm::rmsnorm_backward(
                dy.as_slice(),
                x.as_slice(),
                w.as_slice(),
                rstd.as_slice(),
                dw.as_mut_slice(),
                dim,
            )
        })
        .map(Into::into)
    }

    // ---- RoPE ----------------------------------------------------------------------------

    fn rope(
        &self,
        x: &mut CpuTensor,
        positions: &CpuIndex,
        heads: usize,
        head_dim: usize,
        theta: f32,
        inverse: bool,
    ) -> Result<()> {
        self.run(|| {
            rope::rope(
                x.as_mut_slice(),
                positions.as_slice(),
                heads,
                head_dim,
                theta,
                inverse,
            )
        })
    }

    // ---- attention -----------------------------------------------------------------------

    fn attention(
        &self,
        q: &CpuTensor,
        k: &CpuTensor,
        v: &CpuTensor,
        seq_starts: &[u32],
        shape: AttentionShape,
    ) -> Result<(CpuTensor, CpuTensor)> {
        let (q, k, v) = (q.as_slice(), k.as_slice(), v.as_slice());
        let (o, lse) = self.run(|| attention::attention(q, k, v, seq_starts, shape))?;
        Ok((o.into(), lse.into()))
    }

    fn attention_backward(
        &self,
        d_o: &CpuTensor,
        saved: AttentionSaved<'_, CpuTensor>,
        seq_starts: &[u32],
        shape: AttentionShape,
    ) -> Result<(CpuTensor, CpuTensor, CpuTensor)> {
        let saved = saved.map(CpuTensor::as_slice);
        let (dq, dk, dv) = self.run(|| {
            attention_backward::attention_backward(d_o.as_slice(), saved, seq_starts, shape)
        })?;
        Ok((dq.into(), dk.into(), dv.into()))
    }

    fn kv_cache_write(
        &self,
        cache: &mut CpuTensor,
        x: &CpuTensor,
        slot: &CpuIndex,
        pos: &CpuIndex,
        shape: KvCacheShape,
    ) -> Result<()> {
        let (slot, pos) = (slot.as_slice(), pos.as_slice());
        kv_cache::kv_cache_write(cache.as_mut_slice(), x.as_slice(), slot, pos, shape)
    }

    fn attention_cached(
        &self,
        q: &CpuTensor,
        k_cache: &CpuTensor,
        v_cache: &CpuTensor,
        slot: &CpuIndex,
        pos: &CpuIndex,
        shape: CachedAttention,
    ) -> Result<CpuTensor> {
        let (q, k_cache, v_cache) = (q.as_slice(), k_cache.as_slice(), v_cache.as_slice());
        let (slot, pos) = (slot.as_slice(), pos.as_slice());
        self.run(|| kv_cache::attention_cached(q, k_cache, v_cache, slot, pos, shape))
            .map(Into::into)
    }

    // ---- MLP -----------------------------------------------------------------------------

    fn swiglu(&self, gate: &CpuTensor, up: &CpuTensor) -> Result<CpuTensor> {
        self.run(|| swiglu::swiglu(gate.as_slice(), up.as_slice()))
            .map(Into::into)
    }
    fn swiglu_backward(
        &self,
        dh: &CpuTensor,
        gate: &CpuTensor,
        up: &CpuTensor,
    ) -> Result<(CpuTensor, CpuTensor)> {
        let (dg, du) =
            self.run(|| swiglu::swiglu_backward(dh.as_slice(), gate.as_slice(), up.as_slice()))?;
        Ok((dg.into(), du.into()))
    }

    // ---- losses over the vocabulary ------------------------------------------------------

    fn cross_entropy(
        &self,
        logits: &CpuTensor,
        targets: &CpuIndex,
        vocab: usize,
    ) -> Result<(CpuTensor, CpuTensor)> {
        let (loss, lse) = self
            .run(|| cross_entropy::cross_entropy(logits.as_slice(), targets.as_slice(), vocab))?;
        Ok((loss.into(), lse.into()))
    }
    fn cross_entropy_backward(
        &self,
        logits: &CpuTensor,
        lse: &CpuTensor,
        targets: &CpuIndex,
        dloss: &CpuTensor,
        vocab: usize,
    ) -> Result<CpuTensor> {
        self.run(|| {
            cross_entropy::cross_entropy_backward(
                logits.as_slice(),
                lse.as_slice(),
                targets.as_slice(),
                dloss.as_slice(),
                vocab,
            )
        })
        .map(Into::into)
    }
    fn token_logprobs_entropy(
        &self,
        logits: &CpuTensor,
        targets: &CpuIndex,
        vocab: usize,
        temperature: f32,
    ) -> Result<(CpuTensor, CpuTensor)> {
        let (logp, ent) = self.run(|| {
            cross_entropy::token_logprobs_entropy(
                logits.as_slice(),
                targets.as_slice(),
                vocab,
                temperature,
            )
        })?;
        Ok((logp.into(), ent.into()))
    }

    // ---- optimiser -----------------------------------------------------------------------

    fn sum_squares(&self, xs: &[&CpuTensor]) -> Result<f32> {
        let slices: Vec<&[f32]> = xs.iter().map(|t| t.as_slice()).collect();
        Ok(self.run(|| optim::sum_squares(&slices)))
    }
    fn adamw_step(
        &self,
        param: &mut CpuTensor,
        grad: &CpuTensor,
        m: &mut CpuTensor,
        v: &mut CpuTensor,
        p: &AdamWParams,
    ) -> Result<()> {
        self.run(|| {
            optim::adamw_step(
                param.as_mut_slice(),
                grad.as_slice(),
                m.as_mut_slice(),
                v.as_mut_slice(),
                p,
            )
        })
    }

    // ---- sampling ------------------------------------------------------------------------

    fn sample(
        &self,
        logits: &CpuTensor,
        vocab: usize,
        seeds: &[u64],
        params: &SampleParams,
    ) -> Result<Vec<u32>> {
        self.run(|| sample::sample(logits.as_slice(), vocab, seeds, params))
    }

    // ---- policy loss ---------------------------------------------------------------------

    fn policy_loss(
        &self,
        logp: &CpuTensor,
        old_logp: &CpuTensor,
        ref_logp: &CpuTensor,
        adv: &CpuTensor,
        weight: &CpuTensor,
        p: &PolicyLossParams,
    ) -> Result<(CpuTensor, PolicyLossSums)> {
        let (d, sums) = policy_loss::policy_loss(
            logp.as_slice(),
            old_logp.as_slice(),
            ref_logp.as_slice(),
            adv.as_slice(),
            weight.as_slice(),
            p,
        )?;
        Ok((d.into(), sums))
    }
}
