//! Per-step metrics (spec §6), keyed with the names verl users look for.
//!
//! Keys are sorted (a `BTreeMap`), so a metrics line serializes the same way every run.
//! Timing keys start with `timing_s/` and `perf/`; everything else is a pure function of the
//! seed and the data, which is what the resume test compares.
//!
//! `critic/rewards/*` describe the training reward (sparse, or dense under
//! `reward = "dense"`, verl's meaning); `hir/success_rate` is always the sparse success of
//! the generated rollouts. With replay on, the replay diagnostics are logged too:
//! `hir/replay_clipfrac` and `hir/replay_ratio_mean` (the PPO clip fraction and mean
//! importance ratio over replay-row tokens), `hir/entropy_override_frac`,
//! `hir/replay_kept_constraints` and `hir/replay_kept_frac`. Every step logs per constraint
//! family `family/<instruction_id>/satisfied` and `family/<instruction_id>/count`.
//!
//! A step writes its metrics in two parts: `experience` after
//! [`Trainer::collect`](super::Trainer::collect), `learned` after
//! [`Trainer::learn`](super::Trainer::learn).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::hindsight::{curriculum_lambda, is_eligible};
use crate::rl::{reward_stats, Advantages};

use super::replay::Replays;
use super::rollout::Rollouts;
use super::rows::Row;
use super::update::UpdateStats;
use super::TrainerConfig;

/// One step's metrics: name → value.
pub type StepMetrics = BTreeMap<String, f64>;

/// Whether a metric depends on wall time (and so differs between otherwise identical runs).
pub fn is_timing(key: &str) -> bool {
    key.starts_with("timing_s/") || key.starts_with("perf/")
}

