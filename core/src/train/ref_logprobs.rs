//! The log-prob phase of a step: the old log-probs of replay rows under
//! `replay_logprobs = "recompute"` (their rewritten prompt changes them), and the reference
//! log-probs of every row when the run has a reference policy (a replay row copies its
//! source's under `"copy"`).

use alloc::vec::Vec;

use crate::backend::Backend;

use super::config::ReplayLogprobs;
use super::logprob::response_stats;
use super::rows::Row;
use super::{TrainError, Trainer};

impl<B: Backend> Trainer<B> {
    /// Fills `rows[..].old_logp` of replays (when recomputed) and `rows[..].ref_logp`.
    pub(super) fn fill_logprobs(&self, rows: &mut [Row]) -> Result<(), TrainError> {
        let cfg = &self.config;
        let recompute = cfg.replay_logprobs == ReplayLogprobs::Recompute;
        let replay_rows: Vec<usize> = (0..rows.len())
            .filter(|&i| rows[i].replay_of.is_some())
            .collect();
        if recompute && !replay_rows.is_empty() {
            let st = response_stats(
                &self.backend,
                &self.policy,
                false,
                rows,
                &replay_rows,
                cfg.temperature,
                self.token_budget,
            )?;
            for (j, &r) in replay_rows.iter().enumerate() {
                rows[r].old_logp = st.logp[j].clone();
            }
        }

        // Reference log-probs (the initial policy), for KL in the reward or the loss: a
        // reference model, or a LoRA run's base (its policy with the adapters off).
        let reference = match &self.reference {
            Some(r) => Some((r, false)),
            None if self.has_reference() => Some((&self.policy, true)),
            None => None,
        };
        if let Some((reference, base_only)) = reference {
            let need: Vec<usize> = (0..rows.len())
                .filter(|&i| rows[i].replay_of.is_none() || recompute)
                .collect();
            let st = response_stats(
                &self.backend,
                reference,
                base_only,
                rows,
                &need,
                cfg.temperature,
                self.token_budget,
            )?;
            for (j, &r) in need.iter().enumerate() {
                rows[r].ref_logp = st.logp[j].clone();
            }
            if !recompute {
                for &r in &replay_rows {
                    let src = rows[r].replay_of.unwrap_or(r);
                    rows[r].ref_logp = rows[src].ref_logp.clone();
                }
            }
        }
        Ok(())
    }
}
