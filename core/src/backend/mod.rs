//! The `Backend` trait: every tensor op the model, its training and its sampling need.
//!
//! This is the seam between the backend-agnostic core (model, RL math) and the places where
//! numbers are actually crunched (`hir-backend-cpu`, the f32 reference, and `hir-backend-wgpu`).
//!
//! Design rules:
//! - Tensors are opaque, device-resident handles (`Backend::Tensor` for `f32` data,
//!   `Backend::Index` for `u32` data such as token ids and positions). Host data moves only
//!   through `upload*` / `download*`; an op never reads back to the host unless its return type
//!   is a host value (`sum_squares`, `sample`).
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

use crate::rl::{KlEstimator, PpoClip};

pub mod shape;

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
}

/// Shorthand for results of backend ops.
pub type Result<T> = core::result::Result<T, BackendError>;

/// Hyper-parameters of one AdamW update (decoupled weight decay, bias-corrected moments).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamWParams {
    /// Learning rate.
    pub lr: f32,
    /// First-moment decay (PyTorch default 0.9).
    pub beta1: f32,
    /// Second-moment decay (PyTorch default 0.999).
    pub beta2: f32,
    /// Denominator epsilon (PyTorch default 1e-8).
    pub eps: f32,
    /// Decoupled weight decay (applied as `p -= lr * wd * p`).
    pub weight_decay: f32,
    /// 1-based step counter, used for bias correction.
    pub step: u32,
    /// Multiplier applied to the gradient before the moments (e.g. a grad-norm clip factor).
    pub grad_scale: f32,
}

/// Sampling settings for [`Backend::sample`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleParams {
    /// Softmax temperature; `0.0` means greedy (argmax, lowest index on ties).
    pub temperature: f32,
    /// Nucleus mass in `(0, 1]`; `1.0` disables top-p.
    pub top_p: f32,
}

/// Settings of [`Backend::policy_loss`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PolicyLossParams {
    /// The PPO-clip constants (`clip_ratio_low/high`, dual-clip `clip_ratio_c`).
    pub clip: PpoClip,
    /// Weight of the KL-as-loss term (`kl_loss_coef`; 0 turns it off).
    pub kl_coef: f32,
    /// The KL estimator of the KL-as-loss term.
    pub kl: KlEstimator,
}

/// Token sums returned by [`Backend::policy_loss`] (read back for the loss value and the logs).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PolicyLossSums {
    /// `Σ_t w_t · l_t`: the aggregated PPO-clip loss (`pg_loss`).
    pub pg_loss: f32,
    /// `Σ_t w_t · kl_t`: the aggregated KL estimate (`kl_loss`, before `kl_coef`).
    pub kl_loss: f32,
    /// Tokens with `w_t ≠ 0`.
    pub tokens: f32,
    /// Tokens with `w_t ≠ 0` where the ratio clip is active (`pg_clipfrac · tokens`).
    pub clipped: f32,
    /// Tokens with `w_t ≠ 0` where the dual clip is active (`pg_clipfrac_lower · tokens`).
    pub clipped_lower: f32,
    /// `Σ_t −clamp(logp_t − old_logp_t, −20, 20)` over tokens with `w_t ≠ 0` (`ppo_kl · tokens`,
    /// with verl's clamp of the log-ratio).
    pub neg_log_ratio: f32,
}

/// The tensor ops a Llama-family decoder and its training need.
///
/// Every op has one reference implementation in `hir-backend-cpu`, written for clarity, and the
/// wgpu backend implements the same contract. The contract of each op is its doc comment.
pub trait Backend {
    /// A device-resident buffer of `f32`.
    type Tensor;
    /// A device-resident buffer of `u32` (token ids, positions, targets).
    type Index;

    /// A short human-readable name (e.g. `"cpu"`, or the GPU adapter's name).
    fn name(&self) -> String;

    // ---- memory -------------------------------------------------------------------------

