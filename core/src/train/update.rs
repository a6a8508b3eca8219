//! The policy update of a step: mini-batches of prompt groups, each a sum over token-budgeted
//! micro-batches of (forward, log-probs, objective, backward), then one AdamW step.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use crate::backend::Backend;
use crate::objective::ObjectiveBatch;
use crate::optim::zero_grads;
use crate::rl::{ppo_token, token_weights, LossAggMode, PpoClip};

use super::nonfinite::diagnose;
use super::rows::{chunk_by_tokens, Packed, Row};
use super::{TrainError, Trainer};

/// Objective metrics that are sums over tokens (weighted by the mini-batch's aggregation
/// weights), to be added over micro-batches rather than averaged.
const ADDITIVE: [&str; 3] = ["loss", "pg_loss", "kl_loss"];

/// What the logs need from an update.
pub(crate) struct UpdateStats {
    /// Mean global grad norm (before clipping) over the optimizer steps.
    pub grad_norm: f64,
    /// Objective metrics per mini-batch (`loss`, `pg_loss`, `pg_clipfrac`, ...), averaged
    /// over mini-batches and epochs.
    pub objective: BTreeMap<String, f64>,
    /// The PPO clip statistics of replay-row tokens over all mini-batches and epochs
    /// (`Some` exactly when replay is on).
    pub replay_tokens: Option<ReplayTokens>,
}

/// The PPO-clip statistics of the replay rows' tokens (those with a nonzero loss weight, as
/// `pg_clipfrac` counts them): with copied old log-probs and a positive advantage, a replay
/// token whose ratio `π_θ(y_t | q') / π_old(y_t | q)` exceeds `1 + ε_high` is clipped and
/// gets no gradient.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct ReplayTokens {
    /// Replay tokens seen.
    pub tokens: u64,
    /// Of those, tokens where the ratio clip is active (the `pg_clipfrac` test, `l2 > l1`).
    pub clipped: u64,
    /// Sum of their importance ratios (`exp` of the log-ratio clamped to `[−20, 20]`).
    pub ratio_sum: f64,
}

impl ReplayTokens {
    /// `clipped / tokens` (0 without replay tokens).
    pub fn clipfrac(&self) -> f64 {
        if self.tokens > 0 {
            self.clipped as f64 / self.tokens as f64
        } else {
            0.0
        }
    }

    /// The mean importance ratio (0 without replay tokens).
    pub fn ratio_mean(&self) -> f64 {
        if self.tokens > 0 {
            self.ratio_sum / self.tokens as f64
        } else {
            0.0
        }
    }
}

/// A micro-batch's objective metrics, and its replay tokens' clip statistics (when replay is
/// on and it has replay rows).
type MicroBatchOut = (Vec<(String, f64)>, Option<ReplayTokens>);

