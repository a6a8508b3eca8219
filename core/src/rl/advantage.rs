//! Outcome-reward advantage estimators (spec §2.6): REINFORCE++, REINFORCE++-baseline, GRPO and
//! RLOO, each matching the function of the same name in verl's `verl/trainer/ppo/core_algos.py`,
//! with the KL-in-reward shaping of verl's `apply_kl_penalty` (`ray_trainer.py`).
//!
//! Layout: `S` sequences packed back to back; sequence `i` owns the response tokens
//! `seq_starts[i]..seq_starts[i + 1]` of the flat per-token arrays (`old_logp`, `ref_logp` and
//! every per-token output). Only response tokens appear, so verl's `response_mask` is all ones
//! inside a sequence.
//!
//! Token rewards (verl's `token_level_rewards = token_level_scores − β·kld`):
//!
//! ```text
//! r_t = R_i·1[t = last token of i] − β·kl_t,   kl_t = KlEstimator(old_logp_t, ref_logp_t)
//! ```
//!
//! (`β = 0` and `kl_t = 0` when `kl_in_reward` is `None`). The sequence score of the group
//! estimators is verl's `token_level_rewards.sum(-1)`: `score_i = R_i − β Σ_t kl_t`.
//!
//! Internally everything is accumulated in `f64` in index order, so results are deterministic.

use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::kl::KlEstimator;

/// The epsilon of verl's `masked_whiten`: `(x − mean) · rsqrt(var + 1e-8)`.
pub const WHITEN_EPS: f64 = 1e-8;

/// Which advantage estimator turns outcome rewards into per-token advantages.
///
/// serde reads and writes verl's names (`algorithm.adv_estimator`), the same as
/// [`AdvEstimator::name`]: `"reinforce_plus_plus"`, `"reinforce_plus_plus_baseline"`,
/// `"grpo"`, `"rloo"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum AdvEstimator {
    /// REINFORCE++ (verl `compute_reinforce_plus_plus_outcome_advantage`): discounted
    /// return-to-go of the token rewards, whitened over every response token of the batch.
    /// The estimator the HiR authors ran (spec §2.6).
    #[default]
    #[serde(rename = "reinforce_plus_plus")]
    ReinforcePlusPlus,
    /// REINFORCE++-baseline (verl `compute_reinforce_plus_plus_baseline_outcome_advantage`):
    /// sequence score minus its group mean, broadcast to the tokens, whitened over the batch.
    #[serde(rename = "reinforce_plus_plus_baseline")]
    ReinforcePlusPlusBaseline,
    /// GRPO (verl `compute_grpo_outcome_advantage`): `(score − group mean) / (group std + ε)`.
    #[serde(rename = "grpo")]
    Grpo,
    /// RLOO (verl `compute_rloo_outcome_advantage`): score minus the leave-one-out mean of the
    /// other members of its group.
    #[serde(rename = "rloo")]
    Rloo,
}

impl AdvEstimator {
    /// The estimator with verl's name (`algorithm.adv_estimator`): `"reinforce_plus_plus"`,
    /// `"reinforce_plus_plus_baseline"`, `"grpo"`, `"rloo"`.
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "reinforce_plus_plus" => Some(Self::ReinforcePlusPlus),
            "reinforce_plus_plus_baseline" => Some(Self::ReinforcePlusPlusBaseline),
            "grpo" => Some(Self::Grpo),
            "rloo" => Some(Self::Rloo),
            _ => None,
        }
    }

    /// verl's name of the estimator (inverse of [`AdvEstimator::from_name`]).
    pub fn name(self) -> &'static str {
        match self {
            Self::ReinforcePlusPlus => "reinforce_plus_plus",
            Self::ReinforcePlusPlusBaseline => "reinforce_plus_plus_baseline",
            Self::Grpo => "grpo",
            Self::Rloo => "rloo",
        }
    }
}

/// The batch an estimator reads: one outcome reward per sequence, per-token log-probabilities.
#[derive(Clone, Copy, Debug)]
pub struct AdvantageInput<'a> {
    /// Per sequence: the outcome reward `R` (0/1 for HiR's sparse reward).
    pub rewards: &'a [f32],
    /// Per sequence: the prompt group (replays share their source's group).
    pub group_ids: &'a [u32],
    /// `S + 1` offsets into the flat per-token arrays (response tokens only); non-decreasing.
    pub seq_starts: &'a [usize],
    /// Per token: log-probability under the behaviour (old) policy.
    pub old_logp: &'a [f32],
    /// Per token: log-probability under the reference policy (read only with `kl_in_reward`).
    pub ref_logp: &'a [f32],
}

