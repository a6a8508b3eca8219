//! Batched sampling with the KV cache: every prompt gets its own cache slot, all slots decode
//! together, and a slot stops at a stop token or at the token budget.
//!
//! Randomness is counter-based: the draw for sequence `i` at response position `t` uses seed
//! `derive(derive(seed_i, t), 0)`, so a sequence's sample does not depend on which other
//! sequences share its batch, and the same seeds give the same tokens on every run.
//!
//! Decoding runs in chunks of up to [`GenerateConfig::readback_every`] steps: within a chunk
//! the sampled ids stay on the device (`Backend::sample_to_index` feeds
//! [`Model::forward_cached_index`]) and the active set does not change; after it, one
//! `Backend::download_indices` reads the chunk's ids back, stop ids are applied (a row's
//! tokens after its stop token are discarded; the extra steps it ran only touched its own
//! cache slot) and finished rows leave the batch. A chunk never runs past the token budget,
//! so no slot outgrows the cache. Since every row's draw depends only on its own tokens and
//! seeds, the result is the same for every `readback_every` (exactly so on a backend whose
//! per-row results do not depend on the number of rows in the batch, like the CPU
//! reference; a GPU backend that picks its matmul kernel by row count can differ in the
//! last bits of a logit, as it already can between batch sizes with `readback_every = 1`).

use super::{KvCache, Model, ModelError, Result};
use crate::backend::{Backend, BackendError, SampleParams};
use crate::rng::derive;
use alloc::format;
use alloc::vec::Vec;

/// Settings of [`Model::generate`].
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateConfig {
    /// Most new tokens per sequence (the stop token counts).
    pub max_new_tokens: usize,
    /// Sampling temperature and top-p (temperature 0 is greedy).
    pub sample: SampleParams,
    /// Token ids that end a sequence (kept as its last token).
    pub stop_ids: Vec<u32>,
    /// Most decode steps between two readbacks of sampled ids (at least 1): the ids of up to
    /// this many steps stay on the device and are read back together, then stop ids are
    /// applied. `1` reads back every step (one GPU→host synchronization per token); larger
    /// values save synchronizations but let a finished row run up to `readback_every − 1`
    /// steps whose tokens are discarded. The tokens are the same for every value (see the
    /// module doc). [`GenerateConfig::DEFAULT_READBACK_EVERY`] is the usual choice.
    pub readback_every: usize,
}

impl GenerateConfig {
    /// The default [`readback_every`](Self::readback_every): 8 steps per readback, one
    /// eighth of the synchronizations of reading back every step, while a row that stops
    /// wastes at most 7 steps (a few percent of a typical budget of 64 to 512 tokens).
    pub const DEFAULT_READBACK_EVERY: usize = 8;

    /// Settings with the default [`readback_every`](Self::readback_every).
    pub fn new(max_new_tokens: usize, sample: SampleParams, stop_ids: Vec<u32>) -> Self {
        Self {
            max_new_tokens,
            sample,
            stop_ids,
            readback_every: Self::DEFAULT_READBACK_EVERY,
        }
    }
}

/// One generated continuation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generation {
    /// The new tokens, including the stop token when one was produced.
    pub tokens: Vec<u32>,
    /// Whether the sequence ended with a stop token (false: it hit `max_new_tokens`).
    pub stopped: bool,
}

impl Generation {
    /// The new tokens without the trailing stop token.
    pub fn content(&self) -> &[u32] {
        if self.stopped {
            &self.tokens[..self.tokens.len() - 1]
        } else {
            &self.tokens
        }
    }
}