impl<B: Backend> Trainer<B> {
    /// Updates the policy on `rows` (per-token advantages flat in `adv`, by `seq_starts`).
    pub(crate) fn update(
        &mut self,
        rows: &[Row],
        seq_starts: &[usize],
        adv: &[f32],
        step: u64,
    ) -> Result<UpdateStats, TrainError> {
        let cfg = self.config.clone();
        let mode = cfg.loss_agg_mode;
        let groups_per_mb = cfg.ppo_mini_batch_size;
        let n_groups = rows.iter().map(|r| r.group as usize + 1).max().unwrap_or(0);
        let mut grad_norms = Vec::new();
        let mut sums: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        let mut replay_tokens = (cfg.replay && cfg.replay_k > 0).then(ReplayTokens::default);
        for _epoch in 0..cfg.ppo_epochs {
            for first in (0..n_groups).step_by(groups_per_mb.max(1)) {
                let last = first + groups_per_mb;
                let mb: Vec<usize> = (0..rows.len())
                    .filter(|&i| (first..last).contains(&(rows[i].group as usize)))
                    .collect();
                if mb.is_empty() {
                    continue;
                }
                let mb_tokens: usize = mb.iter().map(|&i| rows[i].response.len()).sum();
                zero_grads(&self.backend, &mut self.grads)?;
                // Losses are weighted sums with the mini-batch's denominators, so they add up
                // over micro-batches; fractions are averaged weighted by token counts.
                let mut mb_sums: BTreeMap<String, (f64, f64)> = BTreeMap::new();
                for chunk in chunk_by_tokens(rows, &mb, self.token_budget) {
                    let (out, replay) = self.micro_batch(
                        rows,
                        &chunk,
                        seq_starts,
                        adv,
                        mode,
                        (mb_tokens, mb.len()),
                    )?;
                    if let (Some(total), Some(part)) = (replay_tokens.as_mut(), replay) {
                        total.tokens += part.tokens;
                        total.clipped += part.clipped;
                        total.ratio_sum += part.ratio_sum;
                    }
                    let tokens = out
                        .iter()
                        .find(|(k, _)| k == "tokens")
                        .map_or(1.0, |(_, v)| *v);
                    for (k, v) in out {
                        let additive = ADDITIVE.contains(&k.as_str());
                        let e = mb_sums.entry(k).or_insert((0.0, 0.0));
                        if additive {
                            e.0 += v;
                            e.1 = 1.0;
                        } else {
                            e.0 += v * tokens;
                            e.1 += tokens;
                        }
                    }
                }
                for (k, (v, w)) in mb_sums {
                    if k == "tokens" {
                        continue;
                    }
                    let e = sums.entry(k).or_insert((0.0, 0.0));
                    e.0 += if w > 0.0 { v / w } else { 0.0 };
                    e.1 += 1.0;
                }
                let info = self.optimizer.step_tensors(
                    &self.backend,
                    self.policy.trainable_mut(),
                    crate::model::TensorList::tensors(&self.grads),
                )?;
                if !info.grad_norm.is_finite() {
                    return Err(TrainError::NonFinite {
                        step,
                        what: "gradient norm",
                        value: info.grad_norm,
                        cause: diagnose(
                            &self.backend,
                            self.policy.trainable_named(),
                            Some(self.grads.named(&self.policy.config)),
                            self.config.lr,
                        ),
                    });
                }
                grad_norms.push(info.grad_norm as f64);
            }
        }
        let grad_norm = if grad_norms.is_empty() {
            0.0
        } else {
            grad_norms.iter().sum::<f64>() / grad_norms.len() as f64
        };
        Ok(UpdateStats {
            grad_norm,
            objective: sums.into_iter().map(|(k, (s, n))| (k, s / n)).collect(),
            replay_tokens,
        })
    }