/// Settings of [`compute_advantages`], named as in verl's `algorithm` config.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdvantageConfig {
    /// The estimator (`adv_estimator`).
    pub estimator: AdvEstimator,
    /// Discount of the REINFORCE++ return-to-go (`gamma`, 1.0). The group estimators ignore it,
    /// as in verl.
    pub gamma: f32,
    /// KL penalty in the reward (`use_kl_in_reward`, `kl_penalty`, `kl_ctrl.kl_coef`):
    /// `Some((estimator, β))` subtracts `β·kl_t` from every token reward. `None` turns it off.
    pub kl_in_reward: Option<(KlEstimator, f32)>,
    /// GRPO only: divide by the group std (`norm_adv_by_std_in_grpo`, true); false is Dr.GRPO.
    pub norm_adv_by_std_in_grpo: bool,
    /// GRPO only: the `epsilon` added to the group std (verl: 1e-6). Whitening always uses
    /// verl's fixed [`WHITEN_EPS`] (1e-8) under the square root.
    pub eps: f32,
}

impl Default for AdvantageConfig {
    /// The spec's defaults (§2.6): REINFORCE++, `γ = 1`, k1 KL in the reward with `β = 0.001`,
    /// GRPO std normalisation on, `ε = 1e-6`.
    fn default() -> Self {
        Self {
            estimator: AdvEstimator::ReinforcePlusPlus,
            gamma: 1.0,
            kl_in_reward: Some((KlEstimator::K1, 0.001)),
            norm_adv_by_std_in_grpo: true,
            eps: 1e-6,
        }
    }
}

/// What [`compute_advantages`] returns; every vector is per token (`seq_starts[S]` long).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Advantages {
    /// The advantage `A_t` of every response token.
    pub advantages: Vec<f32>,
    /// REINFORCE++: the return-to-go `G_t` (before whitening). The group estimators return
    /// their advantages here, as verl does (`return scores, scores`).
    pub returns: Vec<f32>,
    /// The token rewards `r_t = R·1[t = last] − β·kl_t`.
    pub token_rewards: Vec<f32>,
    /// The KL term of the reward for the logs: verl's `actor/reward_kl_penalty`, i.e. the mean
    /// over sequences of each sequence's mean `kl_t` (before `β`; sequences without tokens are
    /// left out). 0 when `kl_in_reward` is `None`.
    pub kl_mean: f32,
}

/// Why an [`AdvantageInput`] is inconsistent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AdvantageError {
    /// A per-sequence or per-token array has the wrong length.
    #[error("advantage input `{field}`: expected {expected} entries, got {got}")]
    Length {
        /// The field of [`AdvantageInput`].
        field: &'static str,
        /// The length implied by `seq_starts` (`S` or `seq_starts[S]`).
        expected: usize,
        /// The length found.
        got: usize,
    },
    /// `seq_starts` is empty or decreases somewhere.
    #[error("advantage input `seq_starts`: expected S+1 non-decreasing offsets ({0})")]
    SeqStarts(&'static str),
}

/// Computes per-token advantages; see the module doc and each [`AdvEstimator`] variant.
///
/// # Panics
/// If the input is inconsistent (see [`try_compute_advantages`], which reports it instead).
pub fn compute_advantages(input: &AdvantageInput<'_>, cfg: &AdvantageConfig) -> Advantages {
    match try_compute_advantages(input, cfg) {
        Ok(a) => a,
        Err(e) => panic!("compute_advantages: {e}"),
    }
}

