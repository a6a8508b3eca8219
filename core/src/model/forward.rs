//! The training forward pass: embeddings → decoder layers → final norm → logits, keeping the
//! activations the backward pass needs.

use super::linear::linear;
use super::{LayerParams, Model, ModelConfig, PackedBatch, Result};
use crate::backend::Backend;
use alloc::vec::Vec;

/// What one layer's backward pass needs from its forward pass.
pub struct LayerActivations<T> {
    /// Layer input (residual stream), `[N, D]`.
    pub x: T,
    /// `1/rms` of `x` per token, `[N]`.
    pub rstd1: T,
    /// `input_layernorm(x)`, `[N, D]`.
    pub h1: T,
    /// Queries after bias and RoPE, `[N, H·E]`.
    pub q: T,
    /// Keys after bias and RoPE, `[N, Hkv·E]`.
    pub k: T,
    /// Values after bias, `[N, Hkv·E]`.
    pub v: T,
    /// Attention output before `o_proj`, `[N, H·E]`.
    pub o: T,
    /// Log-sum-exp of each attention score row, `[N, H]`.
    pub lse: T,
    /// Residual stream after attention, `[N, D]`.
    pub x1: T,
    /// `1/rms` of `x1`, `[N]`.
    pub rstd2: T,
    /// `post_attention_layernorm(x1)`, `[N, D]`.
    pub h2: T,
    /// `gate_proj(h2)`, `[N, F]`.
    pub gate: T,
    /// `up_proj(h2)`, `[N, F]`.
    pub up: T,
    /// `silu(gate) * up`, `[N, F]`.
    pub act: T,
}

/// Everything [`Model::backward`] needs from [`Model::forward`].
pub struct Activations<B: Backend> {
    /// Number of tokens `N`.
    pub n: usize,
    /// Sequence boundaries of the packed batch.
    pub seq_starts: Vec<u32>,
    /// Token ids, `[N]`.
    pub ids: B::Index,
    /// Position of each token in its sequence, `[N]`.
    pub positions: B::Index,
    /// Per-layer activations.
    pub layers: Vec<LayerActivations<B::Tensor>>,
    /// Input of the final norm, `[N, D]`.
    pub x_final: B::Tensor,
    /// `1/rms` of `x_final`, `[N]`.
    pub rstd_final: B::Tensor,
    /// Output of the final norm (input of the head), `[N, D]`.
    pub h_final: B::Tensor,
}

/// One decoder layer, forward. `attend` computes attention from roped `(q, k, v)` and
/// returns `(o, lse)`; the training pass uses packed causal attention, inference uses the
/// KV cache. Returns the layer output and the activations.
pub(crate) fn layer_forward<B: Backend>(
    b: &B,
    cfg: &ModelConfig,
    lp: &LayerParams<B::Tensor>,
    x: B::Tensor,
    positions: &B::Index,
    n: usize,
    attend: impl FnOnce(&B::Tensor, &B::Tensor, &B::Tensor) -> Result<(B::Tensor, B::Tensor)>,
) -> Result<(B::Tensor, LayerActivations<B::Tensor>)> {
    let (d, f) = (cfg.hidden_size, cfg.intermediate_size);
    let (qd, kvd, e) = (cfg.q_dim(), cfg.kv_dim(), cfg.head_dim);
    let (heads, kv_heads) = (cfg.num_attention_heads, cfg.num_key_value_heads);

    // Attention block.
    let (h1, rstd1) = b.rmsnorm(&x, &lp.input_norm, d, cfg.rms_norm_eps)?;
    let mut q = linear(b, &h1, &lp.q_proj, n, d, qd)?;
    let mut k = linear(b, &h1, &lp.k_proj, n, d, kvd)?;
    let mut v = linear(b, &h1, &lp.v_proj, n, d, kvd)?;
    if let (Some(bq), Some(bk), Some(bv)) = (&lp.q_bias, &lp.k_bias, &lp.v_bias) {
        b.add_bias(&mut q, bq, qd)?;
        b.add_bias(&mut k, bk, kvd)?;
        b.add_bias(&mut v, bv, kvd)?;
    }
    b.rope(&mut q, positions, heads, e, cfg.rope_theta, false)?;
    b.rope(&mut k, positions, kv_heads, e, cfg.rope_theta, false)?;
    let (o, lse) = attend(&q, &k, &v)?;
    let mut x1 = linear(b, &o, &lp.o_proj, n, qd, d)?;
    if let Some(bo) = &lp.o_bias {
        b.add_bias(&mut x1, bo, d)?;
    }
    b.axpy(1.0, &x, &mut x1)?;

    // MLP block.
    let (h2, rstd2) = b.rmsnorm(&x1, &lp.post_norm, d, cfg.rms_norm_eps)?;
    let mut gate = linear(b, &h2, &lp.gate_proj, n, d, f)?;
    let mut up = linear(b, &h2, &lp.up_proj, n, d, f)?;
    if let (Some(bg), Some(bu)) = (&lp.gate_bias, &lp.up_bias) {
        b.add_bias(&mut gate, bg, f)?;
        b.add_bias(&mut up, bu, f)?;
    }
    let act = b.swiglu(&gate, &up)?;
    let mut x2 = linear(b, &act, &lp.down_proj, n, f, d)?;
    if let Some(bd) = &lp.down_bias {
        b.add_bias(&mut x2, bd, d)?;
    }
    b.axpy(1.0, &x1, &mut x2)?;

    let acts = LayerActivations {
        x,
        rstd1,
        h1,
        q,
        k,
        v,
        o,
        lse,
        x1,
        rstd2,
        h2,
        gate,
        up,
        act,
    };
    Ok((x2, acts))
}

impl<B: Backend> Model<B> {
    /// Forward over a packed batch: returns logits `[N, V]` and the activations for
    /// [`Model::backward`].
    pub fn forward(&self, b: &B, batch: &PackedBatch) -> Result<(B::Tensor, Activations<B>)> {
        let cfg = &self.config;
        let n = batch.num_tokens();
        if n == 0 {
            return Err(super::ModelError::Input("the batch has no tokens".into()));
        }
        self.check_ids(&batch.ids)?;
        let d = cfg.hidden_size;
        let ids = b.upload_index(&batch.ids)?;
        let positions = b.upload_index(&batch.positions())?;

        let mut x = b.embedding(&self.params.embed, &ids, d)?;
        let mut layers = Vec::with_capacity(cfg.num_hidden_layers);
        for lp in &self.params.layers {
            let (x_next, acts) = layer_forward(b, cfg, lp, x, &positions, n, |q, k, v| {
                Ok(b.attention(q, k, v, &batch.seq_starts, cfg.attention_shape())?)
            })?;
            layers.push(acts);
            x = x_next;
        }
        let (h_final, rstd_final) = b.rmsnorm(&x, &self.params.final_norm, d, cfg.rms_norm_eps)?;
        let logits = linear(b, &h_final, self.head(), n, d, cfg.vocab_size)?;
        let acts = Activations {
            n,
            seq_starts: batch.seq_starts.clone(),
            ids,
            positions,
            layers,
            x_final: x,
            rstd_final,
            h_final,
        };
        Ok((logits, acts))
    }
}
