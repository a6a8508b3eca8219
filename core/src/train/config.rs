//! The trainer's configuration, with the names verl and TRL users know.
//!
//! Every field has the spec's default (`../spec/hir.md`), so an empty TOML/JSON object is a
//! valid configuration. Enumerated options are plain strings in the file (as in verl's YAML);
//! [`TrainerConfig::validate`] checks them and every range, naming the field at fault.

use alloc::format;
use alloc::string::{String, ToString};

use serde::{Deserialize, Serialize};

use crate::hindsight::last_finite_step;

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

    /// Hindsight replay on/off (off gives the plain binary-reward baselines).
    pub replay: bool,
    /// Responses replayed per prompt group (`k`; global scope: `k·B` over the batch).
    pub replay_k: usize,
    /// `"group"` (paper text) or `"global"` (released code).
    pub replay_scope: String,
    /// `λ_0` of the curriculum `λ_s = λ_0 (1 + η)^s`.
    pub replay_lambda0: f64,
    /// `η` of the curriculum.
    pub replay_eta: f64,
    /// Curriculum on/off (off: `λ_s = λ_0` at every step; an ablation).
    pub replay_curriculum: bool,
    /// `"score"` (`F_div + λ_s F_int`, the method) or `"random"` (uniform among eligible; an
    /// ablation).
    pub replay_selection: String,
    /// `F_div` over response tokens: `"mean"` (released code) or `"sum"` (paper formula).
    pub replay_entropy: String,
    /// Fewer than `k` eligible: `"skip"` (replay fewer) or `"resample"` (sample more).
    pub replay_shortage: String,
    /// Most extra responses sampled per prompt under `"resample"`.
    pub replay_max_resample: usize,
    /// Old/reference log-probs of replay rows: `"copy"` from the source row (released code)
    /// or `"recompute"` under the rewritten prompt.
    pub replay_logprobs: String,

    /// `"reinforce_plus_plus"`, `"reinforce_plus_plus_baseline"`, `"grpo"` or `"rloo"`.
    pub adv_estimator: String,
    /// Discount of the return-to-go (REINFORCE++).
    pub gamma: f32,
    /// GRPO: divide by the group's reward std.
    pub norm_adv_by_std_in_grpo: bool,
    /// Put the KL penalty into the token rewards.
    pub use_kl_in_reward: bool,
    /// `β` of the in-reward KL penalty.
    pub kl_coef: f32,
    /// Estimator of the in-reward KL: `"kl"` (k1), `"mse"` (k2), `"low_var_kl"` (k3).
    pub kl_penalty: String,
    /// Add a KL term to the loss.
    pub use_kl_loss: bool,
    /// Weight of the KL loss.
    pub kl_loss_coef: f32,
    /// Estimator of the KL loss (same names as `kl_penalty`).
    pub kl_loss_type: String,

    /// `"ppo"` (PPO-clip / REINFORCE++ form, default) or `"pairwise"` (explicit
    /// dual-preference pairs).
    pub objective: String,
    /// `β` of the pairwise objective.
    pub pairwise_beta: f32,
    /// PPO lower clip `ε_low`.
    pub clip_ratio_low: f32,
    /// PPO upper clip `ε_high`.
    pub clip_ratio_high: f32,
    /// Dual-clip constant `c`.
    pub clip_ratio_c: f32,
    /// `"token-mean"`, `"seq-mean-token-sum"` or `"seq-mean-token-mean"`.
    pub loss_agg_mode: String,
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
            replay: true,
            replay_k: 2,
            replay_scope: "group".into(),
            replay_lambda0: 2.0,
            replay_eta: 0.05,
            replay_curriculum: true,
            replay_selection: "score".into(),
            replay_entropy: "mean".into(),
            replay_shortage: "skip".into(),
            replay_max_resample: 12,
            replay_logprobs: "copy".into(),
            adv_estimator: "reinforce_plus_plus".into(),
            gamma: 1.0,
            norm_adv_by_std_in_grpo: true,
            use_kl_in_reward: true,
            kl_coef: 0.001,
            kl_penalty: "kl".into(),
            use_kl_loss: false,
            kl_loss_coef: 0.001,
            kl_loss_type: "low_var_kl".into(),
            objective: "ppo".into(),
            pairwise_beta: 0.1,
            clip_ratio_low: 0.2,
            clip_ratio_high: 0.2,
            clip_ratio_c: 3.0,
            loss_agg_mode: "token-mean".into(),
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

fn bad(field: &'static str, message: impl ToString) -> ConfigError {
    ConfigError {
        field,
        message: message.to_string(),
    }
}

fn one_of(field: &'static str, value: &str, allowed: &[&str]) -> Result<(), ConfigError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(bad(
            field,
            format!("`{value}` is not one of {}", allowed.join(", ")),
        ))
    }
}

impl TrainerConfig {
    /// Whether the run needs the frozen reference policy (the initial weights): a KL term in
    /// the reward or the loss, or the pairwise objective.
    pub fn needs_reference(&self) -> bool {
        (self.use_kl_in_reward && self.kl_coef != 0.0)
            || (self.use_kl_loss && self.kl_loss_coef != 0.0)
            || self.objective == "pairwise"
    }

