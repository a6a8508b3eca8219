//! The trainer's configuration, with the names verl and TRL users know.
//!
//! Every field has the spec's default (`../spec/hir.md`), so an empty TOML/JSON object is a
//! valid configuration. Enumerated options are strings in the file, spelled as in verl's
//! YAML, and enums in the program: reading a config refuses a spelling that is not one of the
//! enum's, naming the field, the value and the allowed spellings (`choice.rs`); so the trainer
//! matches on enums and never compares strings. [`TrainerConfig::validate`] checks every
//! range, naming the field at fault (`validate.rs`). The trainer's own enums are in
//! [`options`].

use alloc::string::{String, ToString};

use serde::{Deserialize, Serialize};

use crate::hindsight::{EntropyAgg, Scope, Selection};
use crate::rl::{AdvEstimator, KlEstimator, LossAggMode};

mod choice;
pub mod options;
mod validate;

pub use options::{ObjectiveKind, ReplayLogprobs, ReplayShortage, RewardKind};

/// Every knob of a HiR run. Field names follow verl (`rollout_n`, `kl_coef`,
/// `clip_ratio_low`, `loss_agg_mode`, `adv_estimator`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainerConfig {
    /// Seed of every random choice (prompt order, sampling).
    pub seed: u64,
    /// Optimizer steps to run.
    pub total_steps: u64,
    /// Prompts per step (`B`).
    pub train_batch_size: usize,
    /// Responses sampled per prompt (`m`).
    pub rollout_n: usize,
    /// Sampling temperature of rollouts (and of the log-probs used in the loss).
    pub temperature: f32,
    /// Nucleus mass of rollouts.
    pub top_p: f32,
    /// Longest prompt, in tokens (longer prompts are an error when the run starts).
    pub max_prompt_length: usize,
    /// Most generated tokens per response.
    pub max_response_length: usize,
    /// The training reward: `"sparse"` (all constraints, the method) or `"dense"` (fraction
    /// satisfied; a baseline).
    #[serde(deserialize_with = "choice::reward")]
    pub reward: RewardKind,

    /// Hindsight replay on/off (off gives the plain binary-reward baselines).
    pub replay: bool,
    /// Responses replayed per prompt group (`k`; global scope: `k·B` over the batch).
    pub replay_k: usize,
    /// `"group"` (paper text) or `"global"` (released code).
    #[serde(deserialize_with = "choice::replay_scope")]
    pub replay_scope: Scope,
    /// `λ_0` of the curriculum `λ_s = λ_0 (1 + η)^s`.
    pub replay_lambda0: f64,
    /// `η` of the curriculum.
    pub replay_eta: f64,
    /// Curriculum on/off (off: `λ_s = λ_0` at every step; an ablation).
    pub replay_curriculum: bool,
    /// `"score"` (`F_div + λ_s F_int`, the method) or `"random"` (uniform among eligible; an
    /// ablation).
    #[serde(deserialize_with = "choice::replay_selection")]
    pub replay_selection: Selection,
    /// `F_div` over response tokens: `"mean"` (released code) or `"sum"` (paper formula).
    #[serde(deserialize_with = "choice::replay_entropy")]
    pub replay_entropy: EntropyAgg,
    /// Fewer than `k` eligible: `"skip"` (replay fewer), `"resample"` (sample more for the
    /// group) or `"released"` (the released code's batch-level resampling).
    #[serde(deserialize_with = "choice::replay_shortage")]
    pub replay_shortage: ReplayShortage,
    /// Most extra responses sampled per prompt under `"resample"`.
    pub replay_max_resample: usize,
    /// Old/reference log-probs of replay rows: `"copy"` from the source row (released code)
    /// or `"recompute"` under the rewritten prompt.
    #[serde(deserialize_with = "choice::replay_logprobs")]
    pub replay_logprobs: ReplayLogprobs,

    /// `"reinforce_plus_plus"`, `"reinforce_plus_plus_baseline"`, `"grpo"` or `"rloo"`.
    #[serde(deserialize_with = "choice::adv_estimator")]
    pub adv_estimator: AdvEstimator,
    /// Discount of the return-to-go (REINFORCE++).
    pub gamma: f32,
    /// GRPO: divide by the group's reward std.
    pub norm_adv_by_std_in_grpo: bool,
    /// Put the KL penalty into the token rewards.
    pub use_kl_in_reward: bool,
    /// `β` of the in-reward KL penalty.
    pub kl_coef: f32,
    /// Estimator of the in-reward KL: `"kl"` (k1), `"mse"` (k2), `"low_var_kl"` (k3); `"k1"`,
    /// `"k2"`, `"k3"` are read too (and written as the first names).
    #[serde(deserialize_with = "choice::kl_penalty")]
    pub kl_penalty: KlEstimator,
    /// Add a KL term to the loss.
    pub use_kl_loss: bool,
    /// Weight of the KL loss.
    pub kl_loss_coef: f32,
    /// Estimator of the KL loss (same names as `kl_penalty`).
    #[serde(deserialize_with = "choice::kl_loss_type")]
    pub kl_loss_type: KlEstimator,

    /// `"ppo"` (PPO-clip / REINFORCE++ form, default) or `"pairwise"` (explicit
    /// dual-preference pairs).
    #[serde(deserialize_with = "choice::objective")]
    pub objective: ObjectiveKind,
    /// `β` of the pairwise objective.
    pub pairwise_beta: f32,
    /// PPO lower clip `ε_low`.
    pub clip_ratio_low: f32,
    /// PPO upper clip `ε_high`.
    pub clip_ratio_high: f32,
    /// Dual-clip constant `c`.
    pub clip_ratio_c: f32,
    /// `"token-mean"`, `"seq-mean-token-sum"` or `"seq-mean-token-mean"`.
    #[serde(deserialize_with = "choice::loss_agg_mode")]
    pub loss_agg_mode: LossAggMode,
    /// Entropy bonus; only 0 is supported (the spec's default).
    pub entropy_coeff: f32,
    /// Passes over each step's batch.
    pub ppo_epochs: usize,
    /// Prompts per optimizer update (`train_batch_size / ppo_mini_batch_size` updates per
    /// epoch; a prompt's replays go with it).
    pub ppo_mini_batch_size: usize,

    /// AdamW learning rate.
    pub lr: f32,
    /// AdamW decoupled weight decay.
    pub weight_decay: f32,
    /// AdamW `β1`.
    pub beta1: f32,
    /// AdamW `β2`.
    pub beta2: f32,
    /// AdamW `eps`.
    pub eps: f32,
    /// Global grad-norm clip (`0` disables).
    pub grad_clip: f32,
}

