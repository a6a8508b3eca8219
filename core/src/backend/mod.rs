//! The `Backend` trait: every tensor op the model, its training and its sampling need.
//!
//! This is the seam between the backend-agnostic core (model, RL math) and the places where
//! numbers are actually crunched (`hir-backend-cpu`, the f32 reference, and `hir-backend-wgpu`).
//!
//! Each op family has one file here holding its contract, written once: the argument types,
//! the documented shapes, layouts and accumulation rules, and a `check` function that
//! validates the arguments and returns the validated dimensions. Both backends call that
//! check first and keep only their computation, so a shape error reads the same everywhere.
//! The same family name is used by the CPU file (`backend-cpu/src/<family>.rs`), the WGSL
//! kernels (`kernels/src/wgsl/<family>.wgsl`) and the wgpu host code
//! (`backend-wgpu/src/ops/<family>.rs`):
//!
//! | family | ops |
//! |---|---|
//! | [`memory`] | `upload`, `download`, `download_indices`, `zeros`, `copy`, `fill_zero`, … |
//! | [`elementwise`] | `axpy`, `scale`, `add_bias`, `bias_backward_acc`, `gather_rows` |
//! | [`matmul`] | `matmul` ([`Matmul`]) |
//! | [`embedding`] | `embedding`, `embedding_backward_acc` |
//! | [`rmsnorm`] | `rmsnorm`, `rmsnorm_backward`, `add_rmsnorm` |
//! | [`rope`] | `rope` |
//! | [`attention`] | `attention`, `attention_backward` ([`AttentionShape`], [`AttentionSaved`]) |
//! | [`kv_cache`] | `kv_cache_write`, `attention_cached` ([`KvCacheShape`], [`CachedAttention`]) |
//! | [`swiglu`] | `swiglu`, `swiglu_backward`, `gate_up_swiglu` ([`GateUp`]) |
//! | [`cross_entropy`] | `cross_entropy`, `cross_entropy_backward`, `token_logprobs`, `token_logprobs_backward`, `token_logprobs_entropy` |
//! | [`optim`] | `sum_squares`, `adamw_step` ([`AdamWParams`]) |
//! | [`sample`] | `sample`, `sample_to_index` ([`SampleParams`]) |
//! | [`policy_loss`] | `policy_loss` ([`PolicyLossParams`], [`PolicyLossSums`]) |
//! | [`weight`] | `upload_weight` ([`QuantMatrix`], [`WeightFormat`]): frozen weights kept in GGUF blocks or f16/bf16 |
//!
//! Design rules:
//! - Tensors are opaque, device-resident handles (`Backend::Tensor` for `f32` data,
//!   `Backend::Index` for `u32` data such as token ids and positions). Host data moves only
//!   through `upload*` / `download*`; an op never reads back to the host unless its return type
//!   is a host value (`sum_squares`, `sample`). `sample_to_index` keeps its draws on the
//!   device; `download_indices` reads several index buffers back in one round trip.
//! - All tensors are dense, row-major and contiguous. A tensor knows its element count; the
//!   *shape* an op works with is passed explicitly as `usize` dimensions, so that a `[T, H*D]`
//!   projection output can be read as `[T, H, D]` without a copy.
//! - Ops that produce a fresh result return a new tensor. Ops whose result is accumulated
//!   (weight gradients over tokens or micro-batches) take `&mut` output and *add* into it:
//!   their names end in `_acc` or they say so in their doc.
//! - Small, host-known metadata (sequence boundaries) is passed as `&[u32]` slices.
//! - Shape errors are reported as [`BackendError`], never as panics.
//!
//! Shapes use these letters: `N` tokens (all sequences packed back to back), `D` hidden size,
//! `H` query heads, `Hkv` key/value heads, `E` head dim, `F` intermediate size, `V` vocab.

use alloc::string::String;
use alloc::vec::Vec;

pub mod attention;
pub mod cross_entropy;
pub mod elementwise;
pub mod embedding;
pub mod kv_cache;
pub mod matmul;
pub mod memory;
pub mod optim;
pub mod policy_loss;
pub mod rmsnorm;
pub mod rope;
pub mod sample;
pub mod shape;
pub mod swiglu;
pub mod weight;