    /// Checks every range and every enumerated name.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let positive = |field, v: usize| {
            if v == 0 {
                Err(bad(field, "must be at least 1"))
            } else {
                Ok(())
            }
        };
        positive("train_batch_size", self.train_batch_size)?;
        positive("rollout_n", self.rollout_n)?;
        positive("max_prompt_length", self.max_prompt_length)?;
        positive("max_response_length", self.max_response_length)?;
        positive("ppo_epochs", self.ppo_epochs)?;
        positive("ppo_mini_batch_size", self.ppo_mini_batch_size)?;
        one_of("replay_scope", &self.replay_scope, &["group", "global"])?;
        one_of(
            "replay_selection",
            &self.replay_selection,
            &["score", "random"],
        )?;
        one_of("replay_entropy", &self.replay_entropy, &["mean", "sum"])?;
        one_of(
            "replay_shortage",
            &self.replay_shortage,
            &["skip", "resample"],
        )?;
        one_of(
            "replay_logprobs",
            &self.replay_logprobs,
            &["copy", "recompute"],
        )?;
        one_of(
            "adv_estimator",
            &self.adv_estimator,
            &[
                "reinforce_plus_plus",
                "reinforce_plus_plus_baseline",
                "grpo",
                "rloo",
            ],
        )?;
        let kls = ["kl", "k1", "mse", "k2", "low_var_kl", "k3"];
        one_of("kl_penalty", &self.kl_penalty, &kls)?;
        one_of("kl_loss_type", &self.kl_loss_type, &kls)?;
        one_of("objective", &self.objective, &["ppo", "pairwise"])?;
        one_of(
            "loss_agg_mode",
            &self.loss_agg_mode,
            &["token-mean", "seq-mean-token-sum", "seq-mean-token-mean"],
        )?;
        if self.entropy_coeff != 0.0 {
            return Err(bad(
                "entropy_coeff",
                "only 0 is supported (the spec's default; an entropy bonus is not implemented)",
            ));
        }
        self.validate_numbers()?;
        if self.train_batch_size % self.ppo_mini_batch_size != 0 {
            return Err(bad(
                "ppo_mini_batch_size",
                format!(
                    "{} must divide train_batch_size ({})",
                    self.ppo_mini_batch_size, self.train_batch_size
                ),
            ));
        }
        Ok(())
    }

    /// Every float field: finite (NaN and infinities are refused by name) and in its range.
    fn validate_numbers(&self) -> Result<(), ConfigError> {
        use Range::*;
        let f32s: [(&'static str, f32, Range); 14] = [
            ("temperature", self.temperature, Positive),
            ("top_p", self.top_p, ZeroOneUpper),
            ("gamma", self.gamma, ZeroOne),
            ("kl_coef", self.kl_coef, NonNegative),
            ("kl_loss_coef", self.kl_loss_coef, NonNegative),
            ("pairwise_beta", self.pairwise_beta, Positive),
            ("clip_ratio_low", self.clip_ratio_low, NonNegative),
            ("clip_ratio_high", self.clip_ratio_high, NonNegative),
            ("clip_ratio_c", self.clip_ratio_c, AboveOne),
            ("lr", self.lr, NonNegative),
            ("weight_decay", self.weight_decay, NonNegative),
            ("beta1", self.beta1, ZeroOneLower),
            ("beta2", self.beta2, ZeroOneLower),
            ("eps", self.eps, Positive),
        ];
        for (field, v, range) in f32s {
            range.check(field, f64::from(v))?;
        }
        if !(self.grad_clip.is_finite() && self.grad_clip >= 0.0) {
            return Err(bad(
                "grad_clip",
                format!(
                    "{} must be a finite number ≥ 0 (0 disables clipping)",
                    self.grad_clip
                ),
            ));
        }
        NonNegative.check("replay_lambda0", self.replay_lambda0)?;
        NonNegative.check("replay_eta", self.replay_eta)?;
        if self.replay && self.replay_curriculum {
            if let Some(last) = last_finite_step(self.replay_lambda0, self.replay_eta) {
                if self.total_steps > last {
                    return Err(bad(
                        "replay_eta",
                        format!(
                            "λ_s = replay_lambda0 · (1 + replay_eta)^s = {} · {}^s overflows \
                             after step {last}, but total_steps is {}; lower replay_eta or \
                             replay_lambda0, or train fewer steps",
                            self.replay_lambda0,
                            1.0 + self.replay_eta,
                            self.total_steps
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The allowed range of a float field.
#[derive(Clone, Copy)]
enum Range {
    /// `> 0`.
    Positive,
    /// `≥ 0`.
    NonNegative,
    /// `[0, 1]`.
    ZeroOne,
    /// `[0, 1)` (AdamW's betas: 1 divides by zero in the bias correction).
    ZeroOneLower,
    /// `(0, 1]`.
    ZeroOneUpper,
    /// `> 1`.
    AboveOne,
}

impl Range {
    fn check(self, field: &'static str, v: f64) -> Result<(), ConfigError> {
        let (ok, expected) = match self {
            Range::Positive => (v > 0.0, "> 0"),
            Range::NonNegative => (v >= 0.0, "≥ 0"),
            Range::ZeroOne => ((0.0..=1.0).contains(&v), "in [0, 1]"),
            Range::ZeroOneLower => ((0.0..1.0).contains(&v), "in [0, 1)"),
            Range::ZeroOneUpper => (v > 0.0 && v <= 1.0, "in (0, 1]"),
            Range::AboveOne => (v > 1.0, "> 1"),
        };
        if v.is_finite() && ok {
            Ok(())
        } else {
            Err(bad(
                field,
                format!("{v} is not allowed: expected a finite number {expected}"),
            ))
        }
    }
}
