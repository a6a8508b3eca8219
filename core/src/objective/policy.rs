//! The dual-preference policy objective (spec §3) as a trait, with the PPO-clip /
//! REINFORCE++ form as the default implementation.
//!
//! An objective maps the per-token log-probabilities of a (micro-)batch under the current
//! policy to a scalar loss and its derivative with respect to each log-probability; the
//! trainer back-propagates `dlogp` through the model. With a mean baseline the group
//! policy gradient is a sum of pairwise preference terms (see [`crate::rl::identity`]), so the
//! default [`PpoObjective`] already carries the response-level (`y_i ≻ y_j` for one `q`) and
//! instruction-level (`(q', y) ≻ (q, y)` for a replay pair) preferences implicitly;
//! `PairwiseObjective` (the sibling module `pairwise`) states them explicitly.

use alloc::vec::Vec;

use crate::backend::{Backend, BackendError, PolicyLossParams};

use crate::rl::{KlEstimator, PpoClip};

/// One (micro-)batch as an objective sees it. Per-sequence slices have `S` entries; per-token
/// tensors have `seq_starts[S]` entries, response tokens only, sequences back to back.
pub struct ObjectiveBatch<'a, B: Backend> {
    /// `S + 1` offsets of each sequence's tokens in the per-token tensors.
    pub seq_starts: &'a [usize],
    /// Per sequence: the outcome reward (1 for a replay row, by construction).
    pub rewards: &'a [f32],
    /// Per sequence: the prompt group (a replay row shares its source's group).
    pub group_ids: &'a [u32],
    /// For a replay row `(q', y)`: the index (in this batch) of its source row `(q, y)`.
    pub replay_of: &'a [Option<usize>],
    /// Per token: `log π_θ(y_t)` under the current parameters.
    pub logp: &'a B::Tensor,
    /// Per token: behaviour-policy log-probabilities (copied from the source for a replay).
    pub old_logp: &'a B::Tensor,
    /// Per token: reference-policy log-probabilities.
    pub ref_logp: &'a B::Tensor,
    /// Per token: advantages (from [`crate::rl::compute_advantages`]).
    pub advantages: &'a B::Tensor,
    /// Per token: aggregation weights (from [`crate::rl::token_weights`]).
    pub weights: &'a B::Tensor,
}

/// What an objective returns.
pub struct ObjectiveOutput<B: Backend> {
    /// Per token: `∂loss/∂logp_t` (on the device).
    pub dlogp: B::Tensor,
    /// The loss of this batch.
    pub loss: f32,
    /// Named scalars for the logs, e.g. `pg_loss`, `pg_clipfrac`, `pg_clipfrac_lower`,
    /// `ppo_kl`, `kl_loss`.
    pub metrics: Vec<(&'static str, f32)>,
}

/// A policy loss over a batch of response tokens (spec §3's dual-preference objective).
pub trait PolicyObjective<B: Backend> {
    /// A short name for logs and configs (e.g. `"ppo"`, `"pairwise"`).
    fn name(&self) -> &str;
    /// The loss of `batch` and its derivative with respect to `batch.logp`.
    fn compute(
        &self,
        b: &B,
        batch: &ObjectiveBatch<'_, B>,
    ) -> Result<ObjectiveOutput<B>, BackendError>;
}

/// The default objective: verl's PPO-clip loss with dual clip (`compute_policy_loss_vanilla`)
/// aggregated with the batch's token weights, plus an optional KL-as-loss term
/// (`use_kl_loss`, `kl_loss_type`, `kl_loss_coef`), computed by [`Backend::policy_loss`].
///
/// `loss = Σ_t w_t·l_t + kl_coef · Σ_t w_t·kl_t`. Metrics: `pg_loss` (`Σ w·l`),
/// `pg_clipfrac`, `pg_clipfrac_lower` and `ppo_kl` (means over tokens with `w_t ≠ 0`, as
/// verl's `masked_mean`), `tokens` (that count, to combine micro-batches), and `kl_loss`
/// (`Σ w·kl`, only with `kl_loss` on).
///
/// With weights from [`crate::rl::token_weights`] given the mini-batch's
/// `denominators`, the `loss`, `pg_loss` and `kl_loss` of its micro-batches add up to the
/// mini-batch's values (and `dlogp` to its gradient); the fractions combine weighted by
/// `tokens`.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct PpoObjective {
    /// The clip constants (`clip_ratio_low/high/c`).
    pub clip: PpoClip,
    /// KL as a loss term: `Some((estimator, kl_loss_coef))`; `None` (default) turns it off.
    pub kl_loss: Option<(KlEstimator, f32)>,
}

impl<B: Backend> PolicyObjective<B> for PpoObjective {
    fn name(&self) -> &str {
        "ppo"
    }

    fn compute(
        &self,
        b: &B,
        batch: &ObjectiveBatch<'_, B>,
    ) -> Result<ObjectiveOutput<B>, BackendError> {
        let (kl, kl_coef) = self.kl_loss.unwrap_or((KlEstimator::K1, 0.0));
        let params = PolicyLossParams {
            clip: self.clip,
            kl_coef,
            kl,
        };
        let (dlogp, s) = b.policy_loss(
            batch.logp,
            batch.old_logp,
            batch.ref_logp,
            batch.advantages,
            batch.weights,
            &params,
        )?;
        let per_token = |x: f32| if s.tokens > 0.0 { x / s.tokens } else { 0.0 };
        let mut metrics = alloc::vec![
            ("pg_loss", s.pg_loss),
            ("pg_clipfrac", per_token(s.clipped)),
            ("pg_clipfrac_lower", per_token(s.clipped_lower)),
            ("ppo_kl", per_token(s.neg_log_ratio)),
            ("tokens", s.tokens),
        ];
        if self.kl_loss.is_some() {
            metrics.push(("kl_loss", s.kl_loss));
        }
        Ok(ObjectiveOutput {
            dlogp,
            loss: s.pg_loss + kl_coef * s.kl_loss,
            metrics,
        })
    }
}
