//! [`TrainerConfig::validate`]: every count, every float (finite and in its range), and the
//! fields that constrain each other, each error naming the field at fault.

use alloc::format;

use crate::hindsight::last_finite_step;

use super::{bad, ConfigError, TrainerConfig};

impl TrainerConfig {
    /// Checks every range (the enumerated fields were checked when the config was read).
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
        if self.entropy_coeff != 0.0 {
            return Err(bad(
                "entropy_coeff",
                "only 0 is supported (the spec's default; an entropy bonus is not implemented)",
            ));
        }
        self.validate_numbers()?;
        if !self
            .train_batch_size
            .is_multiple_of(self.ppo_mini_batch_size)
        {
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