/// Mean and population standard deviation (0, 0 for an empty slice).
pub fn mean_std(xs: &[f64]) -> (f64, f64) {
    if xs.is_empty() {
        return (0.0, 0.0);
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    (mean, libm::sqrt(var))
}

/// The experience-side metrics of step `s` (`k`: responses replayed per group; `rows`: the
/// step's rows): rewards, replay counts, lengths, entropy, and the timing so far
/// (`select_rewrite_ref_s`: seconds from the end of the rollout phase to the end of the
/// log-prob phase).
pub(super) fn experience(
    s: u64,
    cfg: &TrainerConfig,
    k: usize,
    rollouts: &Rollouts,
    replays: &Replays,
    select_rewrite_ref_s: f64,
) -> StepMetrics {
    let mut m = StepMetrics::new();
    let gen_rows = rollouts.generated_rows(cfg.rollout_n);
    let rewards_gen: Vec<f32> = gen_rows.iter().map(|r| r.reward).collect();
    let groups_gen: Vec<u32> = gen_rows.iter().map(|r| r.group).collect();
    let rs = reward_stats(&rewards_gen, &groups_gen);
    // The sparse success of the same rows, whatever the training reward (under the sparse
    // reward these are the rewards above, so the value is the same bits as the reward mean).
    let sparse_gen: Vec<f32> = rollouts
        .groups
        .iter()
        .flat_map(|g| g.verdicts.iter().take(cfg.rollout_n).map(|v| v.sparse()))
        .collect();
    let success = reward_stats(&sparse_gen, &groups_gen).reward_mean;
    let dense: Vec<f64> = gen_rows.iter().map(|r| r.dense as f64).collect();
    let lens: Vec<f64> = gen_rows.iter().map(|r| r.response.len() as f64).collect();
    let truncated = gen_rows.iter().filter(|r| r.truncated).count();
    let token_entropy: Vec<f64> = rollouts
        .groups
        .iter()
        .flat_map(|g| g.mean_entropy.iter().take(cfg.rollout_n).map(|&e| e as f64))
        .collect();
    let eligible = gen_rows.iter().filter(|r| is_eligible(r.dense)).count();
    let n_gen = gen_rows.len().max(1) as f64;
    let lambda = curriculum_lambda(s, replays.lambda0, replays.eta);
    let mut put = |k: &str, v: f64| {
        m.insert(String::from(k), v);
    };
    put("training/step", s as f64);
    put("critic/rewards/mean", rs.reward_mean as f64);
    put("critic/rewards/std", rs.reward_std as f64);
    put(
        "critic/frac_reward_zero_std",
        rs.frac_reward_zero_std as f64,
    );
    put("hir/success_rate", success as f64);
    put("hir/dense_mean", mean_std(&dense).0);
    put("hir/eligible_frac", eligible as f64 / n_gen);
    put("hir/replay_count", replays.replay_dense.len() as f64);
    put("hir/replay_dense_mean", mean_std(&replays.replay_dense).0);
    put("hir/lambda", if k > 0 { lambda } else { 0.0 });
    put("hir/reverify_failures", replays.reverify_failures as f64);
    put("hir/replay_dropped_too_long", replays.dropped_long as f64);
    put("hir/resampled", rollouts.resampled as f64);
    put("rollouts/generated", rollouts.generated as f64);
    put("rollouts/update_rows", replays.rows.len() as f64);
    put("actor/entropy", mean_std(&token_entropy).0);
    put("actor/lr", cfg.lr as f64);
    put("response_length/mean", mean_std(&lens).0);
    put("response_length/clip_ratio", truncated as f64 / n_gen);
    put("timing_s/gen", rollouts.gen_s);
    put("timing_s/old_log_prob", rollouts.old_log_prob_s);
    put("timing_s/resample", rollouts.resample_s);
    put("timing_s/select_rewrite_ref", select_rewrite_ref_s);
    if k > 0 {
        let ratio = |a: usize, b: usize| if b > 0 { a as f64 / b as f64 } else { 0.0 };
        put(
            "hir/entropy_override_frac",
            ratio(replays.overridden, replays.selected),
        );
        let kept: Vec<f64> = replays.kept.iter().map(|&(kept, _)| kept as f64).collect();
        let kept_frac: Vec<f64> = replays
            .kept
            .iter()
            .map(|&(kept, n)| ratio(kept, n))
            .collect();
        put("hir/replay_kept_constraints", mean_std(&kept).0);
        put("hir/replay_kept_frac", mean_std(&kept_frac).0);
    }
    for (id, &(satisfied, count)) in &rollouts.families {
        let frac = if count > 0 {
            satisfied as f64 / count as f64
        } else {
            0.0
        };
        m.insert(format!("family/{id}/satisfied"), frac);
        m.insert(format!("family/{id}/count"), count as f64);
    }
    m
}

/// Clock readings of a step, in seconds: its start, and the ends of the experience half, of
/// the advantages and of the policy update.
pub(super) struct StepClock {
    /// When [`Trainer::collect`](super::Trainer::collect) started.
    pub start: f64,
    /// When [`Trainer::learn`](super::Trainer::learn) started.
    pub learn: f64,
    /// When the advantages were computed.
    pub advantages: f64,
    /// When the policy update ended.
    pub end: f64,
}

/// Adds the learning-side metrics to `m`: rollouts so far, KL in the reward, grad norm and
/// the objective's metrics, advantage statistics, timing and throughput over `rows`.
pub(super) fn learned(
    m: &mut StepMetrics,
    generated_total: u64,
    adv: &Advantages,
    upd: &UpdateStats,
    rows: &[Row],
    clock: &StepClock,
) {
    let mut put = |k: &str, v: f64| {
        m.insert(String::from(k), v);
    };
    put("rollouts/generated_total", generated_total as f64);
    put("actor/kl_in_reward", adv.kl_mean as f64);
    put("actor/grad_norm", upd.grad_norm);
    if let Some(replay) = &upd.replay_tokens {
        put("hir/replay_clipfrac", replay.clipfrac());
        put("hir/replay_ratio_mean", replay.ratio_mean());
    }
    for (key, v) in &upd.objective {
        put(&format!("actor/{key}"), *v);
    }
    let advs: Vec<f64> = adv.advantages.iter().map(|&a| a as f64).collect();
    put("critic/advantages/mean", mean_std(&advs).0);
    put(
        "critic/advantages/max",
        advs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    put(
        "critic/advantages/min",
        advs.iter().copied().fold(f64::INFINITY, f64::min),
    );
    let (t_start, t_ref, t_adv, t_end) = (clock.start, clock.learn, clock.advantages, clock.end);
    put("timing_s/adv", t_adv - t_ref);
    put("timing_s/update_actor", t_end - t_adv);
    put("timing_s/step", t_end - t_start);
    let tokens: usize = rows.iter().map(|r| r.prompt.len() + r.response.len()).sum();
    put(
        "perf/throughput",
        if t_end > t_start {
            tokens as f64 / (t_end - t_start)
        } else {
            0.0
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_std_of_small_samples() {
        assert_eq!(mean_std(&[]), (0.0, 0.0));
        assert_eq!(mean_std(&[1.0, 0.0, 0.0, 1.0]), (0.5, 0.5));
        assert!(is_timing("timing_s/gen") && is_timing("perf/throughput"));
        assert!(!is_timing("actor/pg_loss"));
    }
}
