//! The PPO-clip policy loss over response tokens, forward and backward in one op:
//! `policy_loss`.
//!
//! Contract of `policy_loss(logp, old_logp, ref_logp, adv, weight, p)`: inputs are per
//! token, all `[N]`: `logp` (current policy), `old_logp` (behaviour policy), `ref_logp`
//! (reference policy; read only when `p.kl_coef ≠ 0`), `adv` (advantages) and `weight` (the
//! aggregation weight of each token: `1/N_tokens` for token-mean, `1/S` for
//! seq-mean-token-sum, `1/(S·len_s)` for seq-mean-token-mean, 0 for padding). Per token,
//! [`crate::rl::ppo_token`] gives `l_t` and `∂l_t/∂logp_t`, and `p.kl` gives `kl_t` and its
//! derivative. Returns `dlogp_t = w_t · (∂l_t/∂logp_t + kl_coef · ∂kl_t/∂logp_t)` and the
//! sums of [`PolicyLossSums`] (accumulated in f64, read back to the host); the total loss is
//! `pg_loss + kl_coef · kl_loss`.

use crate::rl::{KlEstimator, PpoClip};

use super::shape::check_len;
use super::Result;

/// Settings of `Backend::policy_loss`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PolicyLossParams {
    /// The PPO-clip constants (`clip_ratio_low/high`, dual-clip `clip_ratio_c`).
    pub clip: PpoClip,
    /// Weight of the KL-as-loss term (`kl_loss_coef`; 0 turns it off).
    pub kl_coef: f32,
    /// The KL estimator of the KL-as-loss term.
    pub kl: KlEstimator,
}

/// Token sums returned by `Backend::policy_loss` (read back for the loss value and the logs).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PolicyLossSums {
    /// `Σ_t w_t · l_t`: the aggregated PPO-clip loss (`pg_loss`).
    pub pg_loss: f32,
    /// `Σ_t w_t · kl_t`: the aggregated KL estimate (`kl_loss`, before `kl_coef`).
    pub kl_loss: f32,
    /// Tokens with `w_t ≠ 0`.
    pub tokens: f32,
    /// Tokens with `w_t ≠ 0` where the ratio clip is active (`pg_clipfrac · tokens`).
    pub clipped: f32,
    /// Tokens with `w_t ≠ 0` where the dual clip is active (`pg_clipfrac_lower · tokens`).
    pub clipped_lower: f32,
    /// `Σ_t −clamp(logp_t − old_logp_t, −20, 20)` over tokens with `w_t ≠ 0` (`ppo_kl · tokens`,
    /// with verl's clamp of the log-ratio).
    pub neg_log_ratio: f32,
}

/// Checks that `old_logp`, `ref_logp`, `adv` and `weight` have `logp`'s length `N` (element
/// counts, in that order); returns `N`.
pub fn check(logp: usize, [old_logp, ref_logp, adv, weight]: [usize; 4]) -> Result<usize> {
    const OP: &str = "policy_loss";
    let n = logp;
    check_len(OP, "old_logp", old_logp, n)?;
    check_len(OP, "ref_logp", ref_logp, n)?;
    check_len(OP, "adv", adv, n)?;
    check_len(OP, "weight", weight, n)?;
    Ok(n)
}
