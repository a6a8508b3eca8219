//! The backward pass, layer by layer in reverse, and the next-token loss.

use super::forward::LayerWeights;
use super::forward::{Activations, LayerActivations};
use super::linear::{linear_backward, LinearDims};
use super::lora::{LoraLayer, LoraPair, LoraTarget, LoraWeights};
use super::lora_linear::{lora_backward_acc, LoraSaved, LoraShape};
use super::{LayerParams, Model, ModelConfig, PackedBatch, Params, Result, IGNORE};
use crate::backend::{AttentionSaved, Backend};
use alloc::format;
use alloc::vec::Vec;

/// Where one layer's parameter gradients go: every base parameter (full fine-tune), or only
/// the adapters (LoRA: the base is frozen, its norms' gradients land in a scratch tensor).
pub(crate) enum LayerGrads<'a, T> {
    /// Gradients of every parameter of the layer.
    Full(&'a mut LayerParams<T>),
    /// Gradients of the layer's adapters only; `scratch` (`[D]`) absorbs the norms'.
    Lora(&'a mut LoraLayer<T>, &'a mut T),
}

impl<T> LayerGrads<'_, T> {
    /// The gradient of `t`'s base weight (full) and of its adapter (LoRA), where kept.
    fn linear(&mut self, t: LoraTarget) -> (Option<&mut T>, Option<&mut LoraPair<T>>) {
        match self {
            LayerGrads::Full(g) => (Some(t.base_mut(g)), None),
            LayerGrads::Lora(g, _) => (None, g.get_mut(t)),
        }
    }

    /// The gradient of a norm weight (`post = true`: `post_attention_layernorm`).
    fn norm(&mut self, post: bool) -> &mut T {
        match self {
            LayerGrads::Full(g) => {
                if post {
                    &mut g.post_norm
                } else {
                    &mut g.input_norm
                }
            }
            LayerGrads::Lora(_, scratch) => scratch,
        }
    }

    /// The layer's bias gradients, when they are trained (full fine-tune).
    fn biases(&mut self) -> Option<&mut LayerParams<T>> {
        match self {
            LayerGrads::Full(g) => Some(g),
            LayerGrads::Lora(..) => None,
        }
    }
}

/// One linear of a layer in the backward pass: which one, the gradient of its output and
/// its input (kept from the forward pass).
struct LinearGrad<'a, T> {
    /// Which linear.
    target: LoraTarget,
    /// `dy: [rows, d_out]`.
    dy: &'a T,
    /// `x: [rows, d_in]`.
    x: &'a T,
    /// Its sizes.
    dims: LinearDims,
}

/// A [`LinearGrad`].
fn lin<'a, T>(target: LoraTarget, dy: &'a T, x: &'a T, dims: LinearDims) -> LinearGrad<'a, T> {
    LinearGrad {
        target,
        dy,
        x,
        dims,
    }
}

/// Backward of one (possibly adapted) linear of a layer: `dw += dyᵀ·x` when the base weight
/// is trained, the adapter's gradients when it has one, and `dx` (overwritten when
/// `accumulate` is false, added to otherwise).
fn linear_grads<B: Backend>(
    b: &B,
    w: LayerWeights<'_, B::Tensor>,
    la: &LayerActivations<B::Tensor>,
    g: &mut LayerGrads<'_, B::Tensor>,
    lin: LinearGrad<'_, B::Tensor>,
    dx: &mut B::Tensor,
    accumulate: bool,
) -> Result<()> {
    let LinearGrad {
        target: t,
        dy,
        x,
        dims,
    } = lin;
    let (dw, dlora) = g.linear(t);
    if let Some(dw) = dw {
        b.matmul(dy, x, dw, dims.weight_grad())?;
    }
    let input = if accumulate {
        dims.input_grad().accumulate()
    } else {
        dims.input_grad()
    };
    b.matmul(dy, t.base(w.params), dx, input)?;
    if let (Some((ll, lc)), Some(u)) = (w.lora, &la.lora_u[t.index()]) {
        if let Some(pair) = ll.get(t) {
            let saved = LoraSaved { x, u };
            let shape = LoraShape {
                dims,
                rank: lc.rank,
                scale: lc.scale(),
            };
            lora_backward_acc(b, dy, saved, pair, dlora, dx, shape)?;
        }
    }
    Ok(())
}

