//! Per-step reward statistics for the logs (spec §6): `reward_mean`, `reward_std` and
//! `frac_reward_zero_std`, the share of prompt groups whose rewards are all equal (no learning
//! signal for group-relative estimators; TRL's GRPO trainer logs the same name).

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// Reward statistics of one batch.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct RewardStats {
    /// Mean reward over the sequences.
    pub reward_mean: f32,
    /// Standard deviation of the rewards over the sequences (unbiased, as `torch.std`; 0 for
    /// fewer than two sequences).
    pub reward_std: f32,
    /// Fraction of groups whose rewards are all equal (a group of one counts as such); 0 for an
    /// empty batch.
    pub frac_reward_zero_std: f32,
    /// Number of distinct groups.
    pub groups: usize,
}

/// The statistics of `rewards` (one per sequence) grouped by `group_ids` (same length; extra
/// entries of the longer slice are ignored). Pass the generated rows only to exclude replays.
pub fn reward_stats(rewards: &[f32], group_ids: &[u32]) -> RewardStats {
    let n = rewards.len().min(group_ids.len());
    if n == 0 {
        return RewardStats::default();
    }
    let xs: Vec<f64> = rewards[..n].iter().map(|&r| r as f64).collect();
    let mean = xs.iter().sum::<f64>() / n as f64;
    let std = if n > 1 {
        libm::sqrt(xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64)
    } else {
        0.0
    };
    // Per group: (first reward, all equal so far).
    let mut groups: BTreeMap<u32, (f32, bool)> = BTreeMap::new();
    for (&g, &r) in group_ids[..n].iter().zip(&rewards[..n]) {
        groups
            .entry(g)
            .and_modify(|e| e.1 &= e.0 == r)
            .or_insert((r, true));
    }
    let flat = groups.values().filter(|e| e.1).count();
    RewardStats {
        reward_mean: mean as f32,
        reward_std: std as f32,
        frac_reward_zero_std: flat as f32 / groups.len() as f32,
        groups: groups.len(),
    }
}
