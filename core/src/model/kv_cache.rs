//! Inference with a KV cache over a batch of sequences of different lengths.
//!
//! A [`KvCache`] has `slots` independent sequences. [`Model::forward_cached`] appends new
//! tokens to any subset of slots (several tokens for a prompt, one per decode step) and returns
//! the logits of each entry's last new token. Prefill and decode are the same call.
//! [`Model::forward_cached_index`] is a decode step whose ids are already on the device (the
//! previous step's `sample_to_index`); both share one layer loop.

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
        let mut ids = Vec::new();
        let mut slot_of = Vec::new();
        let mut pos_of = Vec::new();
        let mut last_rows = Vec::with_capacity(entries.len());
        let mut seen = vec![false; cache.lens.len()];
        for &(slot, toks) in entries {
            let len = check_slot(cache, &mut seen, slot, toks.len())?;
            if toks.is_empty() {
                return Err(ModelError::Input(format!(
                    "no tokens for cache slot {slot}"
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
        let ids_dev = b.upload_index(&ids)?;
        let added: Vec<(usize, usize)> = entries.iter().map(|&(s, t)| (s, t.len())).collect();
        self.run_cached(b, cache, &ids_dev, &slot_of, &pos_of, &added, &last_rows)
    }

    /// One decode step whose input ids are already on the device: appends token `ids[j]` to
    /// cache slot `slots[j]` for every `j` and returns the logits `[slots.len(), V]` (row `j`
    /// for slot `slots[j]`). Equal to [`forward_cached`](Self::forward_cached) with the
    /// entries `(slots[j], &[ids[j]])`, without reading the ids back to the host: `ids` is
    /// typically [`Backend::sample_to_index`]'s result for the previous step's logits.
    ///
    /// `ids` must hold `slots.len()` ids; slots must be distinct, exist and have room for one
    /// more token. The ids themselves are checked against the vocabulary by the backend's
    /// `embedding` (sampled ids are `< V` by construction).
    pub fn forward_cached_index(
        &self,
        b: &B,
        cache: &mut KvCache<B>,
        slots: &[usize],
        ids: &B::Index,
    ) -> Result<B::Tensor> {
        if b.index_len(ids) != slots.len() {
            return Err(ModelError::Input(format!(
                "forward_cached_index: {} ids for {} slots (one token per slot)",
                b.index_len(ids),
                slots.len()
            )));
        }
        let mut slot_of = Vec::with_capacity(slots.len());
        let mut pos_of = Vec::with_capacity(slots.len());
        let mut seen = vec![false; cache.lens.len()];
        for &slot in slots {
            let len = check_slot(cache, &mut seen, slot, 1)?;
            slot_of.push(slot as u32);
            pos_of.push(len as u32);
        }
        if slots.is_empty() {
            return Err(ModelError::Input("no entries to run".into()));
        }
        let added: Vec<(usize, usize)> = slots.iter().map(|&s| (s, 1)).collect();
        let last_rows: Vec<u32> = (0..slots.len() as u32).collect();
        self.run_cached(b, cache, ids, &slot_of, &pos_of, &added, &last_rows)
    }

    /// The layers of a cached forward over `n = slot_of.len()` tokens (ids on the device,
    /// slot and position per token on the host), then the head on rows `last_rows`; adds
    /// `added[e].1` to the length of slot `added[e].0`.
    #[allow(clippy::too_many_arguments)]
    fn run_cached(
        &self,
        b: &B,
        cache: &mut KvCache<B>,
        ids_dev: &B::Index,
        slot_of: &[u32],
        pos_of: &[u32],
        added: &[(usize, usize)],
        last_rows: &[u32],
    ) -> Result<B::Tensor> {
        let cfg = &self.config;
        let d = cfg.hidden_size;
        let n = slot_of.len();
        let slot_dev = b.upload_index(slot_of)?;
        let pos_dev = b.upload_index(pos_of)?;
        let shape = CachedAttention::new(cfg.attention_shape(), cache.max_len);

        // As in `Model::forward`: each residual add is fused with the norm after it, the last
        // one with the final norm.
        let mut cur = self.embed_normed(b, ids_dev)?;
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
        for &(slot, k) in added {
            cache.lens[slot] += k;
        }
        // The norm is per row, so normalizing every row and keeping the last ones equals
        // normalizing the last rows. Decoding (one token per entry) keeps every row: no gather.
        let h = if n == last_rows.len() {
            cur.h
        } else {
            b.gather_rows(&cur.h, &b.upload_index(last_rows)?, d)?
        };
        Ok(linear(
            b,
            &h,
            self.head(),
            last_rows.len(),
            d,
            cfg.vocab_size,
        )?)
    }
}

/// Checks that `slot` exists, was not `seen` before in this call (marks it) and has room for
/// `new` more tokens; returns its current length.
fn check_slot<B: Backend>(
    cache: &KvCache<B>,
    seen: &mut [bool],
    slot: usize,
    new: usize,
) -> Result<usize> {
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
    if len + new > cache.max_len {
        return Err(ModelError::Input(format!(
            "cache slot {slot} would hold {} tokens; its capacity is {}",
            len + new,
            cache.max_len
        )));
    }
    Ok(len)
}