    /// Copies host data to a new tensor.
    fn upload(&self, data: &[f32]) -> Result<Self::Tensor>;
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

    // ---- elementwise ---------------------------------------------------------------------

    /// `y += alpha * x` (same length).
    fn axpy(&self, alpha: f32, x: &Self::Tensor, y: &mut Self::Tensor) -> Result<()>;
    /// `x *= alpha`.
    fn scale(&self, x: &mut Self::Tensor, alpha: f32) -> Result<()>;
    /// `x[r, c] += bias[c]` for `x: [rows, cols]`, `bias: [cols]`.
    fn add_bias(&self, x: &mut Self::Tensor, bias: &Self::Tensor, cols: usize) -> Result<()>;
    /// `dbias[c] += Σ_r dy[r, c]` for `dy: [rows, cols]` (the backward of [`Backend::add_bias`]).
    fn bias_backward_acc(
        &self,
        dy: &Self::Tensor,
        dbias: &mut Self::Tensor,
        cols: usize,
    ) -> Result<()>;
    /// Rows `rows[i]` of `x: [*, cols]` gathered into a new `[rows.len(), cols]` tensor.
    /// A row index past the end of `x` is a shape error.
    fn gather_rows(
        &self,
        x: &Self::Tensor,
        rows: &Self::Index,
        cols: usize,
    ) -> Result<Self::Tensor>;

    // ---- linear algebra ------------------------------------------------------------------

    /// `C = alpha * op(A) · op(B) + beta * C` with `op(X) = Xᵀ` when the flag is set.
    ///
    /// `op(A)` is `[m, k]` and `op(B)` is `[k, n]`; stored `A` is `[m, k]` (or `[k, m]` when
    /// `trans_a`), stored `B` is `[k, n]` (or `[n, k]` when `trans_b`), `C` is `[m, n]`.
    /// With `beta = 0` the previous content of `C` is ignored (even if it holds NaN). `k = 0`
    /// gives `C = beta * C`.
    #[allow(clippy::too_many_arguments)]
    fn matmul(
        &self,
        a: &Self::Tensor,
        b: &Self::Tensor,
        c: &mut Self::Tensor,
        m: usize,
        k: usize,
        n: usize,
        trans_a: bool,
        trans_b: bool,
        alpha: f32,
        beta: f32,
    ) -> Result<()>;

    // ---- embedding -----------------------------------------------------------------------

    /// `out[i, :] = table[ids[i], :]`, `table: [V, D]`, `out: [N, D]`; `V = table.len() / D`,
    /// and an id `≥ V` is a shape error.
    fn embedding(
        &self,
        table: &Self::Tensor,
        ids: &Self::Index,
        dim: usize,
    ) -> Result<Self::Tensor>;
    /// `dtable[ids[i], :] += dout[i, :]` (the backward of [`Backend::embedding`]).
    ///
    /// Must be deterministic: repeated ids are summed in token order.
    fn embedding_backward_acc(
        &self,
        dout: &Self::Tensor,
        ids: &Self::Index,
        dtable: &mut Self::Tensor,
        dim: usize,
    ) -> Result<()>;

    // ---- RMSNorm -------------------------------------------------------------------------

    /// `y[r] = x[r] * rstd[r] * w` with `rstd[r] = 1 / sqrt(mean(x[r]²) + eps)`.
    ///
    /// `x: [rows, dim]`, `w: [dim]`; returns `(y: [rows, dim], rstd: [rows])`.
    fn rmsnorm(
        &self,
        x: &Self::Tensor,
        w: &Self::Tensor,
        dim: usize,
        eps: f32,
    ) -> Result<(Self::Tensor, Self::Tensor)>;
    /// Backward of [`Backend::rmsnorm`]: returns `dx`, adds the weight gradient into `dw`.
    ///
    /// `rstd` is the one returned by the forward pass. With `x̂ = x · rstd`:
    /// `dx = rstd · (dy·w − x̂ · mean(dy·w·x̂))` per row and `dw += Σ_rows dy · x̂`.
    fn rmsnorm_backward(
        &self,
        dy: &Self::Tensor,
        x: &Self::Tensor,
        w: &Self::Tensor,
        rstd: &Self::Tensor,
        dw: &mut Self::Tensor,
        dim: usize,
    ) -> Result<Self::Tensor>;

