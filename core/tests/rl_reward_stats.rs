//! Reward statistics for the logs, by hand.

use hir_core::rl::reward_stats;

#[test]
fn reward_stats_by_hand() {
    // Rewards [1, 0, 0, 1 | 1, 1 | 0]: mean 4/7 = 0.5714286; Σ(x − mean)² =
    // 4·(3/7)² + 3·(4/7)² = (36 + 48)/49 = 12/7; unbiased var = (12/7)/6 = 2/7, std = 0.5345225.
    // Groups: 0 mixed, 1 all ones, 2 single → 2 of 3 with zero std.
    let s = reward_stats(&[1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0], &[0, 0, 0, 0, 1, 1, 2]);
    assert!((s.reward_mean - 4.0 / 7.0).abs() < 1e-6);
    assert!((s.reward_std as f64 - (2.0f64 / 7.0).sqrt()).abs() < 1e-6);
    assert!((s.frac_reward_zero_std - 2.0 / 3.0).abs() < 1e-6);
    assert_eq!(s.groups, 3);
    assert_eq!(reward_stats(&[], &[]), Default::default());
    assert_eq!(reward_stats(&[1.0], &[4]).reward_std, 0.0);
}
