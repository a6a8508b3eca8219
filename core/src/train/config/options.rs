//! The trainer's own enumerated options: what to do when a group is short of replay
//! candidates, where replay rows get their old/reference log-probs, and which policy objective
//! to train. (The other enumerated fields use the hindsight and RL libraries' enums:
//! [`Scope`](crate::hindsight::Scope), [`Selection`](crate::hindsight::Selection),
//! [`EntropyAgg`](crate::hindsight::EntropyAgg), [`AdvEstimator`](crate::rl::AdvEstimator),
//! [`KlEstimator`](crate::rl::KlEstimator), [`LossAggMode`](crate::rl::LossAggMode).)
//!
//! serde reads and writes each variant under the name in its `rename`, which is also what
//! `name()` returns.

use serde::{Deserialize, Serialize};

/// What a prompt group with fewer than `replay_k` eligible responses does
/// (`replay_shortage`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ReplayShortage {
    /// Replay fewer (`"skip"`, default).
    #[default]
    #[serde(rename = "skip")]
    Skip,
    /// Sample more responses for the group, up to `replay_max_resample`, until `k` are
    /// eligible (`"resample"`).
    #[serde(rename = "resample")]
    Resample,
    /// What the released code does (`"released"`): count the eligible responses `E` over the
    /// whole batch; when `E < k·B`, sample `r = ⌈(k·B − E)/B⌉` more for every prompt, keep
    /// them all as training rows (counted in `generated_rollouts` and `hir/resampled`), and
    /// replay `(k − r)` per prompt (`(k − r)·B` in global scope), or every eligible response
    /// when `r = k`. Checked against github `sastpg/HIR` at commit `ffd6919`,
    /// `HIR/verl/trainer/ppo/ray_trainer.py`, `fit()`; group scope applies the same budget per
    /// group (our extension). As far as we read it, the released code's resample path cannot
    /// run as written (`is_replay = torch.zeros(384, 1)` is sized for 64 × 6 rows without
    /// resampling). See [`crate::train::shortage`].
    #[serde(rename = "released")]
    Released,
}

impl ReplayShortage {
    /// The option's name in a trainer config.
    pub fn name(self) -> &'static str {
        match self {
            ReplayShortage::Skip => "skip",
            ReplayShortage::Resample => "resample",
            ReplayShortage::Released => "released",
        }
    }
}

/// Where a replay row's old and reference log-probs come from (`replay_logprobs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ReplayLogprobs {
    /// Copied from the source row, i.e. scored under the original prompt (`"copy"`, the
    /// released code; default).
    #[default]
    #[serde(rename = "copy")]
    Copy,
    /// Computed again under the rewritten prompt (`"recompute"`).
    #[serde(rename = "recompute")]
    Recompute,
}

impl ReplayLogprobs {
    /// The option's name in a trainer config.
    pub fn name(self) -> &'static str {
        match self {
            ReplayLogprobs::Copy => "copy",
            ReplayLogprobs::Recompute => "recompute",
        }
    }
}

/// The policy objective a run trains with by default (`objective`; a user may still install
/// any [`PolicyObjective`](crate::objective::PolicyObjective) with
/// [`Trainer::set_objective`](crate::train::Trainer::set_objective)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ObjectiveKind {
    /// PPO-clip in the REINFORCE++ form ([`PpoObjective`](crate::objective::PpoObjective); `"ppo"`,
    /// default).
    #[default]
    #[serde(rename = "ppo")]
    Ppo,
    /// Explicit dual-preference pairs ([`PairwiseObjective`](crate::objective::PairwiseObjective);
    /// `"pairwise"`). Needs the reference policy.
    #[serde(rename = "pairwise")]
    Pairwise,
}

impl ObjectiveKind {
    /// The objective's name in a trainer config.
    pub fn name(self) -> &'static str {
        match self {
            ObjectiveKind::Ppo => "ppo",
            ObjectiveKind::Pairwise => "pairwise",
        }
    }
}

/// The reward a run trains on (`reward`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum RewardKind {
    /// `sparse(y)`: 1 only when every constraint holds (`"sparse"`, the method; default).
    #[default]
    #[serde(rename = "sparse")]
    Sparse,
    /// `dense(y)`: the fraction of constraints that hold (`"dense"`, the paper's "CLA"
    /// baseline).
    #[serde(rename = "dense")]
    Dense,
}

impl RewardKind {
    /// The option's name in a trainer config.
    pub fn name(self) -> &'static str {
        match self {
            RewardKind::Sparse => "sparse",
            RewardKind::Dense => "dense",
        }
    }
}
