//! The PPO-clip policy loss over response tokens (reference for `Backend::policy_loss`).

use hir_core::backend::policy_loss::check;
use hir_core::backend::{PolicyLossParams, PolicyLossSums, Result};
use hir_core::rl::ppo_token;

/// Per-token loss derivatives and the token sums; see the trait doc for the formulas.
///
/// Sums are accumulated in f64 in token order, so the result is deterministic.
pub(crate) fn policy_loss(
    logp: &[f32],
    old_logp: &[f32],
    ref_logp: &[f32],
    adv: &[f32],
    weight: &[f32],
    p: &PolicyLossParams,
) -> Result<(Vec<f32>, PolicyLossSums)> {
    let n = check(
        logp.len(),
        [old_logp.len(), ref_logp.len(), adv.len(), weight.len()],
    )?;
    let mut dlogp = vec![0.0f32; n];
    let (mut pg, mut kl, mut tokens, mut clipped, mut lower, mut nlr) =
        (0.0f64, 0.0f64, 0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for t in 0..n {
        let w = weight[t];
        let tok = ppo_token(logp[t], old_logp[t], adv[t], &p.clip);
        let (kl_t, dkl_t) = if p.kl_coef != 0.0 {
            p.kl.value_and_grad(logp[t], ref_logp[t])
        } else {
            (0.0, 0.0)
        };
        dlogp[t] = w * (tok.dlogp + p.kl_coef * dkl_t);
        if w != 0.0 {
            pg += w as f64 * tok.loss as f64;
            kl += w as f64 * kl_t as f64;
            tokens += 1.0;
            clipped += tok.clipped as u8 as f64;
            lower += tok.clipped_lower as u8 as f64;
            nlr -= (logp[t] - old_logp[t]).clamp(-20.0, 20.0) as f64;
        }
    }
    let sums = PolicyLossSums {
        pg_loss: pg as f32,
        kl_loss: kl as f32,
        tokens: tokens as f32,
        clipped: clipped as f32,
        clipped_lower: lower as f32,
        neg_log_ratio: nlr as f32,
    };
    Ok((dlogp, sums))
}