    /// Forward, objective and backward of one micro-batch; gradients are added into
    /// `self.grads`. Returns the objective's metrics, and the clip statistics of its replay
    /// rows' tokens when replay is on and it has replay rows.
    fn micro_batch(
        &mut self,
        rows: &[Row],
        chunk: &[usize],
        seq_starts: &[usize],
        adv: &[f32],
        mode: LossAggMode,
        denominators: (usize, usize),
    ) -> Result<MicroBatchOut, TrainError> {
        let b = &self.backend;
        let v = self.policy.config.vocab_size;
        let t = self.config.temperature;
        let chunk_rows: Vec<&Row> = chunk.iter().map(|&i| &rows[i]).collect();
        let packed = Packed::new(&chunk_rows);
        let (logits, acts) = self.policy.forward(b, &packed.batch)?;
        let targets = b.upload_index(&packed.targets)?;
        let (logp, lse) = b.token_logprobs(&logits, &targets, v, t)?;

        let mut resp_starts = Vec::with_capacity(chunk.len() + 1);
        resp_starts.push(0usize);
        for r in &chunk_rows {
            resp_starts.push(resp_starts[resp_starts.len() - 1] + r.response.len());
        }
        let w = token_weights(&resp_starts, mode, Some(denominators));
        let weights = packed.scatter(&chunk_rows, |i, _| {
            w[resp_starts[i]..resp_starts[i + 1]].to_vec()
        });
        let old = packed.scatter(&chunk_rows, |_, r| r.old_logp.clone());
        let reference = packed.scatter(&chunk_rows, |_, r| r.ref_logp.clone());
        let advantages = packed.scatter(&chunk_rows, |i, _| {
            let g = chunk[i];
            adv[seq_starts[g]..seq_starts[g + 1]].to_vec()
        });
        let full_starts: Vec<usize> = packed
            .batch
            .seq_starts
            .iter()
            .map(|&x| x as usize)
            .collect();
        let rewards: Vec<f32> = chunk_rows.iter().map(|r| r.reward).collect();
        let group_ids: Vec<u32> = chunk_rows.iter().map(|r| r.group).collect();
        let replay_of: Vec<Option<usize>> = chunk_rows
            .iter()
            .map(|r| {
                r.replay_of
                    .and_then(|src| chunk.iter().position(|&c| c == src))
            })
            .collect();
        let (old_t, ref_t, adv_t, w_t) = (
            b.upload(&old)?,
            b.upload(&reference)?,
            b.upload(&advantages)?,
            b.upload(&weights)?,
        );
        let out = self.objective.compute(
            b,
            &ObjectiveBatch {
                seq_starts: &full_starts,
                rewards: &rewards,
                group_ids: &group_ids,
                replay_of: &replay_of,
                logp: &logp,
                old_logp: &old_t,
                ref_logp: &ref_t,
                advantages: &adv_t,
                weights: &w_t,
            },
        )?;
        if !out.loss.is_finite() {
            return Err(TrainError::NonFinite {
                step: self.step + 1,
                what: "policy loss",
                value: out.loss,
                cause: diagnose(b, self.policy.trainable_named(), None, self.config.lr),
            });
        }
        let replay = if self.config.replay && chunk_rows.iter().any(|r| r.replay_of.is_some()) {
            Some(self.replay_tokens(&packed, &chunk_rows, &logp, &old, &advantages, &weights)?)
        } else {
            None
        };
        let dlogits = b.token_logprobs_backward(&logits, &lse, &targets, &out.dlogp, v, t)?;
        drop(logits);
        self.policy
            .backward_trainable(b, &acts, &dlogits, &mut self.grads)?;
        let mut metrics: Vec<(String, f64)> = out
            .metrics
            .iter()
            .map(|(k, v)| (String::from(*k), *v as f64))
            .collect();
        metrics.push((String::from("loss"), out.loss as f64));
        Ok((metrics, replay))
    }

    /// The PPO-clip statistics of the replay rows among `rows` (packed as `packed`), from the
    /// current log-probs `logp` (downloaded; nothing else is touched) and the per-position
    /// old log-probs, advantages and weights.
    fn replay_tokens(
        &self,
        packed: &Packed,
        rows: &[&Row],
        logp: &B::Tensor,
        old: &[f32],
        advantages: &[f32],
        weights: &[f32],
    ) -> Result<ReplayTokens, TrainError> {
        let cfg = &self.config;
        let clip = PpoClip {
            clip_ratio_low: cfg.clip_ratio_low,
            clip_ratio_high: cfg.clip_ratio_high,
            clip_ratio_c: cfg.clip_ratio_c,
        };
        let logp = self.backend.download(logp)?;
        let mut out = ReplayTokens::default();
        for (i, r) in rows.iter().enumerate() {
            if r.replay_of.is_none() {
                continue;
            }
            let at = packed.response_at[i];
            for p in at..at + r.response.len() {
                if weights[p] == 0.0 {
                    continue;
                }
                let t = ppo_token(logp[p], old[p], advantages[p], &clip);
                let ratio = libm::exp(f64::from((logp[p] - old[p]).clamp(-20.0, 20.0)));
                out.tokens += 1;
                out.clipped += u64::from(t.clipped);
                out.ratio_sum += ratio;
            }
        }
        Ok(out)
    }
}
