//! The PPO-clip policy loss of one response token, with dual clip (verl's `compute_policy_loss`,
//! "vanilla" mode), and its derivative with respect to the token's log-probability.
//!
//! With `ρ = exp(logp − old_logp)` (the log-ratio clamped to `[−20, 20]` as in verl) and
//! advantage `A`:
//!
//! ```text
//! l1 = −A·ρ,   l2 = −A·clip(ρ, 1 − ε_low, 1 + ε_high),   l = max(l1, l2)
//! if A < 0:   l = min(l, −A·c)          (dual clip, c = clip_ratio_c)
//! ```
//!
//! Aggregation over tokens (token-mean, seq-mean-token-sum, seq-mean-token-mean) is a weighted
//! sum with per-token weights, so it is not part of this function.

/// Hyper-parameters of the PPO-clip token loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PpoClip {
    /// `ε_low`: the ratio is clipped below at `1 − ε_low` (default 0.2).
    pub clip_ratio_low: f32,
    /// `ε_high`: the ratio is clipped above at `1 + ε_high` (default 0.2).
    pub clip_ratio_high: f32,
    /// Dual-clip constant `c > 1` bounding the loss of negative-advantage tokens (default 3).
    pub clip_ratio_c: f32,
}

impl Default for PpoClip {
    fn default() -> Self {
        Self {
            clip_ratio_low: 0.2,
            clip_ratio_high: 0.2,
            clip_ratio_c: 3.0,
        }
    }
}

/// The loss of one token and what the logs need about it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PpoToken {
    /// The clipped surrogate loss `l`.
    pub loss: f32,
    /// `∂l/∂logp`.
    pub dlogp: f32,
    /// The ratio clip is active (`l2 > l1`, verl's `pg_clipfrac`).
    pub clipped: bool,
    /// The dual clip is active (`A < 0` and `max(l1, l2) > −A·c`, verl's `pg_clipfrac_lower`).
    pub clipped_lower: bool,
}

/// The PPO-clip loss of one token with log-probabilities `logp` (current policy) and
/// `old_logp` (behaviour policy) and advantage `adv`.
///
/// Derivatives follow the branch taken: through `l1` it is `−A·ρ`; through the ratio clip
/// it is `−A·ρ` inside `[1 − ε_low, 1 + ε_high]` and 0 outside; through the dual clip or the
/// log-ratio clamp it is 0.
pub fn ppo_token(logp: f32, old_logp: f32, adv: f32, p: &PpoClip) -> PpoToken {
    let log_ratio = logp - old_logp;
    let clamped = !(-20.0..=20.0).contains(&log_ratio);
    let ratio = libm::expf(log_ratio.clamp(-20.0, 20.0));
    let dratio = if clamped { 0.0 } else { ratio };
    let lo = 1.0 - p.clip_ratio_low;
    let hi = 1.0 + p.clip_ratio_high;
    let l1 = -adv * ratio;
    let clipped_ratio = ratio.clamp(lo, hi);
    let l2 = -adv * clipped_ratio;
    let d1 = -adv * dratio;
    let d2 = if ratio < lo || ratio > hi { 0.0 } else { d1 };
    let clipped = l2 > l1;
    let (mut loss, mut dlogp) = if clipped { (l2, d2) } else { (l1, d1) };
    let mut clipped_lower = false;
    if adv < 0.0 {
        let l3 = -adv * p.clip_ratio_c;
        if loss > l3 {
            clipped_lower = true;
            loss = l3;
            dlogp = 0.0;
        }
    }
    PpoToken {
        loss,
        dlogp,
        clipped,
        clipped_lower,
    }
}
