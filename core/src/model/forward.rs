//! The training forward pass: embeddings → decoder layers → final norm → logits, keeping the
//! activations the backward pass needs.

use super::linear::{linear, LinearDims};
use super::lora::{LoraConfig, LoraLayer, LoraTarget};
use super::lora_linear::lora_forward_acc;
use super::{LayerParams, Model, ModelConfig, PackedBatch, Result};
use crate::backend::{Backend, GateUp};
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
    /// `u = x·Aᵀ` of each adapted linear, `[N, r]`, by [`LoraTarget::index`] (all `None`
    /// without adapters).
    pub lora_u: [Option<T>; 7],
}

/// One layer's weights as a pass runs them: the base parameters and, when they are on, the
/// layer's adapters with the adapter config.
pub(crate) struct LayerWeights<'a, T> {
    /// The base parameters.
    pub params: &'a LayerParams<T>,
    /// The adapters, if the model has them and the pass uses them.
    pub lora: Option<(&'a LoraLayer<T>, &'a LoraConfig)>,
    /// The weight of the norm applied to the layer's output (the next layer's input norm, or
    /// the final norm), fused with the MLP's residual add; see [`Model::norm_after`].
    pub next_norm: &'a T,
}

impl<T> Clone for LayerWeights<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for LayerWeights<'_, T> {}

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

/// A point of the residual stream with its normalized form, as the next block reads it:
/// `h = rmsnorm(x) · w` with the `w` of the norm that follows `x`.
pub(crate) struct Normed<T> {
    /// The residual stream, `[N, D]`.
    pub x: T,
    /// `rmsnorm(x) · w`, `[N, D]`.
    pub h: T,
    /// `1/rms` of `x` per token, `[N]`.
    pub rstd: T,
}

/// What [`layer_forward`] returns: the layer output with its normalized form, and the layer's
/// activations.
pub(crate) type LayerOutput<T> = (Normed<T>, LayerActivations<T>);

/// One decoder layer, forward. `input` is the layer input with its `input_layernorm` applied;
/// the layer's output is normalized with `w.next_norm` (fused with the MLP's residual add).
/// `attend` computes attention from roped `(q, k, v)` and returns `(o, lse)`; the training
/// pass uses packed causal attention, inference uses the KV cache. Returns the layer output
/// (with its normalized form) and the activations.
///
/// Without an adapter on `gate_proj`/`up_proj` and without their biases, the MLP's gate and
/// up projections and the gating run as one `Backend::gate_up_swiglu`. `keep_mlp` says
/// whether the activations' `gate` and `up` are needed (training); when it is false (the
/// KV-cache path, which discards the activations) that fused op may leave them empty.
#[allow(clippy::too_many_arguments)]
pub(crate) fn layer_forward<B: Backend>(
    b: &B,
    cfg: &ModelConfig,
    w: LayerWeights<'_, B::Tensor>,
    input: Normed<B::Tensor>,
    positions: &B::Index,
    n: usize,
    keep_mlp: bool,
    attend: impl FnOnce(&B::Tensor, &B::Tensor, &B::Tensor) -> Result<(B::Tensor, B::Tensor)>,
) -> Result<LayerOutput<B::Tensor>> {
    let (d, f) = (cfg.hidden_size, cfg.intermediate_size);
    let (qd, kvd, e) = (cfg.q_dim(), cfg.kv_dim(), cfg.head_dim);
    let (heads, kv_heads) = (cfg.num_attention_heads, cfg.num_key_value_heads);
    let (lp, lora) = (w.params, w.lora);
    let mut lora_u: [Option<B::Tensor>; 7] = Default::default();
    // A base linear, plus its adapter's term when it has one (keeping `u` for backward).
    let mut lin = |x: &B::Tensor, t: LoraTarget, d_in: usize, d_out: usize| -> Result<B::Tensor> {
        let mut y = linear(b, x, t.base(lp), n, d_in, d_out)?;
        if let Some((ll, lc)) = lora {
            if let Some(pair) = ll.get(t) {
                let dims = LinearDims::new(n, d_in, d_out);
                let u = lora_forward_acc(b, x, pair, &mut y, dims, lc.rank, lc.scale())?;
                lora_u[t.index()] = Some(u);
            }
        }
        Ok(y)
    };

    // Attention block.
    let Normed {
        x,
        h: h1,
        rstd: rstd1,
    } = input;
    let mut q = lin(&h1, LoraTarget::QProj, d, qd)?;
    let mut k = lin(&h1, LoraTarget::KProj, d, kvd)?;
    let mut v = lin(&h1, LoraTarget::VProj, d, kvd)?;
    if let (Some(bq), Some(bk), Some(bv)) = (&lp.q_bias, &lp.k_bias, &lp.v_bias) {
        b.add_bias(&mut q, bq, qd)?;
        b.add_bias(&mut k, bk, kvd)?;
        b.add_bias(&mut v, bv, kvd)?;
    }
    b.rope(&mut q, positions, heads, e, cfg.rope_theta, false)?;
    b.rope(&mut k, positions, kv_heads, e, cfg.rope_theta, false)?;
    let (o, lse) = attend(&q, &k, &v)?;
    let mut x1 = lin(&o, LoraTarget::OProj, qd, d)?;
    if let Some(bo) = &lp.o_bias {
        b.add_bias(&mut x1, bo, d)?;
    }
    // Residual add fused with the MLP block's input norm.
    let (h2, rstd2) = b.add_rmsnorm(&x, &mut x1, &lp.post_norm, d, cfg.rms_norm_eps)?;

    // MLP block: one fused op unless an adapter or a bias comes between the products and
    // the gating.
    let adapted = lora.is_some_and(|(ll, _)| {
        ll.get(LoraTarget::GateProj).is_some() || ll.get(LoraTarget::UpProj).is_some()
    });
    let (gate, up, act) = match (&lp.gate_bias, &lp.up_bias) {
        (Some(bg), Some(bu)) => {
            let mut gate = lin(&h2, LoraTarget::GateProj, d, f)?;
            let mut up = lin(&h2, LoraTarget::UpProj, d, f)?;
            b.add_bias(&mut gate, bg, f)?;
            b.add_bias(&mut up, bu, f)?;
            let act = b.swiglu(&gate, &up)?;
            (gate, up, act)
        }
        _ if adapted => {
            let gate = lin(&h2, LoraTarget::GateProj, d, f)?;
            let up = lin(&h2, LoraTarget::UpProj, d, f)?;
            let act = b.swiglu(&gate, &up)?;
            (gate, up, act)
        }
        _ => {
            let shape = GateUp::new(n, d, f, keep_mlp);
            let (act, kept) = b.gate_up_swiglu(&h2, &lp.gate_proj, &lp.up_proj, shape)?;
            let (gate, up) = match kept {
                Some(pair) => pair,
                // Inference keeps neither; empty tensors stand in for them.
                None => (b.zeros(0)?, b.zeros(0)?),
            };
            (gate, up, act)
        }
    };
    let mut x2 = lin(&act, LoraTarget::DownProj, f, d)?;
    if let Some(bd) = &lp.down_bias {
        b.add_bias(&mut x2, bd, d)?;
    }
    // Residual add fused with the norm that follows the layer.
    let (h3, rstd3) = b.add_rmsnorm(&x1, &mut x2, w.next_norm, d, cfg.rms_norm_eps)?;
    let out = Normed {
        x: x2,
        h: h3,
        rstd: rstd3,
    };

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
        lora_u,
    };
    Ok((out, acts))
}