    // ---- RoPE ----------------------------------------------------------------------------

    /// Rotary position embedding, Hugging Face "rotate half" layout, in place.
    ///
    /// `x: [N, heads, head_dim]`, `positions: [N]`. For pair `i < head_dim/2` of each head,
    /// with `f = theta^(-2i/head_dim)` and angle `a = pos * f`:
    /// `x[i] ← x[i] cos a − x[i+E/2] sin a`, `x[i+E/2] ← x[i+E/2] cos a + x[i] sin a`.
    /// `inverse = true` rotates by `−a`, which is exactly the backward pass.
    ///
    /// `head_dim` must be even. The angle is computed as Hugging Face transformers does, in
    /// f32: `inv_freq = f32(1 / theta^(2i/head_dim))`, `a = f32(pos) * inv_freq` (one f32
    /// product, so large positions carry the same rounding as the reference model); `cos a`
    /// and `sin a` are then those of that f32 angle.
    fn rope(
        &self,
        x: &mut Self::Tensor,
        positions: &Self::Index,
        heads: usize,
        head_dim: usize,
        theta: f32,
        inverse: bool,
    ) -> Result<()>;

    // ---- attention -----------------------------------------------------------------------

    /// Causal grouped-query attention over packed sequences (training / full forward).
    ///
    /// `q: [N, H, E]`, `k, v: [N, Hkv, E]`; sequence `s` holds tokens
    /// `seq_starts[s] .. seq_starts[s+1]` and token `i` attends to tokens `j ≤ i` of its own
    /// sequence. Query head `h` uses key/value head `h / (H / Hkv)`. Scores are scaled by
    /// `1/sqrt(E)`. Returns `(o: [N, H, E], lse: [N, H])` where `lse` is the log-sum-exp of
    /// each (scaled) score row (kept for the backward pass).
    ///
    /// `seq_starts` has one entry per sequence plus a final `N`: it starts at 0, never
    /// decreases and ends at `N = q.len() / (H·E)` (e.g. `[0, 3, 4, 6]` packs sequences of
    /// 3, 1 and 2 tokens; an empty sequence is allowed). `H` must be a multiple of `Hkv`.
    #[allow(clippy::too_many_arguments)]
    fn attention(
        &self,
        q: &Self::Tensor,
        k: &Self::Tensor,
        v: &Self::Tensor,
        seq_starts: &[u32],
        heads: usize,
        kv_heads: usize,
        head_dim: usize,
    ) -> Result<(Self::Tensor, Self::Tensor)>;

    /// Backward of [`Backend::attention`]: returns `(dq, dk, dv)` with the shapes of `q, k, v`.
    ///
    /// `o` and `lse` are the forward outputs. With `D_i = do_i·o_i`, `p_ij = exp(s_ij − lse_i)`
    /// and `ds_ij = p_ij (do_i·v_j − D_i)`: `dq_i = Σ_j ds_ij k_j / sqrt(E)`,
    /// `dk_j = Σ_i ds_ij q_i / sqrt(E)` and `dv_j = Σ_i p_ij do_i`, the sums over `i` running
    /// over every query head of `j`'s group. Must be deterministic (no atomics whose order
    /// depends on scheduling).
    #[allow(clippy::too_many_arguments)]
    fn attention_backward(
        &self,
        d_o: &Self::Tensor,
        q: &Self::Tensor,
        k: &Self::Tensor,
        v: &Self::Tensor,
        o: &Self::Tensor,
        lse: &Self::Tensor,
        seq_starts: &[u32],
        heads: usize,
        kv_heads: usize,
        head_dim: usize,
    ) -> Result<(Self::Tensor, Self::Tensor, Self::Tensor)>;