impl Default for TrainerConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            total_steps: 100,
            train_batch_size: 64,
            rollout_n: 6,
            temperature: 1.0,
            top_p: 1.0,
            max_prompt_length: 2048,
            max_response_length: 4096,
            reward: RewardKind::Sparse,
            replay: true,
            replay_k: 2,
            replay_scope: Scope::Group,
            replay_lambda0: 2.0,
            replay_eta: 0.05,
            replay_curriculum: true,
            replay_selection: Selection::Score,
            replay_entropy: EntropyAgg::Mean,
            replay_shortage: ReplayShortage::Skip,
            replay_max_resample: 12,
            replay_logprobs: ReplayLogprobs::Copy,
            adv_estimator: AdvEstimator::ReinforcePlusPlus,
            gamma: 1.0,
            norm_adv_by_std_in_grpo: true,
            use_kl_in_reward: true,
            kl_coef: 0.001,
            kl_penalty: KlEstimator::K1,
            use_kl_loss: false,
            kl_loss_coef: 0.001,
            kl_loss_type: KlEstimator::K3,
            objective: ObjectiveKind::Ppo,
            pairwise_beta: 0.1,
            clip_ratio_low: 0.2,
            clip_ratio_high: 0.2,
            clip_ratio_c: 3.0,
            loss_agg_mode: LossAggMode::TokenMean,
            entropy_coeff: 0.0,
            ppo_epochs: 1,
            ppo_mini_batch_size: 32,
            lr: 1e-6,
            weight_decay: 0.01,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            grad_clip: 1.0,
        }
    }
}

/// A configuration value out of range or not one of the allowed names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("config field `{field}`: {message}")]
pub struct ConfigError {
    /// The field at fault.
    pub field: &'static str,
    /// What was found and what is expected.
    pub message: String,
}

pub(super) fn bad(field: &'static str, message: impl ToString) -> ConfigError {
    ConfigError {
        field,
        message: message.to_string(),
    }
}

impl TrainerConfig {
    /// Whether the run needs the frozen reference policy (the initial weights): a KL term in
    /// the reward or the loss, or the pairwise objective.
    pub fn needs_reference(&self) -> bool {
        (self.use_kl_in_reward && self.kl_coef != 0.0)
            || (self.use_kl_loss && self.kl_loss_coef != 0.0)
            || self.objective == ObjectiveKind::Pairwise
    }
}