impl<B: Backend> Model<B> {
    /// The weight of the norm applied to the output of layer `l`: the next layer's input norm,
    /// or the final norm after the last layer.
    pub(crate) fn norm_after(&self, l: usize) -> &B::Tensor {
        self.params
            .layers
            .get(l + 1)
            .map_or(&self.params.final_norm, |lp| &lp.input_norm)
    }

    /// The embeddings of `ids` with the first norm applied (layer 0's input norm, or the final
    /// norm of a model without layers).
    pub(crate) fn embed_normed(&self, b: &B, ids: &B::Index) -> Result<Normed<B::Tensor>> {
        let cfg = &self.config;
        let d = cfg.hidden_size;
        let x = b.embedding(&self.params.embed, ids, d)?;
        let first = self
            .params
            .layers
            .first()
            .map_or(&self.params.final_norm, |lp| &lp.input_norm);
        let (h, rstd) = b.rmsnorm(&x, first, d, cfg.rms_norm_eps)?;
        Ok(Normed { x, h, rstd })
    }

    /// Forward over a packed batch: returns logits `[N, V]` and the activations for
    /// [`Model::backward`]. Adapters, when the model has them, are applied.
    pub fn forward(&self, b: &B, batch: &PackedBatch) -> Result<(B::Tensor, Activations<B>)> {
        self.forward_with(b, batch, true)
    }

    /// [`Model::forward`] with the adapters switched off: the base model (the KL reference
    /// of a LoRA run). The same as `forward` for a model without adapters.
    pub fn forward_base(&self, b: &B, batch: &PackedBatch) -> Result<(B::Tensor, Activations<B>)> {
        self.forward_with(b, batch, false)
    }

    /// Forward with (`adapters = true`) or without the adapters.
    pub fn forward_with(
        &self,
        b: &B,
        batch: &PackedBatch,
        adapters: bool,
    ) -> Result<(B::Tensor, Activations<B>)> {
        let cfg = &self.config;
        let n = batch.num_tokens();
        if n == 0 {
            return Err(super::ModelError::Input("the batch has no tokens".into()));
        }
        self.check_ids(&batch.ids)?;
        let d = cfg.hidden_size;
        let ids = b.upload_index(&batch.ids)?;
        let positions = b.upload_index(&batch.positions())?;

        // Each residual add is fused with the norm that follows it, so the stream always
        // travels with its normalized form; after the last layer that is the final norm.
        let mut cur = self.embed_normed(b, &ids)?;
        let mut layers = Vec::with_capacity(cfg.num_hidden_layers);
        for l in 0..self.params.layers.len() {
            let w = self.layer_weights(l, adapters);
            let (next, acts) = layer_forward(b, cfg, w, cur, &positions, n, true, |q, k, v| {
                Ok(b.attention(q, k, v, &batch.seq_starts, cfg.attention_shape())?)
            })?;
            layers.push(acts);
            cur = next;
        }
        let logits = linear(b, &cur.h, self.head(), n, d, cfg.vocab_size)?;
        let acts = Activations {
            n,
            seq_starts: batch.seq_starts.clone(),
            ids,
            positions,
            layers,
            x_final: cur.x,
            rstd_final: cur.rstd,
            h_final: cur.h,
        };
        Ok((logits, acts))
    }
}