/// One decoder layer, backward: given `dx2` (gradient of the layer output) returns `dx` (of
/// its input) and adds the parameter gradients into `g`.
fn layer_backward<B: Backend>(
    b: &B,
    cfg: &ModelConfig,
    w: LayerWeights<'_, B::Tensor>,
    la: &LayerActivations<B::Tensor>,
    mut g: LayerGrads<'_, B::Tensor>,
    dx2: B::Tensor,
    acts: &Activations<B>,
) -> Result<B::Tensor> {
    let (positions, n) = (&acts.positions, acts.n);
    let (d, f) = (cfg.hidden_size, cfg.intermediate_size);
    let (qd, kvd, e) = (cfg.q_dim(), cfg.kv_dim(), cfg.head_dim);
    let (heads, kv_heads) = (cfg.num_attention_heads, cfg.num_key_value_heads);
    let lp = w.params;
    let dims = |d_in, d_out| LinearDims::new(n, d_in, d_out);
    use LoraTarget::*;

    // MLP block: x2 = x1 + down(silu(gate(h2)) * up(h2)), h2 = norm(x1).
    if let Some(gd) = g.biases().and_then(|g| g.down_bias.as_mut()) {
        b.bias_backward_acc(&dx2, gd, d)?;
    }
    let mut dact = b.zeros(n * f)?;
    linear_grads(
        b,
        w,
        la,
        &mut g,
        lin(DownProj, &dx2, &la.act, dims(f, d)),
        &mut dact,
        false,
    )?;
    let (dgate, dup) = b.swiglu_backward(&dact, &la.gate, &la.up)?;
    if let Some(gl) = g.biases() {
        if let (Some(gg), Some(gu)) = (&mut gl.gate_bias, &mut gl.up_bias) {
            b.bias_backward_acc(&dgate, gg, f)?;
            b.bias_backward_acc(&dup, gu, f)?;
        }
    }
    let mut dh2 = b.zeros(n * d)?;
    linear_grads(
        b,
        w,
        la,
        &mut g,
        lin(GateProj, &dgate, &la.h2, dims(d, f)),
        &mut dh2,
        false,
    )?;
    linear_grads(
        b,
        w,
        la,
        &mut g,
        lin(UpProj, &dup, &la.h2, dims(d, f)),
        &mut dh2,
        true,
    )?;
    let dx1_norm = b.rmsnorm_backward(&dh2, &la.x1, &lp.post_norm, &la.rstd2, g.norm(true), d)?;
    let mut dx1 = dx2;
    b.axpy(1.0, &dx1_norm, &mut dx1)?;

    // Attention block: x1 = x + o_proj(attn(rope(q), rope(k), v)), q/k/v from h1 = norm(x).
    if let Some(go) = g.biases().and_then(|g| g.o_bias.as_mut()) {
        b.bias_backward_acc(&dx1, go, d)?;
    }
    let mut d_o = b.zeros(n * qd)?;
    linear_grads(
        b,
        w,
        la,
        &mut g,
        lin(OProj, &dx1, &la.o, dims(qd, d)),
        &mut d_o,
        false,
    )?;
    let saved = AttentionSaved {
        q: &la.q,
        k: &la.k,
        v: &la.v,
        o: &la.o,
        lse: &la.lse,
    };
    let (mut dq, mut dk, dv) =
        b.attention_backward(&d_o, saved, &acts.seq_starts, cfg.attention_shape())?;
    b.rope(&mut dq, positions, heads, e, cfg.rope_theta, true)?;
    b.rope(&mut dk, positions, kv_heads, e, cfg.rope_theta, true)?;
    if let Some(gl) = g.biases() {
        if let (Some(gq), Some(gk), Some(gv)) = (&mut gl.q_bias, &mut gl.k_bias, &mut gl.v_bias) {
            b.bias_backward_acc(&dq, gq, qd)?;
            b.bias_backward_acc(&dk, gk, kvd)?;
            b.bias_backward_acc(&dv, gv, kvd)?;
        }
    }
    let mut dh1 = b.zeros(n * d)?;
    linear_grads(
        b,
        w,
        la,
        &mut g,
        lin(QProj, &dq, &la.h1, dims(d, qd)),
        &mut dh1,
        false,
    )?;
    linear_grads(
        b,
        w,
        la,
        &mut g,
        lin(KProj, &dk, &la.h1, dims(d, kvd)),
        &mut dh1,
        true,
    )?;
    linear_grads(
        b,
        w,
        la,
        &mut g,
        lin(VProj, &dv, &la.h1, dims(d, kvd)),
        &mut dh1,
        true,
    )?;
    let dx_norm = b.rmsnorm_backward(&dh1, &la.x, &lp.input_norm, &la.rstd1, g.norm(false), d)?;
    let mut dx = dx1;
    b.axpy(1.0, &dx_norm, &mut dx)?;
    Ok(dx)
}

