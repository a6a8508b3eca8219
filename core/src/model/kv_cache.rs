//! Inference with a KV cache over a batch of sequences of different lengths.
//!
//! A [`KvCache`] has `slots` independent sequences. [`Model::forward_cached`] appends new
//! tokens to any subset of slots (several tokens for a prompt, one per decode step) and returns
//! the logits of each entry's last new token. Prefill and decode are the same call.

use super::forward::layer_forward;
use super::linear::linear;
use super::{Model, ModelError, Result};
use crate::backend::{Backend, CachedAttention};
use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

/// Keys and values of every layer for `slots` sequences of up to `max_len` tokens.
pub struct KvCache<B: Backend> {
    /// Per layer, `[slots, max_len, Hkv, E]`.
    pub k: Vec<B::Tensor>,
    /// Per layer, `[slots, max_len, Hkv, E]`.
    pub v: Vec<B::Tensor>,
    /// How many tokens each slot holds.
    pub lens: Vec<usize>,
    /// Capacity per slot.
    pub max_len: usize,
}

impl<B: Backend> KvCache<B> {
    /// An empty cache for `model` with `slots` sequences of up to `max_len` tokens.
    pub fn new(b: &B, model: &Model<B>, slots: usize, max_len: usize) -> Result<Self> {
        let cfg = &model.config;
        let size = slots * max_len * cfg.kv_dim();
        let mut k = Vec::with_capacity(cfg.num_hidden_layers);
        let mut v = Vec::with_capacity(cfg.num_hidden_layers);
        for _ in 0..cfg.num_hidden_layers {
            k.push(b.zeros(size)?);
            v.push(b.zeros(size)?);
        }
        Ok(Self {
            k,
            v,
            lens: vec![0; slots],
            max_len,
        })
    }

    /// Forgets the content of `slot` (its next token goes to position 0).
    pub fn reset_slot(&mut self, slot: usize) {
        if let Some(l) = self.lens.get_mut(slot) {
            *l = 0;
        }
    }
}

impl<B: Backend> Model<B> {
    /// Appends `tokens` to cache slot `slot` for every `(slot, tokens)` entry and returns the
    /// logits of each entry's last new token, `[entries.len(), V]`.
    ///
    /// Each entry must name a distinct slot and carry at least one token; a slot must not
    /// overflow `cache.max_len`.
    pub fn forward_cached(
        &self,
        b: &B,
        cache: &mut KvCache<B>,
        entries: &[(usize, &[u32])],
    ) -> Result<B::Tensor> {
        let cfg = &self.config;
        let d = cfg.hidden_size;
        let mut ids = Vec::new();
        let mut slot_of = Vec::new();
        let mut pos_of = Vec::new();
        let mut last_rows = Vec::with_capacity(entries.len());
        let mut seen = vec![false; cache.lens.len()];
        for &(slot, toks) in entries {
            let Some(len) = cache.lens.get(slot).copied() else {
                return Err(ModelError::Input(format!(
                    "cache slot {slot} does not exist (the cache has {})",
                    cache.lens.len()
                )));
            };
            if core::mem::replace(&mut seen[slot], true) {
                return Err(ModelError::Input(format!(
                    "cache slot {slot} appears twice"
                )));
            }
            if toks.is_empty() {
                return Err(ModelError::Input(format!(
                    "no tokens for cache slot {slot}"
                )));
            }
            if len + toks.len() > cache.max_len {
                return Err(ModelError::Input(format!(
                    "cache slot {slot} would hold {} tokens; its capacity is {}",
                    len + toks.len(),
                    cache.max_len
                )));
            }
            for (j, &t) in toks.iter().enumerate() {
                ids.push(t);
                slot_of.push(slot as u32);
                pos_of.push((len + j) as u32);
            }
            last_rows.push((ids.len() - 1) as u32);
        }
        if ids.is_empty() {
            return Err(ModelError::Input("no entries to run".into()));
        }
        self.check_ids(&ids)?;
        let n = ids.len();
        let ids_dev = b.upload_index(&ids)?;
        let slot_dev = b.upload_index(&slot_of)?;
        let pos_dev = b.upload_index(&pos_of)?;
        let shape = CachedAttention::new(cfg.attention_shape(), cache.max_len);

        // As in `Model::forward`: each residual add is fused with the norm after it, the last
        // one with the final norm.
        let mut cur = self.embed_normed(b, &ids_dev)?;
        let layers = self.params.layers.len();
        for (l, (kc, vc)) in cache
            .k
            .iter_mut()
            .zip(cache.v.iter_mut())
            .enumerate()
            .take(layers)
        {
            let w = self.layer_weights(l, true);
            // Inference discards the activations: the MLP need not keep gate and up.
            let (next, _acts) = layer_forward(b, cfg, w, cur, &pos_dev, n, false, |q, k, v| {
                b.kv_cache_write(kc, k, &slot_dev, &pos_dev, shape.cache())?;
                b.kv_cache_write(vc, v, &slot_dev, &pos_dev, shape.cache())?;
                let o = b.attention_cached(q, kc, vc, &slot_dev, &pos_dev, shape)?;
                // Inference keeps no log-sum-exp; an empty tensor stands in for it.
                Ok((o, b.zeros(0)?))
            })?;
            cur = next;
        }
        for &(slot, toks) in entries {
            cache.lens[slot] += toks.len();
        }
        // The norm is per row, so normalizing every row and keeping the last ones equals
        // normalizing the last rows. Decoding (one token per entry) keeps every row: no gather.
        let h = if n == entries.len() {
            cur.h
        } else {
            b.gather_rows(&cur.h, &b.upload_index(&last_rows)?, d)?
        };
        Ok(linear(
            b,
            &h,
            self.head(),
            entries.len(),
            d,
            cfg.vocab_size,
        )?)
    }
}