pub use attention::{AttentionSaved, AttentionShape};
pub use kv_cache::{CachedAttention, KvCacheShape};
pub use matmul::Matmul;
pub use optim::AdamWParams;
pub use policy_loss::{PolicyLossParams, PolicyLossSums};
pub use sample::SampleParams;
pub use swiglu::{GateUp, GateUpOutput};
pub use weight::{QuantError, QuantMatrix, WeightFormat};

/// An error from a backend op: a shape mismatch, a device failure, an out-of-memory.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BackendError {
    /// The sizes of the arguments do not fit together.
    #[error("shape mismatch in `{op}`: {detail}")]
    Shape {
        /// The op that found the mismatch.
        op: &'static str,
        /// What was expected and what was found.
        detail: String,
    },
    /// The device (GPU driver, allocator) reported a failure.
    #[error("device error: {0}")]
    Device(String),
    /// An op that needs f32 tensors was given a stored (quantized or half-precision) weight;
    /// see [`weight`].
    #[error(
        "`{op}` needs f32 tensors but was given a weight stored as {format} (a stored weight \
         serves only as matmul's `b` with trans_b and as embedding's table)"
    )]
    StoredWeight {
        /// The op that refused it.
        op: &'static str,
        /// How the weight is stored.
        format: WeightFormat,
    },
}

/// Shorthand for results of backend ops.
pub type Result<T> = core::result::Result<T, BackendError>;

/// The tensor ops a Llama-family decoder and its training need.
///
/// Every op has one reference implementation in `hir-backend-cpu`, written for clarity, and the
/// wgpu backend implements the same contract. The contract of each op is the doc of its family
/// module (linked from each method).
pub trait Backend {
    /// A device-resident buffer of `f32`.
    type Tensor;
    /// A device-resident buffer of `u32` (token ids, positions, targets).
    type Index;

    /// A short human-readable name (e.g. `"cpu"`, or the GPU adapter's name).
    fn name(&self) -> String;

    // ---- memory ([`memory`]) -------------------------------------------------------------

    /// Copies host data to a new tensor.
    fn upload(&self, data: &[f32]) -> Result<Self::Tensor>;
    /// A frozen weight matrix kept in its storage format; see [`weight`]. The default
    /// dequantizes it to f32 and [`upload`](Backend::upload)s it.
    fn upload_weight(&self, w: QuantMatrix<'_>) -> Result<Self::Tensor> {
        self.upload(&weight::dequantize(&w))
    }
    /// Copies host `u32` data to a new index buffer.
    fn upload_index(&self, data: &[u32]) -> Result<Self::Index>;
    /// A new tensor of `len` zeros.
    fn zeros(&self, len: usize) -> Result<Self::Tensor>;
    /// Copies a tensor back to the host.
    fn download(&self, t: &Self::Tensor) -> Result<Vec<f32>>;
    /// Copies an index buffer back to the host.
    fn download_index(&self, t: &Self::Index) -> Result<Vec<u32>>;
    /// Number of elements of a tensor.
    fn len(&self, t: &Self::Tensor) -> usize;
    /// Number of elements of an index buffer.
    fn index_len(&self, t: &Self::Index) -> usize;
    /// A copy of `src` as a new tensor.
    fn copy(&self, src: &Self::Tensor) -> Result<Self::Tensor>;
    /// Sets every element of `t` to zero.
    fn fill_zero(&self, t: &mut Self::Tensor) -> Result<()>;

    // ---- elementwise ([`elementwise`]) ---------------------------------------------------

