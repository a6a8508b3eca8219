//! The backward pass, layer by layer in reverse, and the next-token loss.

use super::forward::{Activations, LayerActivations};
use super::linear::{linear_backward, linear_backward_acc, LinearDims};
use super::{LayerParams, Model, ModelConfig, PackedBatch, Params, Result, IGNORE};
use crate::backend::{AttentionSaved, Backend};
use alloc::vec::Vec;

/// One decoder layer, backward: given `dx2` (gradient of the layer output) returns `dx` (of
/// its input) and adds the parameter gradients into `g`.
fn layer_backward<B: Backend>(
    b: &B,
    cfg: &ModelConfig,
    lp: &LayerParams<B::Tensor>,
    la: &LayerActivations<B::Tensor>,
    g: &mut LayerParams<B::Tensor>,
    dx2: B::Tensor,
    acts: &Activations<B>,
) -> Result<B::Tensor> {
    let (positions, n) = (&acts.positions, acts.n);
    let (d, f) = (cfg.hidden_size, cfg.intermediate_size);
    let (qd, kvd, e) = (cfg.q_dim(), cfg.kv_dim(), cfg.head_dim);
    let (heads, kv_heads) = (cfg.num_attention_heads, cfg.num_key_value_heads);
    let dims = |d_in, d_out| LinearDims::new(n, d_in, d_out);

    // MLP block: x2 = x1 + down(silu(gate(h2)) * up(h2)), h2 = norm(x1).
    if let Some(gd) = &mut g.down_bias {
        b.bias_backward_acc(&dx2, gd, d)?;
    }
    let dact = linear_backward(
        b,
        &dx2,
        &la.act,
        &lp.down_proj,
        &mut g.down_proj,
        dims(f, d),
    )?;
    let (dgate, dup) = b.swiglu_backward(&dact, &la.gate, &la.up)?;
    if let (Some(gg), Some(gu)) = (&mut g.gate_bias, &mut g.up_bias) {
        b.bias_backward_acc(&dgate, gg, f)?;
        b.bias_backward_acc(&dup, gu, f)?;
    }
    let mut dh2 = linear_backward(
        b,
        &dgate,
        &la.h2,
        &lp.gate_proj,
        &mut g.gate_proj,
        dims(d, f),
    )?;
    linear_backward_acc(
        b,
        &dup,
        &la.h2,
        &lp.up_proj,
        &mut g.up_proj,
        &mut dh2,
        dims(d, f),
    )?;
    let dx1_norm =
        b.rmsnorm_backward(&dh2, &la.x1, &lp.post_norm, &la.rstd2, &mut g.post_norm, d)?;
    let mut dx1 = dx2;
    b.axpy(1.0, &dx1_norm, &mut dx1)?;

    // Attention block: x1 = x + o_proj(attn(rope(q), rope(k), v)), q/k/v from h1 = norm(x).
    if let Some(go) = &mut g.o_bias {
        b.bias_backward_acc(&dx1, go, d)?;
    }
    let d_o = linear_backward(b, &dx1, &la.o, &lp.o_proj, &mut g.o_proj, dims(qd, d))?;
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
    if let (Some(gq), Some(gk), Some(gv)) = (&mut g.q_bias, &mut g.k_bias, &mut g.v_bias) {
        b.bias_backward_acc(&dq, gq, qd)?;
        b.bias_backward_acc(&dk, gk, kvd)?;
        b.bias_backward_acc(&dv, gv, kvd)?;
    }
    let mut dh1 = linear_backward(b, &dq, &la.h1, &lp.q_proj, &mut g.q_proj, dims(d, qd))?;
    linear_backward_acc(
        b,
        &dk,
        &la.h1,
        &lp.k_proj,
        &mut g.k_proj,
        &mut dh1,
        dims(d, kvd),
    )?;
    linear_backward_acc(
        b,
        &dv,
        &la.h1,
        &lp.v_proj,
        &mut g.v_proj,
        &mut dh1,
        dims(d, kvd),
    )?;
    let dx_norm =
        b.rmsnorm_backward(&dh1, &la.x, &lp.input_norm, &la.rstd1, &mut g.input_norm, d)?;
    let mut dx = dx1;
    b.axpy(1.0, &dx_norm, &mut dx)?;
    Ok(dx)
}

impl<B: Backend> Model<B> {
    /// Backward pass from `dlogits: [N, V]`; parameter gradients are ADDED into `grads`
    /// (so micro-batches accumulate; zero them between optimizer steps).
    pub fn backward(
        &self,
        b: &B,
        acts: &Activations<B>,
        dlogits: &B::Tensor,
        grads: &mut Params<B::Tensor>,
    ) -> Result<()> {
        let cfg = &self.config;
        let (n, d, v) = (acts.n, cfg.hidden_size, cfg.vocab_size);

        // Head and final norm. With tied embeddings the head's gradient lands in `embed`.
        let dhead = match grads.lm_head.as_mut() {
            Some(g) => g,
            None => &mut grads.embed,
        };
        let dims = LinearDims::new(n, d, v);
        let dh = linear_backward(b, dlogits, &acts.h_final, self.head(), dhead, dims)?;
        let mut dx = b.rmsnorm_backward(
            &dh,
            &acts.x_final,
            &self.params.final_norm,
            &acts.rstd_final,
            &mut grads.final_norm,
            d,
        )?;

        for ((lp, la), g) in self
            .params
            .layers
            .iter()
            .zip(&acts.layers)
            .zip(grads.layers.iter_mut())
            .rev()
        {
            dx = layer_backward(b, cfg, lp, la, g, dx, acts)?;
        }
        b.embedding_backward_acc(&dx, &acts.ids, &mut grads.embed, d)?;
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
        self.backward(b, &acts, &dlogits, grads)?;
        Ok(loss)
    }
}
