//! [`Trainer::step`]: rollout, verification, selection, rewrite, replay, advantages, update.
//!
//! A step is [`Trainer::collect`] (the experience, one file per phase) then
//! [`Trainer::learn`] (`learn.rs`):
//!
//! ```text
//! collect: roll_out        rollout.rs       B×m samples, decode, verify, old log-probs +
//!                                           entropy, [resample short groups, or the
//!                                           released code's r more for every prompt]
//!          replay          replay.rs        select + rewrite + re-verify, replay rows next to
//!                                           their sources
//!          fill_logprobs   ref_logprobs.rs  old log-probs of replays (recompute), reference
//!                                           log-probs
//!          experience      metrics.rs       the experience-side metrics
//! learn:   advantages, update (update.rs), the learning-side metrics (metrics.rs)
//! ```

use alloc::vec::Vec;

use crate::backend::Backend;
use crate::rng::derive;

use super::metrics::{self, StepMetrics};
use super::rows::Row;
use super::{TrainError, Trainer};

/// The experience of one step, ready for [`Trainer::learn`].
#[derive(Debug, Clone)]
pub struct StepBatch {
    /// The step these rows belong to (1-based).
    pub step: u64,
    /// The rows to update on: per prompt group, each rollout, and each selected response's
    /// hindsight replay right after it.
    pub rows: Vec<Row>,
    /// Responses generated for this step (rollouts plus resamples).
    pub generated: u64,
    /// The experience-side metrics (rewards, replay counts, timing so far).
    pub metrics: StepMetrics,
    /// Clock reading when the step started.
    pub started: f64,
}

impl<B: Backend> Trainer<B> {
    /// Runs one training step (spec §2) and returns its metrics: [`Trainer::collect`] then
    /// [`Trainer::learn`].
    pub fn step(&mut self) -> Result<StepMetrics, TrainError> {
        let batch = self.collect()?;
        self.learn(batch)
    }

    /// The experience half of a step (spec §2.1–2.5): rollout, verification, selection,
    /// rewrite and replay, old and reference log-probs. Nothing is updated; the returned rows
    /// are what [`Trainer::learn`] trains on, in order (each replay right after its source).
    pub fn collect(&mut self) -> Result<StepBatch, TrainError> {
        let s = self.step + 1;
        let t_start = self.now();
        let step_seed = derive(self.config.seed, s);
        let k = if self.config.replay {
            self.config.replay_k
        } else {
            0
        };

        // 1–3. Rollout: sample, decode, verify, old log-probs and entropies; then resample
        // groups short of eligible responses when asked to.
        let rollouts = self.roll_out(s, step_seed, k)?;
        let t_old = self.now();

        // 3–5. Select, rewrite, re-verify; rows with each replay right after its source.
        let mut replays = self.replay(&rollouts, s, step_seed, k)?;

        // Old log-probs of replays (when recomputed) and reference log-probs.
        self.fill_logprobs(&mut replays.rows)?;
        let t_ref = self.now();

        let metrics = metrics::experience(s, &self.config, k, &rollouts, &replays, t_ref - t_old);
        Ok(StepBatch {
            step: s,
            rows: replays.rows,
            generated: rollouts.generated,
            metrics,
            started: t_start,
        })
    }
}