    /// `y += alpha * x`; see [`elementwise`].
    fn axpy(&self, alpha: f32, x: &Self::Tensor, y: &mut Self::Tensor) -> Result<()>;
    /// `x *= alpha`; see [`elementwise`].
    fn scale(&self, x: &mut Self::Tensor, alpha: f32) -> Result<()>;
    /// `x[r, c] += bias[c]`; see [`elementwise`].
    fn add_bias(&self, x: &mut Self::Tensor, bias: &Self::Tensor, cols: usize) -> Result<()>;
    /// `dbias[c] += Σ_r dy[r, c]`, the backward of `add_bias`; see [`elementwise`].
    fn bias_backward_acc(
        &self,
        dy: &Self::Tensor,
        dbias: &mut Self::Tensor,
        cols: usize,
    ) -> Result<()>;
    /// Rows `rows[i]` of `x: [*, cols]` gathered into a new tensor; see [`elementwise`].
    fn gather_rows(
        &self,
        x: &Self::Tensor,
        rows: &Self::Index,
        cols: usize,
    ) -> Result<Self::Tensor>;

    // ---- linear algebra ([`matmul`]) -----------------------------------------------------

    /// `C = alpha · op(A) · op(B) + beta · C`; see [`matmul`].
    fn matmul(
        &self,
        a: &Self::Tensor,
        b: &Self::Tensor,
        c: &mut Self::Tensor,
        mm: Matmul,
    ) -> Result<()>;

    // ---- embedding ([`embedding`]) -------------------------------------------------------

    /// `out[i, :] = table[ids[i], :]`; see [`embedding`].
    fn embedding(
        &self,
        table: &Self::Tensor,
        ids: &Self::Index,
        dim: usize,
    ) -> Result<Self::Tensor>;
    /// `dtable[ids[i], :] += dout[i, :]`, deterministic; see [`embedding`].
    fn embedding_backward_acc(
        &self,
        dout: &Self::Tensor,
        ids: &Self::Index,
        dtable: &mut Self::Tensor,
        dim: usize,
    ) -> Result<()>;

    // ---- RMSNorm ([`rmsnorm`]) -----------------------------------------------------------

    /// RMSNorm forward, returns `(y, rstd)`; see [`rmsnorm`].
    fn rmsnorm(
        &self,
        x: &Self::Tensor,
        w: &Self::Tensor,
        dim: usize,
        eps: f32,
    ) -> Result<(Self::Tensor, Self::Tensor)>;
    /// RMSNorm backward: returns `dx`, adds the weight gradient into `dw`; see [`rmsnorm`].
    fn rmsnorm_backward(
        &self,
        dy: &Self::Tensor,
        x: &Self::Tensor,
        w: &Self::Tensor,
        rstd: &Self::Tensor,
        dw: &mut Self::Tensor,
        dim: usize,
    ) -> Result<Self::Tensor>;
    /// Residual add + RMSNorm: `delta += x` (becoming the new residual stream `x1`), returns
    /// `rmsnorm(x1, w)` as `(h, rstd)`; see [`rmsnorm`].
    ///
    /// The default is exactly `axpy(1.0, x, delta)` then `rmsnorm(delta, w)` (what the CPU
    /// backend runs); a GPU backend overrides it with one fused dispatch.
    fn add_rmsnorm(
        &self,
        x: &Self::Tensor,
        delta: &mut Self::Tensor,
        w: &Self::Tensor,
        dim: usize,
        eps: f32,
    ) -> Result<(Self::Tensor, Self::Tensor)> {
        rmsnorm::check_add_forward(self.len(x), self.len(delta), self.len(w), dim)?;
        self.axpy(1.0, x, delta)?;
        self.rmsnorm(delta, w, dim, eps)
    }

    // ---- RoPE ([`rope`]) -----------------------------------------------------------------

    /// Rotary position embedding in place (`inverse`: its backward); see [`rope`].
    fn rope(
        &self,
        x: &mut Self::Tensor,
        positions: &Self::Index,
        heads: usize,
        head_dim: usize,
        theta: f32,
        inverse: bool,
    ) -> Result<()>;

    // ---- attention ([`attention`], [`kv_cache`]) -----------------------------------------

    /// Causal grouped-query attention over packed sequences, returns `(o, lse)`; see
    /// [`attention`].
    fn attention(
        &self,
        q: &Self::Tensor,
        k: &Self::Tensor,
        v: &Self::Tensor,
        seq_starts: &[u32],
        shape: AttentionShape,
    ) -> Result<(Self::Tensor, Self::Tensor)>;