    /// Writes new keys/values into a KV cache.
    ///
    /// `cache: [slots, max_len, Hkv, E]`; `x: [N, Hkv, E]`; token `i` goes to
    /// `cache[slot[i], pos[i]]`. The number of slots is `cache.len() / (max_len·Hkv·E)`; a slot
    /// or position out of range is a shape error. Tokens are written in order (when two
    /// tokens name the same place, the later one wins).
    #[allow(clippy::too_many_arguments)]
    fn kv_cache_write(
        &self,
        cache: &mut Self::Tensor,
        x: &Self::Tensor,
        slot: &Self::Index,
        pos: &Self::Index,
        max_len: usize,
        kv_heads: usize,
        head_dim: usize,
    ) -> Result<()>;

    /// Attention of new query tokens against a KV cache (prefill and decode).
    ///
    /// `q: [N, H, E]`; query `i` belongs to cache slot `slot[i]`, sits at position `pos[i]` and
    /// attends to `cache[slot[i], 0..=pos[i]]` of `k_cache, v_cache: [slots, max_len, Hkv, E]`.
    /// Returns `o: [N, H, E]`.
    ///
    /// Queries do not see each other: a prefill writes its keys/values with
    /// [`Backend::kv_cache_write`] first, then attends. On the same tokens the result equals
    /// [`Backend::attention`]'s `o` (the CPU backend makes it bit-identical).
    #[allow(clippy::too_many_arguments)]
    fn attention_cached(
        &self,
        q: &Self::Tensor,
        k_cache: &Self::Tensor,
        v_cache: &Self::Tensor,
        slot: &Self::Index,
        pos: &Self::Index,
        max_len: usize,
        heads: usize,
        kv_heads: usize,
        head_dim: usize,
    ) -> Result<Self::Tensor>;

    // ---- MLP -----------------------------------------------------------------------------

    /// `h = silu(gate) * up`, elementwise, `silu(x) = x / (1 + e^(−x))`.
    fn swiglu(&self, gate: &Self::Tensor, up: &Self::Tensor) -> Result<Self::Tensor>;
    /// Backward of [`Backend::swiglu`]: returns `(dgate, dup)`.
    fn swiglu_backward(
        &self,
        dh: &Self::Tensor,
        gate: &Self::Tensor,
        up: &Self::Tensor,
    ) -> Result<(Self::Tensor, Self::Tensor)>;

    // ---- losses over the vocabulary ------------------------------------------------------

    /// Per-row softmax cross-entropy. `logits: [rows, V]`, `targets: [rows]`.
    ///
    /// Returns `(loss: [rows], lse: [rows])` with `loss[r] = lse[r] − logits[r, targets[r]]`.
    /// A target equal to `u32::MAX` marks an ignored row: its loss is 0 (its `lse` is still
    /// computed). Any other target `≥ V` is a shape error.
    fn cross_entropy(
        &self,
        logits: &Self::Tensor,
        targets: &Self::Index,
        vocab: usize,
    ) -> Result<(Self::Tensor, Self::Tensor)>;
    /// Backward of [`Backend::cross_entropy`] given `dloss: [rows]`:
    /// `dlogits[r, j] = dloss[r] * (softmax(logits[r])[j] − 1[j = targets[r]])`
    /// (zero rows for ignored targets).
    fn cross_entropy_backward(
        &self,
        logits: &Self::Tensor,
        lse: &Self::Tensor,
        targets: &Self::Index,
        dloss: &Self::Tensor,
        vocab: usize,
    ) -> Result<Self::Tensor>;
    /// Per-row log-probability of the target and entropy of the softmax, at `temperature`
    /// (logits are divided by it first; use 1.0 for none).
    ///
    /// Returns `(logp: [rows], entropy: [rows])`, `entropy = −Σ_j p_j log p_j`.
    /// A target equal to `u32::MAX` gives `logp = 0` (the entropy is still computed);
    /// `temperature` must be finite and `> 0`.
    fn token_logprobs_entropy(
        &self,
        logits: &Self::Tensor,
        targets: &Self::Index,
        vocab: usize,
        temperature: f32,
    ) -> Result<(Self::Tensor, Self::Tensor)>;