/// [`compute_advantages`] that reports inconsistent input lengths instead of panicking.
pub fn try_compute_advantages(
    input: &AdvantageInput<'_>,
    cfg: &AdvantageConfig,
) -> Result<Advantages, AdvantageError> {
    validate(input)?;
    let starts = input.seq_starts;
    let s = starts.len() - 1;
    let n = starts[s];
    let base = starts[0];

    // Token rewards and the KL term (verl apply_kl_penalty).
    let mut kl = vec![0.0f64; n];
    let mut token_rewards = vec![0.0f64; n];
    let mut kl_seq_means = 0.0f64;
    let mut kl_seqs = 0usize;
    if let Some((est, beta)) = cfg.kl_in_reward {
        for w in starts.windows(2) {
            let mut sum = 0.0f64;
            for t in w[0]..w[1] {
                kl[t] = est.value_and_grad(input.old_logp[t], input.ref_logp[t]).0 as f64;
                token_rewards[t] = -(beta as f64) * kl[t];
                sum += kl[t];
            }
            if w[1] > w[0] {
                kl_seq_means += sum / (w[1] - w[0]) as f64;
                kl_seqs += 1;
            }
        }
    }
    let mut scores = vec![0.0f64; s];
    for (i, w) in starts.windows(2).enumerate() {
        let r = input.rewards[i] as f64;
        // Sequence score = Σ_t r_t; an empty response scores R (verl leaves that case
        // undefined).
        scores[i] = if w[1] > w[0] {
            token_rewards[w[1] - 1] += r;
            token_rewards[w[0]..w[1]].iter().sum::<f64>()
        } else {
            r
        };
    }

    let mut adv = vec![0.0f64; n];
    let mut returns = vec![0.0f64; n];
    match cfg.estimator {
        AdvEstimator::ReinforcePlusPlus => {
            // verl compute_reinforce_plus_plus_outcome_advantage: G_t = r_t + γ G_{t+1}, reset
            // at the end of each response; then masked_whiten over all response tokens.
            let gamma = cfg.gamma as f64;
            for w in starts.windows(2) {
                let mut g = 0.0f64;
                for t in (w[0]..w[1]).rev() {
                    g = token_rewards[t] + gamma * g;
                    returns[t] = g;
                }
            }
            whiten(&returns[base..], &mut adv[base..]);
        }
        AdvEstimator::ReinforcePlusPlusBaseline => {
            // verl compute_reinforce_plus_plus_baseline_outcome_advantage: score − group mean
            // (0 for a group of one), tiled over the tokens, masked_whiten over the batch.
            let stats = group_stats(&scores, input.group_ids);
            let mut tiled = vec![0.0f64; n];
            for (i, w) in starts.windows(2).enumerate() {
                let (mean, _, _) = stats[&input.group_ids[i]];
                tiled[w[0]..w[1]].fill(scores[i] - mean);
            }
            whiten(&tiled[base..], &mut adv[base..]);
            returns.copy_from_slice(&adv);
        }
        AdvEstimator::Grpo => {
            // verl compute_grpo_outcome_advantage: a group of one gets mean 0, std 1; else
            // torch.mean and torch.std (unbiased). (s − mean) / (std + ε), or s − mean.
            let stats = group_stats(&scores, input.group_ids);
            let eps = cfg.eps as f64;
            for (i, w) in starts.windows(2).enumerate() {
                let (mean, std, _) = stats[&input.group_ids[i]];
                let a = if cfg.norm_adv_by_std_in_grpo {
                    (scores[i] - mean) / (std + eps)
                } else {
                    scores[i] - mean
                };
                adv[w[0]..w[1]].fill(a);
            }
            returns.copy_from_slice(&adv);
        }
        AdvEstimator::Rloo => {
            // verl compute_rloo_outcome_advantage: for a group of n > 1,
            // s·n/(n−1) − mean·n/(n−1) = s − mean of the others; a group of one keeps s.
            let stats = group_stats(&scores, input.group_ids);
            for (i, w) in starts.windows(2).enumerate() {
                let (mean, _, count) = stats[&input.group_ids[i]];
                let a = if count > 1 {
                    let k = count as f64 / (count - 1) as f64;
                    scores[i] * k - mean * k
                } else {
                    scores[i]
                };
                adv[w[0]..w[1]].fill(a);
            }
            returns.copy_from_slice(&adv);
        }
    }

    let to_f32 = |v: Vec<f64>| v.into_iter().map(|x| x as f32).collect::<Vec<f32>>();
    Ok(Advantages {
        advantages: to_f32(adv),
        returns: to_f32(returns),
        token_rewards: to_f32(token_rewards),
        kl_mean: if kl_seqs > 0 {
            (kl_seq_means / kl_seqs as f64) as f32
        } else {
            0.0
        },
    })
}

fn validate(input: &AdvantageInput<'_>) -> Result<(), AdvantageError> {
    let starts = input.seq_starts;
    if starts.is_empty() {
        return Err(AdvantageError::SeqStarts("got none"));
    }
    if starts.windows(2).any(|w| w[1] < w[0]) {
        return Err(AdvantageError::SeqStarts("they decrease"));
    }
    let s = starts.len() - 1;
    let n = starts[s];
    let check = |field, got: usize, expected| {
        if got == expected {
            Ok(())
        } else {
            Err(AdvantageError::Length {
                field,
                expected,
                got,
            })
        }
    };
    check("rewards", input.rewards.len(), s)?;
    check("group_ids", input.group_ids.len(), s)?;
    check("old_logp", input.old_logp.len(), n)?;
    check("ref_logp", input.ref_logp.len(), n)
}

/// Per group: `(mean, std, count)` with verl's conventions: a group of one has mean 0 and std 1;
/// otherwise the mean and the unbiased (`torch.std`) standard deviation.
fn group_stats(scores: &[f64], group_ids: &[u32]) -> BTreeMap<u32, (f64, f64, usize)> {
    let mut members: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
    for (&g, &x) in group_ids.iter().zip(scores) {
        members.entry(g).or_default().push(x);
    }
    members
        .into_iter()
        .map(|(g, xs)| {
            let n = xs.len();
            if n == 1 {
                return (g, (0.0, 1.0, 1));
            }
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
            (g, (mean, libm::sqrt(var), n))
        })
        .collect()
}

/// The whitening statistics of verl's `masked_whiten` over `x`: the mean and the unbiased
/// variance (`masked_var(unbiased=True)`, Bessel's `N/(N−1)`). With fewer than two values the
/// variance is taken as 0 (verl divides by zero there).
pub fn whiten_stats(x: &[f64]) -> (f64, f64) {
    let n = x.len();
    if n == 0 {
        return (0.0, 0.0);
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, 0.0);
    }
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
    (mean, var)
}

/// verl's `masked_whiten`: `out = (x − mean) / sqrt(var + 1e-8)` with [`whiten_stats`].
fn whiten(x: &[f64], out: &mut [f64]) {
    let (mean, var) = whiten_stats(x);
    let inv = 1.0 / libm::sqrt(var + WHITEN_EPS);
    for (o, v) in out.iter_mut().zip(x) {
        *o = (v - mean) * inv;
    }
}