/// Where [`Model`]'s backward pass puts gradients.
enum GradSink<'a, T> {
    /// Every parameter.
    Full(&'a mut Params<T>),
    /// The adapters only.
    Lora(&'a mut LoraWeights<T>),
}

impl<B: Backend> Model<B> {
    /// Backward pass from `dlogits: [N, V]`; parameter gradients are ADDED into `grads`
    /// (so micro-batches accumulate; zero them between optimizer steps). With adapters
    /// attached, these are the gradients of the base parameters of the adapted model.
    pub fn backward(
        &self,
        b: &B,
        acts: &Activations<B>,
        dlogits: &B::Tensor,
        grads: &mut Params<B::Tensor>,
    ) -> Result<()> {
        self.backward_into(b, acts, dlogits, GradSink::Full(grads))
    }

    /// Backward pass of a model with adapters, for the adapters only (the base is frozen):
    /// gradients are ADDED into `grads`, which has the adapters' layout. `acts` must come
    /// from [`Model::forward`] with the adapters on.
    pub fn backward_lora(
        &self,
        b: &B,
        acts: &Activations<B>,
        dlogits: &B::Tensor,
        grads: &mut LoraWeights<B::Tensor>,
    ) -> Result<()> {
        if self.lora.is_none() {
            return Err(super::ModelError::Input(
                "backward_lora needs a model with adapters attached".into(),
            ));
        }
        self.backward_into(b, acts, dlogits, GradSink::Lora(grads))
    }

    fn backward_into(
        &self,
        b: &B,
        acts: &Activations<B>,
        dlogits: &B::Tensor,
        mut sink: GradSink<'_, B::Tensor>,
    ) -> Result<()> {
        let cfg = &self.config;
        let (n, d, v) = (acts.n, cfg.hidden_size, cfg.vocab_size);
        let dims = LinearDims::new(n, d, v);
        // Absorbs the gradients of the frozen norms of a LoRA run.
        let mut scratch = b.zeros(d)?;
        // Head and final norm. With tied embeddings a full fine-tune's head gradient lands in
        // `embed`; the frozen head of a LoRA run only passes the gradient on.
        let dh = match &mut sink {
            GradSink::Full(grads) => {
                let dhead = match grads.lm_head.as_mut() {
                    Some(g) => g,
                    None => &mut grads.embed,
                };
                linear_backward(b, dlogits, &acts.h_final, self.head(), dhead, dims)?
            }
            GradSink::Lora(_) => {
                let mut dh = b.zeros(n * d)?;
                b.matmul(dlogits, self.head(), &mut dh, dims.input_grad())?;
                dh
            }
        };
        let dnorm = match &mut sink {
            GradSink::Full(grads) => &mut grads.final_norm,
            GradSink::Lora(_) => &mut scratch,
        };
        let mut dx = b.rmsnorm_backward(
            &dh,
            &acts.x_final,
            &self.params.final_norm,
            &acts.rstd_final,
            dnorm,
            d,
        )?;
        let layers = self.params.layers.len();
        let grad_layers = match &sink {
            GradSink::Full(g) => g.layers.len(),
            GradSink::Lora(g) => g.layers.len(),
        };
        if acts.layers.len() != layers || grad_layers != layers {
            return Err(super::ModelError::Input(format!(
                "the model has {layers} layers, but the activations have {} and the gradients {}",
                acts.layers.len(),
                grad_layers
            )));
        }
        for (l, la) in acts.layers.iter().enumerate().rev() {
            let g = match &mut sink {
                GradSink::Full(g) => LayerGrads::Full(&mut g.layers[l]),
                GradSink::Lora(g) => LayerGrads::Lora(&mut g.layers[l], &mut scratch),
            };
            dx = layer_backward(b, cfg, self.layer_weights(l, true), la, g, dx, acts)?;
        }
        if let GradSink::Full(grads) = sink {
            b.embedding_backward_acc(&dx, &acts.ids, &mut grads.embed, d)?;
        }
        Ok(())
    }

    /// Mean next-token cross-entropy over the batch (each sequence predicts its own tokens
    /// `1..` from `..len-1`), with gradients ADDED into `grads`. Returns the loss.
    pub fn loss_and_grads(
        &self,
        b: &B,
        batch: &PackedBatch,
        grads: &mut Params<B::Tensor>,
    ) -> Result<f32> {
        let targets = batch.next_token_targets();
        let count = targets.iter().filter(|&&t| t != IGNORE).count();
        if count == 0 {
            return Err(super::ModelError::Input(
                "no sequence has two or more tokens: there is nothing to predict".into(),
            ));
        }
        self.loss_and_grads_on_targets(b, batch, &targets, grads)
    }

    /// Mean cross-entropy of `batch` against `targets` (one per packed token: the id that
    /// position should predict, or [`IGNORE`] for a position that is not scored, such as a
    /// prompt position in supervised fine-tuning), with gradients ADDED into `grads`. Returns
    /// the loss. [`loss_and_grads`](Self::loss_and_grads) is this with every next token as
    /// the target.
    pub fn loss_and_grads_on_targets(
        &self,
        b: &B,
        batch: &PackedBatch,
        targets: &[u32],
        grads: &mut Params<B::Tensor>,
    ) -> Result<f32> {
        self.loss_into(b, batch, targets, GradSink::Full(grads))
    }

    /// [`loss_and_grads`](Self::loss_and_grads) for the adapters of a model with adapters:
    /// mean next-token cross-entropy, gradients of every adapter tensor ADDED into `grads`.
    pub fn loss_and_grads_lora(
        &self,
        b: &B,
        batch: &PackedBatch,
        grads: &mut LoraWeights<B::Tensor>,
    ) -> Result<f32> {
        if self.lora.is_none() {
            return Err(super::ModelError::Input(
                "loss_and_grads_lora needs a model with adapters attached".into(),
            ));
        }
        let targets = batch.next_token_targets();
        if targets.iter().all(|&t| t == IGNORE) {
            return Err(super::ModelError::Input(
                "no sequence has two or more tokens: there is nothing to predict".into(),
            ));
        }
        self.loss_into(b, batch, &targets, GradSink::Lora(grads))
    }

    fn loss_into(
        &self,
        b: &B,
        batch: &PackedBatch,
        targets: &[u32],
        sink: GradSink<'_, B::Tensor>,
    ) -> Result<f32> {
        let v = self.config.vocab_size;
        let count = targets.iter().filter(|&&t| t != IGNORE).count();
        if count == 0 {
            return Err(super::ModelError::Input(
                "every target is IGNORE: there is nothing to predict".into(),
            ));
        }
        let (logits, acts) = self.forward(b, batch)?;
        let targets_dev = b.upload_index(targets)?;
        let (rows, lse) = b.cross_entropy(&logits, &targets_dev, v)?;
        let inv = 1.0 / count as f32;
        let loss = b.download(&rows)?.iter().map(|&x| x as f64).sum::<f64>() as f32 * inv;
        let dloss: Vec<f32> = targets
            .iter()
            .map(|&t| if t == IGNORE { 0.0 } else { inv })
            .collect();
        let dloss = b.upload(&dloss)?;
        let dlogits = b.cross_entropy_backward(&logits, &lse, &targets_dev, &dloss, v)?;
        drop(logits);
        self.backward_into(b, &acts, &dlogits, sink)?;
        Ok(loss)
    }
}