    // ---- optimiser -----------------------------------------------------------------------

    /// `Σ x²` over all given tensors, read back to the host (for the global grad norm).
    fn sum_squares(&self, xs: &[&Self::Tensor]) -> Result<f32>;
    /// One AdamW update of `param` in place, with moment buffers `m`, `v`.
    ///
    /// Matches `torch.optim.AdamW` operation by operation, per element in f32, with `g =
    /// grad · grad_scale` and the scalar factors computed in f64 from the f32 parameters:
    /// `p *= 1 − lr·wd`; `m += (1 − β1)(g − m)`; `v = v·β2 + (1 − β2)·g²`;
    /// `p −= (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + eps)`. `step` must be `≥ 1`.
    fn adamw_step(
        &self,
        param: &mut Self::Tensor,
        grad: &Self::Tensor,
        m: &mut Self::Tensor,
        v: &mut Self::Tensor,
        p: &AdamWParams,
    ) -> Result<()>;

    // ---- sampling ------------------------------------------------------------------------

    /// Draws one token per row of `logits: [rows, V]`, read back to the host.
    ///
    /// Deterministic in `(seeds[r], logits)`: row `r` draws its uniform number from the
    /// counter-based generator [`crate::rng::uniform`]`(seeds[r])`. Top-p keeps the smallest
    /// prefix of tokens sorted by probability (descending, lower index first on ties) whose
    /// mass reaches `top_p`, then samples from it renormalised.
    ///
    /// Precisely: `p_j ∝ exp((z_j − max z) / T)`; the kept set `K` is that prefix (all tokens
    /// when `top_p = 1`); with `u = uniform(seeds[r])` the token is the first `j ∈ K` in
    /// ascending index order whose running sum `Σ_{k ∈ K, k ≤ j} p_k` exceeds `u · Σ_K p`.
    /// Walking `K` in index order (not sorted order) keeps the draw well defined without a
    /// sort when top-p is off. Temperature 0 is greedy and ignores `u` and `top_p`. Requires
    /// `seeds.len() = rows`, a finite `temperature ≥ 0` and `top_p ∈ (0, 1]`.
    fn sample(
        &self,
        logits: &Self::Tensor,
        vocab: usize,
        seeds: &[u64],
        params: &SampleParams,
    ) -> Result<Vec<u32>>;

    // ---- policy loss ---------------------------------------------------------------------

    /// The PPO-clip policy loss over response tokens, forward and backward in one op.
    ///
    /// Inputs are per token, all `[N]`: `logp` (current policy), `old_logp` (behaviour
    /// policy), `ref_logp` (reference policy; read only when `p.kl_coef ≠ 0`), `adv`
    /// (advantages) and `weight` (the aggregation weight of each token: `1/N_tokens` for
    /// token-mean, `1/S` for seq-mean-token-sum, `1/(S·len_s)` for seq-mean-token-mean, 0 for
    /// padding). Per token, [`crate::rl::ppo_token`] gives `l_t` and `∂l_t/∂logp_t`, and
    /// `p.kl` gives `kl_t` and its derivative. Returns
    /// `dlogp_t = w_t · (∂l_t/∂logp_t + kl_coef · ∂kl_t/∂logp_t)` and the sums of
    /// [`PolicyLossSums`] (accumulated in f64, read back to the host); the total loss is
    /// `pg_loss + kl_coef · kl_loss`.
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