impl<B: Backend> Model<B> {
    /// Continues every prompt in `prompts` (each with its own seed in `seeds`), batched.
    ///
    /// All prompts are prefilled in one call, then every unfinished sequence advances by one
    /// token per call, in chunks of up to `cfg.readback_every` calls between readbacks (see
    /// the module doc). Errors name the prompt that does not fit (empty, id outside the
    /// vocabulary, longer than the context) or a `readback_every` of 0.
    pub fn generate(
        &self,
        b: &B,
        prompts: &[&[u32]],
        seeds: &[u64],
        cfg: &GenerateConfig,
    ) -> Result<Vec<Generation>> {
        if prompts.len() != seeds.len() {
            return Err(ModelError::Input(format!(
                "generate: {} prompts but {} seeds",
                prompts.len(),
                seeds.len()
            )));
        }
        if cfg.readback_every == 0 {
            return Err(ModelError::Input(
                "generate: readback_every must be at least 1".into(),
            ));
        }
        if prompts.is_empty() {
            return Ok(Vec::new());
        }
        let mut max_prompt = 0;
        for (i, p) in prompts.iter().enumerate() {
            if p.is_empty() {
                return Err(ModelError::Input(format!("generate: prompt {i} is empty")));
            }
            self.check_ids(p)?;
            max_prompt = max_prompt.max(p.len());
        }
        let max_len = max_prompt + cfg.max_new_tokens;
        if max_len > self.config.max_position_embeddings {
            return Err(ModelError::Input(format!(
                "generate: prompt ({max_prompt} tokens) + max_new_tokens ({}) exceeds the \
                 model's max_position_embeddings ({})",
                cfg.max_new_tokens, self.config.max_position_embeddings
            )));
        }
        let mut out: Vec<Generation> = prompts
            .iter()
            .map(|_| Generation {
                tokens: Vec::new(),
                stopped: false,
            })
            .collect();
        if cfg.max_new_tokens == 0 {
            return Ok(out);
        }
        let mut cache = KvCache::new(b, self, prompts.len(), max_len)?;
        let v = self.config.vocab_size;
        let entries: Vec<(usize, &[u32])> =
            prompts.iter().enumerate().map(|(i, p)| (i, *p)).collect();
        let mut logits = self.forward_cached(b, &mut cache, &entries)?;
        let mut active: Vec<usize> = (0..prompts.len()).collect();
        // Response tokens so far of every active row (they all advance together).
        let mut t = 0usize;
        loop {
            let chunk = cfg.readback_every.min(cfg.max_new_tokens - t);
            let mut drawn = Vec::with_capacity(chunk);
            for s in 0..chunk {
                let row_seeds: Vec<u64> = active
                    .iter()
                    .map(|&i| derive(derive(seeds[i], (t + s) as u64), 0))
                    .collect();
                let ids = b.sample_to_index(&logits, v, &row_seeds, &cfg.sample)?;
                if s + 1 < chunk {
                    logits = self.forward_cached_index(b, &mut cache, &active, &ids)?;
                }
                drawn.push(ids);
            }
            let refs: Vec<&B::Index> = drawn.iter().collect();
            let drawn = b.download_indices(&refs)?;
            t += chunk;
            let mut still = Vec::with_capacity(active.len());
            let mut last = Vec::with_capacity(active.len());
            for (r, &i) in active.iter().enumerate() {
                for step in &drawn {
                    let tok = step.get(r).copied().ok_or_else(|| {
                        ModelError::Backend(BackendError::Device(format!(
                            "`sample_to_index` returned {} ids for {} rows",
                            step.len(),
                            active.len()
                        )))
                    })?;
                    out[i].tokens.push(tok);
                    if cfg.stop_ids.contains(&tok) {
                        out[i].stopped = true;
                        break;
                    }
                }
                if !out[i].stopped && t < cfg.max_new_tokens {
                    still.push(i);
                    last.push([out[i].tokens[t - 1]]);
                }
            }
            active = still;
            if active.is_empty() {
                return Ok(out);
            }
            let entries: Vec<(usize, &[u32])> = active
                .iter()
                .zip(&last)
                .map(|(&i, s)| (i, &s[..]))
                .collect();
            logits = self.forward_cached(b, &mut cache, &entries)?;
        }
    }
}
