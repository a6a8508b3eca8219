//! Batched sampling with the KV cache: every prompt gets its own cache slot, all slots decode
//! together, and a slot stops at a stop token or at the token budget.
//!
//! Randomness is counter-based: the draw for sequence `i` at response position `t` uses seed
//! `derive(derive(seed_i, t), 0)`, so a sequence's sample does not depend on which other
//! sequences share its batch, and the same seeds give the same tokens on every run.

use super::{KvCache, Model, ModelError, Result};
use crate::backend::{Backend, SampleParams};
use crate::rng::derive;
use alloc::format;
use alloc::vec;
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
    /// token per call. Errors name the prompt that does not fit (empty, id outside the
    /// vocabulary, longer than the context).
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
        let mut active: Vec<usize> = (0..prompts.len()).collect();
        let mut last = vec![0u32; prompts.len()];
        let mut t = 0u64;
        loop {
            let logits = if t == 0 {
                let entries: Vec<(usize, &[u32])> =
                    prompts.iter().enumerate().map(|(i, p)| (i, *p)).collect();
                self.forward_cached(b, &mut cache, &entries)?
            } else {
                let singles: Vec<[u32; 1]> = active.iter().map(|&i| [last[i]]).collect();
                let entries: Vec<(usize, &[u32])> = active
                    .iter()
                    .zip(&singles)
                    .map(|(&i, s)| (i, &s[..]))
                    .collect();
                self.forward_cached(b, &mut cache, &entries)?
            };
            let row_seeds: Vec<u64> = active
                .iter()
                .map(|&i| derive(derive(seeds[i], t), 0))
                .collect();
            let drawn = b.sample(&logits, v, &row_seeds, &cfg.sample)?;
            let mut still = Vec::with_capacity(active.len());
            for (&i, &tok) in active.iter().zip(&drawn) {
                out[i].tokens.push(tok);
                last[i] = tok;
                if cfg.stop_ids.contains(&tok) {
                    out[i].stopped = true;
                } else if out[i].tokens.len() < cfg.max_new_tokens {
                    still.push(i);
                }
            }
            active = still;
            t += 1;
            if active.is_empty() {
                return Ok(out);
            }
        }
    }
}
