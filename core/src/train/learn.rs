//! The learning half of a step (spec §2.6–2.7): advantages over the step's rows, then the
//! policy update on mini-batches of prompt groups ([`update`](super::update)).

use alloc::vec;
use alloc::vec::Vec;

use crate::backend::Backend;
use crate::rl::{compute_advantages, AdvantageConfig, AdvantageInput};

use super::metrics::{self, StepClock, StepMetrics};
use super::step::StepBatch;
use super::{TrainError, Trainer};

impl<B: Backend> Trainer<B> {
    /// The learning half of a step (spec §2.6–2.7): advantages over `batch.rows`, then the
    /// policy update; returns the step's full metrics.
    pub fn learn(&mut self, batch: StepBatch) -> Result<StepMetrics, TrainError> {
        let cfg = self.config.clone();
        let StepBatch {
            step: s,
            rows,
            generated,
            mut metrics,
            started: t_start,
        } = batch;
        let t_ref = self.now();
        let mut seq_starts = vec![0usize];
        let mut old_flat = Vec::new();
        let mut ref_flat = Vec::new();
        for r in &rows {
            old_flat.extend_from_slice(&r.old_logp);
            ref_flat.extend_from_slice(&r.ref_logp);
            seq_starts.push(old_flat.len());
        }
        let rewards: Vec<f32> = rows.iter().map(|r| r.reward).collect();
        let group_ids: Vec<u32> = rows.iter().map(|r| r.group).collect();
        let adv = compute_advantages(
            &AdvantageInput {
                rewards: &rewards,
                group_ids: &group_ids,
                seq_starts: &seq_starts,
                old_logp: &old_flat,
                ref_logp: &ref_flat,
            },
            &AdvantageConfig {
                estimator: cfg.adv_estimator,
                gamma: cfg.gamma,
                kl_in_reward: (cfg.use_kl_in_reward && self.has_reference())
                    .then_some((cfg.kl_penalty, cfg.kl_coef)),
                norm_adv_by_std_in_grpo: cfg.norm_adv_by_std_in_grpo,
                ..AdvantageConfig::default()
            },
        );
        let t_adv = self.now();

        // Policy update on mini-batches of prompt groups.
        let upd = self.update(&rows, &seq_starts, &adv.advantages, s)?;
        let t_end = self.now();
        self.step = s;
        self.generated_rollouts += generated;

        metrics::learned(
            &mut metrics,
            self.generated_rollouts,
            &adv,
            &upd,
            &rows,
            &StepClock {
                start: t_start,
                learn: t_ref,
                advantages: t_adv,
                end: t_end,
            },
        );
        Ok(metrics)
    }
}
