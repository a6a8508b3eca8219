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
//! A frozen weight uploaded with `upload_weight` keeps its GGUF blocks or f16/bf16 rows
//! (contract in `hir_core::backend::weight`): `matmul_quant.rs` multiplies from them, and
//! `embedding.rs` gathers rows from them; every other op refuses one with
//! `BackendError::StoredWeight`, naming the op and the format.
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
mod matmul_quant;
mod memory;
mod optim;
mod policy_loss;
mod rmsnorm;
mod rope;
mod sample;
mod swiglu;
mod task_size;

use std::sync::Arc;

use hir_core::backend::weight::stored_weight_error;
use hir_core::backend::{
    AdamWParams, AttentionSaved, AttentionShape, Backend, BackendError, CachedAttention,
    KvCacheShape, Matmul, PolicyLossParams, PolicyLossSums, QuantMatrix, Result, SampleParams,
    WeightFormat,
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

/// The f32 elements of `t`, or the error of `op` given a stored weight (every op but
/// `matmul`'s `b`, `embedding`'s table and the memory ops needs f32 tensors).
fn dense<'a>(t: &'a CpuTensor, op: &'static str) -> Result<&'a [f32]> {
    match t.weight_format() {
        Some(format) => Err(stored_weight_error(op, format)),
        None => Ok(t.as_slice()),
    }
}

/// [`dense`] for every tensor of an op, when the op takes its slices itself.
fn all_dense(ts: &[&CpuTensor], op: &'static str) -> Result<()> {
    ts.iter().try_for_each(|t| dense(t, op).map(|_| ()))
}

/// [`dense`] for a tensor written in place.
fn dense_mut<'a>(t: &'a mut CpuTensor, op: &'static str) -> Result<&'a mut [f32]> {
    match t.weight_format() {
        Some(format) => Err(stored_weight_error(op, format)),
        None => Ok(t.as_mut_slice()),
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
    fn upload_weight(&self, w: QuantMatrix<'_>) -> Result<CpuTensor> {
        if w.format() == WeightFormat::F32 {
            // Plain f32 rows: an ordinary tensor, bit for bit.
            return self.upload(&hir_core::backend::weight::dequantize(&w));
        }
        Ok(CpuTensor::stored(&w))
    }
    fn upload_index(&self, data: &[u32]) -> Result<CpuIndex> {
        Ok(CpuIndex::from_vec(data.to_vec()))
    }
    fn zeros(&self, len: usize) -> Result<CpuTensor> {
        Ok(memory::zeros(len))
    }
    fn download(&self, t: &CpuTensor) -> Result<Vec<f32>> {
        Ok(match t.weight_matrix() {
            Some(w) => hir_core::backend::weight::dequantize(&w),
            None => t.as_slice().to_vec(),
        })
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
        dense_mut(t, "fill_zero")?.fill(0.0);
        Ok(())
    }

    // ---- elementwise ---------------------------------------------------------------------

    fn axpy(&self, alpha: f32, x: &CpuTensor, y: &mut CpuTensor) -> Result<()> {
        let (x, y) = (dense(x, "axpy")?, dense_mut(y, "axpy")?);
        self.run(|| elementwise::axpy(alpha, x, y))
    }
    fn scale(&self, x: &mut CpuTensor, alpha: f32) -> Result<()> {
        let x = dense_mut(x, "scale")?;
        self.run(|| elementwise::scale(x, alpha));
        Ok(())
    }
    fn add_bias(&self, x: &mut CpuTensor, bias: &CpuTensor, cols: usize) -> Result<()> {
        let (x, bias) = (dense_mut(x, "add_bias")?, dense(bias, "add_bias")?);
        self.run(|| elementwise::add_bias(x, bias, cols))
    }
    fn bias_backward_acc(&self, dy: &CpuTensor, dbias: &mut CpuTensor, cols: usize) -> Result<()> {
        const OP: &str = "bias_backward_acc";
        let (dy, dbias) = (dense(dy, OP)?, dense_mut(dbias, OP)?);
        self.run(|| elementwise::bias_backward_acc(dy, dbias, cols))
    }
    fn gather_rows(&self, x: &CpuTensor, rows: &CpuIndex, cols: usize) -> Result<CpuTensor> {
        let x = dense(x, "gather_rows")?;
        self.run(|| elementwise::gather_rows(x, rows.as_slice(), cols))
            .map(Into::into)
    }

    // ---- linear algebra ------------------------------------------------------------------

    fn matmul(&self, a: &CpuTensor, b: &CpuTensor, c: &mut CpuTensor, mm: Matmul) -> Result<()> {
        let (a, c) = (dense(a, "matmul")?, dense_mut(c, "matmul")?);
        match b.weight_matrix() {
            Some(w) => self.run(|| matmul_quant::matmul_stored(a, &w, c, mm)),
            None => self.run(|| matmul::matmul(a, b.as_slice(), c, mm)),
        }
    }

    // ---- embedding -----------------------------------------------------------------------

    fn embedding(&self, table: &CpuTensor, ids: &CpuIndex, dim: usize) -> Result<CpuTensor> {
        let ids = ids.as_slice();
        match table.weight_matrix() {
            Some(w) => self.run(|| embedding::embedding_stored(&w, ids, dim)),
            None => self.run(|| embedding::embedding(table.as_slice(), ids, dim)),
        }
        .map(Into::into)
    }
    fn embedding_backward_acc(
        &self,
        dout: &CpuTensor,
        ids: &CpuIndex,
        dtable: &mut CpuTensor,
        dim: usize,
    ) -> Result<()> {
        const OP: &str = "embedding_backward_acc";
        embedding::embedding_backward_acc(
            dense(dout, OP)?,
            ids.as_slice(),
            dense_mut(dtable, OP)?,
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
        all_dense(&[x, w], "rmsnorm")?;
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
        all_dense(&[dy, x, w, rstd, &*dw], "rmsnorm_backward")?;
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
        all_dense(&[&*x], "rope")?;
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
        all_dense(&[q, k, v], "attention")?;
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
        all_dense(
            &[d_o, saved.q, saved.k, saved.v, saved.o, saved.lse],
            "attention_backward",
        )?;
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
        all_dense(&[&*cache, x], "kv_cache_write")?;
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
        all_dense(&[q, k_cache, v_cache], "attention_cached")?;
        let (q, k_cache, v_cache) = (q.as_slice(), k_cache.as_slice(), v_cache.as_slice());
        let (slot, pos) = (slot.as_slice(), pos.as_slice());
        self.run(|| kv_cache::attention_cached(q, k_cache, v_cache, slot, pos, shape))
            .map(Into::into)
    }

    // ---- MLP -----------------------------------------------------------------------------

    fn swiglu(&self, gate: &CpuTensor, up: &CpuTensor) -> Result<CpuTensor> {
        all_dense(&[gate, up], "swiglu")?;
        self.run(|| swiglu::swiglu(gate.as_slice(), up.as_slice()))
            .map(Into::into)
    }
    fn swiglu_backward(
        &self,
        dh: &CpuTensor,
        gate: &CpuTensor,
        up: &CpuTensor,
    ) -> Result<(CpuTensor, CpuTensor)> {
        all_dense(&[dh, gate, up], "swiglu_backward")?;
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
        all_dense(&[logits], "cross_entropy")?;
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
        all_dense(&[logits, lse, dloss], "cross_entropy_backward")?;
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
    fn token_logprobs(
        &self,
        logits: &CpuTensor,
        targets: &CpuIndex,
        vocab: usize,
        temperature: f32,
    ) -> Result<(CpuTensor, CpuTensor)> {
        all_dense(&[logits], "token_logprobs")?;
        let (logp, lse) = self.run(|| {
            cross_entropy::token_logprobs(logits.as_slice(), targets.as_slice(), vocab, temperature)
        })?;
        Ok((logp.into(), lse.into()))
    }
    fn token_logprobs_backward(
        &self,
        logits: &CpuTensor,
        lse: &CpuTensor,
        targets: &CpuIndex,
        dlogp: &CpuTensor,
        vocab: usize,
        temperature: f32,
    ) -> Result<CpuTensor> {
        all_dense(&[logits, lse, dlogp], "token_logprobs_backward")?;
        self.run(|| {
            cross_entropy::token_logprobs_backward(
                logits.as_slice(),
                lse.as_slice(),
                targets.as_slice(),
                dlogp.as_slice(),
                vocab,
                temperature,
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
        all_dense(&[logits], "token_logprobs_entropy")?;
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
        for t in xs {
            dense(t, "sum_squares")?;
        }
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
        all_dense(&[&*param, grad, &*m, &*v], "adamw_step")?;
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
        all_dense(&[logits], "sample")?;
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
        all_dense(&[logp, old_logp, ref_logp, adv, weight], "policy_loss")?;
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