    /// Backward of `attention`, returns `(dq, dk, dv)`; see [`attention`].
    fn attention_backward(
        &self,
        d_o: &Self::Tensor,
        saved: AttentionSaved<'_, Self::Tensor>,
        seq_starts: &[u32],
        shape: AttentionShape,
    ) -> Result<(Self::Tensor, Self::Tensor, Self::Tensor)>;

    /// Writes new keys/values into a KV cache; see [`kv_cache`].
    fn kv_cache_write(
        &self,
        cache: &mut Self::Tensor,
        x: &Self::Tensor,
        slot: &Self::Index,
        pos: &Self::Index,
        shape: KvCacheShape,
    ) -> Result<()>;

    /// Attention of new query tokens against a KV cache, returns `o`; see [`kv_cache`].
    fn attention_cached(
        &self,
        q: &Self::Tensor,
        k_cache: &Self::Tensor,
        v_cache: &Self::Tensor,
        slot: &Self::Index,
        pos: &Self::Index,
        shape: CachedAttention,
    ) -> Result<Self::Tensor>;

    // ---- MLP ([`swiglu`]) ----------------------------------------------------------------

    /// `h = silu(gate) * up`; see [`swiglu`].
    fn swiglu(&self, gate: &Self::Tensor, up: &Self::Tensor) -> Result<Self::Tensor>;
    /// Backward of `swiglu`, returns `(dgate, dup)`; see [`swiglu`].
    fn swiglu_backward(
        &self,
        dh: &Self::Tensor,
        gate: &Self::Tensor,
        up: &Self::Tensor,
    ) -> Result<(Self::Tensor, Self::Tensor)>;
    /// `act = silu(x·w_gateᵀ) * (x·w_upᵀ)`, with `Some((gate, up))` when `shape.keep`; see
    /// [`swiglu`]. The default runs the unfused ops ([`swiglu::gate_up_unfused`]: `matmul`
    /// with trans_b into a fresh zeroed tensor for each product, as `model::linear` does,
    /// then `swiglu`).
    fn gate_up_swiglu(
        &self,
        x: &Self::Tensor,
        w_gate: &Self::Tensor,
        w_up: &Self::Tensor,
        shape: GateUp,
    ) -> Result<GateUpOutput<Self::Tensor>> {
        swiglu::gate_up_unfused(self, x, w_gate, w_up, shape)
    }

    // ---- losses over the vocabulary ([`cross_entropy`]) ----------------------------------

    /// Per-row softmax cross-entropy, returns `(loss, lse)`; see [`cross_entropy`].
    fn cross_entropy(
        &self,
        logits: &Self::Tensor,
        targets: &Self::Index,
        vocab: usize,
    ) -> Result<(Self::Tensor, Self::Tensor)>;
    /// Backward of `cross_entropy`, returns `dlogits`; see [`cross_entropy`].
    fn cross_entropy_backward(
        &self,
        logits: &Self::Tensor,
        lse: &Self::Tensor,
        targets: &Self::Index,
        dloss: &Self::Tensor,
        vocab: usize,
    ) -> Result<Self::Tensor>;
    /// Per-row target log-probability at `temperature` (the logits scaled in the same pass),
    /// returns `(logp, lse)`; see [`cross_entropy`].
    ///
    /// The default is exactly `scale(copy, 1/T)` (skipped at `T = 1`), `cross_entropy`, then
    /// `scale(loss, −1)`; the backends override it with one pass over the vocabulary.
    fn token_logprobs(
        &self,
        logits: &Self::Tensor,
        targets: &Self::Index,
        vocab: usize,
        temperature: f32,
    ) -> Result<(Self::Tensor, Self::Tensor)> {
        let inv_t = cross_entropy::inverse_temperature(temperature);
        cross_entropy::check_temperature_of("token_logprobs", temperature)?;
        let (mut logp, lse) = match inv_t {
            None => self.cross_entropy(logits, targets, vocab)?,
            Some(inv_t) => {
                let mut z = self.copy(logits)?;
                self.scale(&mut z, inv_t)?;
                self.cross_entropy(&z, targets, vocab)?
            }
        };
        self.scale(&mut logp, -1.0)?;
        Ok((logp, lse))
    }
    /// Backward of `token_logprobs` with respect to the unscaled logits, returns `dlogits`;
    /// see [`cross_entropy`].
    ///
    /// The default is exactly `cross_entropy_backward` of the scaled logits with
    /// `dloss = −dlogp`, then `scale(dlogits, 1/T)` (skipped at `T = 1`).
    fn token_logprobs_backward(
        &self,
        logits: &Self::Tensor,
        lse: &Self::Tensor,
        targets: &Self::Index,
        dlogp: &Self::Tensor,
        vocab: usize,
        temperature: f32,
    ) -> Result<Self::Tensor> {
        let inv_t = cross_entropy::inverse_temperature(temperature);
        cross_entropy::check_temperature_of("token_logprobs_backward", temperature)?;
        let mut dloss = self.copy(dlogp)?;
        self.scale(&mut dloss, -1.0)?;
        let mut dlogits = match inv_t {
            None => self.cross_entropy_backward(logits, lse, targets, &dloss, vocab)?,
            Some(inv_t) => {
                let mut z = self.copy(logits)?;
                self.scale(&mut z, inv_t)?;
                self.cross_entropy_backward(&z, lse, targets, &dloss, vocab)?
            }
        };
        if let Some(inv_t) = inv_t {
            self.scale(&mut dlogits, inv_t)?;
        }
        Ok(dlogits)
    }
    /// Per-row target log-probability and softmax entropy, returns `(logp, entropy)`; see
    /// [`cross_entropy`].
    fn token_logprobs_entropy(
        &self,
        logits: &Self::Tensor,
        targets: &Self::Index,
        vocab: usize,
        temperature: f32,
    ) -> Result<(Self::Tensor, Self::Tensor)>;

    // ---- optimiser ([`optim`]) -----------------------------------------------------------

    /// `Σ x²` over all given tensors, read back to the host; see [`optim`].
    fn sum_squares(&self, xs: &[&Self::Tensor]) -> Result<f32>;
    /// One AdamW update of `param` in place; see [`optim`].
    fn adamw_step(
        &self,
        param: &mut Self::Tensor,
        grad: &Self::Tensor,
        m: &mut Self::Tensor,
        v: &mut Self::Tensor,
        p: &AdamWParams,
    ) -> Result<()>;

    // ---- sampling ([`sample`]) -----------------------------------------------------------

    /// Draws one token per row of `logits`, read back to the host; see [`sample`].
    fn sample(
        &self,
        logits: &Self::Tensor,
        vocab: usize,
        seeds: &[u64],
        params: &SampleParams,
    ) -> Result<Vec<u32>>;

    // ---- device-side sampled ids ([`sample`], [`memory`]) ---------------------------------

    /// Draws one token per row of `logits` like [`sample`](Backend::sample) (the same ids)
    /// but keeps them on the device as an index buffer of `rows` ids, each `< vocab`; see
    /// [`sample`]. The default uploads `sample`'s result.
    fn sample_to_index(
        &self,
        logits: &Self::Tensor,
        vocab: usize,
        seeds: &[u64],
        params: &SampleParams,
    ) -> Result<Self::Index> {
        self.upload_index(&self.sample(logits, vocab, seeds, params)?)
    }

    /// Copies every index buffer of `ts` back to the host, in order, in one round trip to
    /// the device; see [`memory`]. The default calls
    /// [`download_index`](Backend::download_index) on each.
    fn download_indices(&self, ts: &[&Self::Index]) -> Result<Vec<Vec<u32>>> {
        ts.iter().map(|t| self.download_index(t)).collect()
    }

    // ---- policy loss ([`policy_loss`]) ---------------------------------------------------

    /// The PPO-clip policy loss, forward and backward in one op; see [`policy_loss`].
    fn policy_loss(
        &self,
        logp: &Self::Tensor,
        old_logp: &Self::Tensor,
        ref_logp: &Self::Tensor,
        adv: &Self::Tensor,
        weight: &Self::Tensor,
        p: &PolicyLossParams,
    ) -> Result<(Self::Tensor, PolicyLossSums)>;
}
