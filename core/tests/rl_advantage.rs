//! Advantage estimators against hand-computed examples (the arithmetic is in the comments),
//! KL-in-reward placement, whitening statistics, and degenerate inputs.

use hir_core::rl::advantage::{whiten_stats, WHITEN_EPS};
use hir_core::rl::{
    compute_advantages, try_compute_advantages, AdvEstimator, AdvantageConfig, AdvantageError,
    AdvantageInput, KlEstimator,
};

fn cfg(estimator: AdvEstimator) -> AdvantageConfig {
    AdvantageConfig {
        estimator,
        gamma: 1.0,
        kl_in_reward: None,
        norm_adv_by_std_in_grpo: true,
        eps: 1e-6,
    }
}

fn assert_close(got: &[f32], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "length: got {got:?}, want {want:?}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (*g as f64 - w).abs() <= tol,
            "entry {i}: got {g}, want {w} (all: {got:?})"
        );
    }
}

#[test]
fn names_round_trip() {
    for e in [
        AdvEstimator::ReinforcePlusPlus,
        AdvEstimator::ReinforcePlusPlusBaseline,
        AdvEstimator::Grpo,
        AdvEstimator::Rloo,
    ] {
        assert_eq!(AdvEstimator::from_name(e.name()), Some(e));
    }
    assert_eq!(
        AdvEstimator::from_name("reinforce_plus_plus"),
        Some(AdvEstimator::ReinforcePlusPlus)
    );
    assert_eq!(AdvEstimator::from_name("gae"), None);
    assert_eq!(AdvEstimator::default(), AdvEstimator::ReinforcePlusPlus);
    let d = AdvantageConfig::default();
    assert_eq!(d.kl_in_reward, Some((KlEstimator::K1, 0.001)));
    assert_eq!(
        (d.gamma, d.eps, d.norm_adv_by_std_in_grpo),
        (1.0, 1e-6, true)
    );
}

#[test]
fn reinforce_pp_without_kl() {
    // Lengths 2, 1, 3 with R = 1, 0, 1, γ = 1: returns-to-go G = [1, 1 | 0 | 1, 1, 1].
    // N = 6, mean = 5/6; Σ(G − mean)² = 5·(1/6)² + (5/6)² = 30/36; unbiased var = (30/36)/5
    // = 1/6. A = (G − 5/6)/sqrt(1/6 + 1e-8): 1 → (1/6)·sqrt(6) = 0.4082483,
    // 0 → −(5/6)·sqrt(6) = −2.0412415.
    let old = [0.0f32; 6];
    let input = AdvantageInput {
        rewards: &[1.0, 0.0, 1.0],
        group_ids: &[0, 0, 1],
        seq_starts: &[0, 2, 3, 6],
        old_logp: &old,
        ref_logp: &old,
    };
    let a = compute_advantages(&input, &cfg(AdvEstimator::ReinforcePlusPlus));
    let (p, q) = (0.408_248_290_463_863, -2.041_241_452_319_315);
    assert_close(&a.advantages, &[p, p, q, p, p, p], 1e-6);
    assert_close(&a.returns, &[1.0, 1.0, 0.0, 1.0, 1.0, 1.0], 0.0);
    assert_close(&a.token_rewards, &[0.0, 1.0, 0.0, 0.0, 0.0, 1.0], 0.0);
    assert_eq!(a.kl_mean, 0.0);
}

#[test]
fn reinforce_pp_with_k1_kl_in_reward_and_discount() {
    // Sequence 0: 2 tokens, R = 1, old = [−1, −2], ref = [−1.5, −1]: k1 kl = old − ref =
    // [0.5, −1]; β = 0.1 → r = [−0.05, 1 + 0.1] = [−0.05, 1.1] (R on the LAST token only).
    // Sequence 1: 1 token, R = 0, old = ref → kl = 0, r = [0].
    // γ = 0.5: G = [−0.05 + 0.5·1.1, 1.1 | 0] = [0.5, 1.1 | 0].
    // mean = 1.6/3 = 0.533333; Σ(G − mean)² = 0.0011111 + 0.3211111 + 0.2844444 = 0.6066667;
    // var = 0.6066667/2 = 0.3033333; A = (G − mean)/sqrt(var + 1e-8)
    //   = [−0.0605228, 1.0288868, −0.9683640].
    // kl_mean (verl's actor/reward_kl_penalty) = mean over sequences of the per-sequence token
    // mean = ((0.5 − 1)/2 + 0)/2 = −0.125.
    let input = AdvantageInput {
        rewards: &[1.0, 0.0],
        group_ids: &[0, 1],
        seq_starts: &[0, 2, 3],
        old_logp: &[-1.0, -2.0, -0.3],
        ref_logp: &[-1.5, -1.0, -0.3],
    };
    let c = AdvantageConfig {
        gamma: 0.5,
        kl_in_reward: Some((KlEstimator::K1, 0.1)),
        ..cfg(AdvEstimator::ReinforcePlusPlus)
    };
    let a = compute_advantages(&input, &c);
    assert_close(&a.token_rewards, &[-0.05, 1.1, 0.0], 1e-7);
    assert_close(&a.returns, &[0.5, 1.1, 0.0], 1e-7);
    assert_close(
        &a.advantages,
        &[-0.060_522_752, 1.028_886_789, -0.968_364_036],
        1e-6,
    );
    assert!((a.kl_mean - -0.125).abs() < 1e-7, "{}", a.kl_mean);
}

#[test]
fn kl_in_reward_uses_the_chosen_estimator() {
    // One token, old = −1, ref = −2 → d = old − ref = 1.
    // k2 = ½·1² = 0.5; k3 = exp(−1) − (−1) − 1 = e^{−1} = 0.3678794.
    // β = 0.2: r = R − β·kl = 1 − 0.1 = 0.9 (k2) and 1 − 0.0735759 = 0.9264241 (k3).
    for (est, want_kl) in [
        (KlEstimator::K2, 0.5f64),
        (KlEstimator::K3, (-1.0f64).exp()),
    ] {
        let input = AdvantageInput {
            rewards: &[1.0],
            group_ids: &[0],
            seq_starts: &[0, 1],
            old_logp: &[-1.0],
            ref_logp: &[-2.0],
        };
        let c = AdvantageConfig {
            kl_in_reward: Some((est, 0.2)),
            ..cfg(AdvEstimator::ReinforcePlusPlus)
        };
        let a = compute_advantages(&input, &c);
        assert_close(&a.token_rewards, &[1.0 - 0.2 * want_kl], 1e-6);
        assert!((a.kl_mean as f64 - want_kl).abs() < 1e-6);
        // A single token: variance taken as 0, so the whitened advantage is 0 (not NaN).
        assert_close(&a.advantages, &[0.0], 0.0);
    }
}

#[test]
fn grpo_group_mean_std_singletons_and_empty_sequences() {
    // Group 7: R = [1, 0, 0, 1] (the third sequence has no tokens); mean 0.5, unbiased
    // var = (4·0.25)/3 = 1/3, std = 0.5773503; A = ±0.5/(0.5773503 + 1e-6) = ±0.8660239.
    // Group 3: a single sequence, R = 1 → mean 0, std 1: A = 1/(1 + 1e-6) = 0.999999.
    // Group 5: R = [0, 0] → std 0: A = 0/(0 + 1e-6) = 0.
    let n = 10; // lengths 2, 1, 0, 3, 2, 1, 1
    let zeros = vec![0.0f32; n];
    let input = AdvantageInput {
        rewards: &[1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0],
        group_ids: &[7, 7, 7, 7, 3, 5, 5],
        seq_starts: &[0, 2, 3, 3, 6, 8, 9, 10],
        old_logp: &zeros,
        ref_logp: &zeros,
    };
    let a = compute_advantages(&input, &cfg(AdvEstimator::Grpo));
    let (p, s) = (0.866_023_903_787, 0.999_999_000_001);
    assert_close(&a.advantages, &[p, p, -p, p, p, p, s, s, 0.0, 0.0], 1e-6);
    assert_eq!(a.returns, a.advantages);

    // Dr.GRPO (no std): A = R − mean = ±0.5; the singleton keeps 1 − 0 = 1.
    let c = AdvantageConfig {
        norm_adv_by_std_in_grpo: false,
        ..cfg(AdvEstimator::Grpo)
    };
    let a = compute_advantages(&input, &c);
    assert_close(
        &a.advantages,
        &[0.5, 0.5, -0.5, 0.5, 0.5, 0.5, 1.0, 1.0, 0.0, 0.0],
        1e-7,
    );
}

#[test]
fn grpo_score_includes_the_kl_of_every_token() {
    // Two sequences in one group, R = [1, 1]; k1 kl: sequence 0 tokens [0.5, 0.5], sequence 1
    // token [−1]; β = 0.1 → scores = 1 − 0.1 and 1 + 0.1 = [0.9, 1.1]: mean 1, std (unbiased)
    // = sqrt((0.01 + 0.01)/1) = 0.1414214; A = ∓0.1/(0.1414214 + 1e-6) = ∓0.7071018.
    let input = AdvantageInput {
        rewards: &[1.0, 1.0],
        group_ids: &[0, 0],
        seq_starts: &[0, 2, 3],
        old_logp: &[-1.0, -1.0, -2.0],
        ref_logp: &[-1.5, -1.5, -1.0],
    };
    let c = AdvantageConfig {
        kl_in_reward: Some((KlEstimator::K1, 0.1)),
        ..cfg(AdvEstimator::Grpo)
    };
    let a = compute_advantages(&input, &c);
    let want = 0.1 / (0.02f64.sqrt() + 1e-6);
    assert_close(&a.advantages, &[-want, -want, want], 2e-6);
    assert_close(&a.token_rewards, &[-0.05, 1.0 - 0.05, 1.0 + 0.1], 1e-6);
}

#[test]
fn rloo_leave_one_out() {
    // Group 0: R = [1, 0, 0, 1], n = 4, mean 0.5: A = R·4/3 − 0.5·4/3 = ±2/3 (= R minus the mean
    // of the other three: 1 − 1/3, 0 − 2/3). Group 9: a single sequence keeps its score 1.
    let zeros = [0.0f32; 6];
    let input = AdvantageInput {
        rewards: &[1.0, 0.0, 0.0, 1.0, 1.0],
        group_ids: &[0, 0, 0, 0, 9],
        seq_starts: &[0, 1, 2, 3, 5, 6],
        old_logp: &zeros,
        ref_logp: &zeros,
    };
    let a = compute_advantages(&input, &cfg(AdvEstimator::Rloo));
    let t = 2.0 / 3.0;
    assert_close(&a.advantages, &[t, -t, -t, t, t, 1.0], 1e-6);
}

#[test]
fn reinforce_pp_baseline_subtracts_group_mean_then_whitens() {
    // Group 0: R = [1, 0] with lengths 2, 1 → mean 0.5 → [0.5, 0.5 | −0.5].
    // Group 1: one sequence, R = 1, length 2 → mean 0 → [1, 1].
    // Tokens [0.5, 0.5, −0.5, 1, 1]: mean 0.5; Σ(x − mean)² = 0 + 0 + 1 + 0.25 + 0.25 = 1.5;
    // var = 1.5/4 = 0.375; A = (x − 0.5)/sqrt(0.375 + 1e-8) = [0, 0, −1.6329931, 0.8164966, 0.8164966].
    let zeros = [0.0f32; 5];
    let input = AdvantageInput {
        rewards: &[1.0, 0.0, 1.0],
        group_ids: &[0, 0, 1],
        seq_starts: &[0, 2, 3, 5],
        old_logp: &zeros,
        ref_logp: &zeros,
    };
    let a = compute_advantages(&input, &cfg(AdvEstimator::ReinforcePlusPlusBaseline));
    assert_close(
        &a.advantages,
        &[0.0, 0.0, -1.632_993_14, 0.816_496_57, 0.816_496_57],
        1e-6,
    );
}

#[test]
fn whitening_uses_the_unbiased_variance() {
    // [1, 2, 3, 4]: mean 2.5, Σ(x − mean)² = 5, unbiased var = 5/3 (biased would be 1.25).
    let (m, v) = whiten_stats(&[1.0, 2.0, 3.0, 4.0]);
    assert_eq!(m, 2.5);
    assert!((v - 5.0 / 3.0).abs() < 1e-15);
    assert_eq!(whiten_stats(&[]), (0.0, 0.0));
    assert_eq!(whiten_stats(&[3.0]), (3.0, 0.0));
    assert_eq!(WHITEN_EPS, 1e-8);

    // And the whitened REINFORCE++ advantages have mean 0 and unbiased variance var/(var+1e-8).
    let old = [0.0f32; 7];
    let input = AdvantageInput {
        rewards: &[1.0, 0.0, 1.0, 0.0],
        group_ids: &[0, 0, 1, 1],
        seq_starts: &[0, 3, 4, 6, 7],
        old_logp: &old,
        ref_logp: &old,
    };
    let a = compute_advantages(&input, &cfg(AdvEstimator::ReinforcePlusPlus));
    let x: Vec<f64> = a.advantages.iter().map(|&v| v as f64).collect();
    let (m, v) = whiten_stats(&x);
    assert!(m.abs() < 1e-7, "mean {m}");
    assert!((v - 1.0).abs() < 1e-6, "var {v}");
}

#[test]
fn empty_batches_and_empty_sequences_do_not_crash() {
    for est in [
        AdvEstimator::ReinforcePlusPlus,
        AdvEstimator::ReinforcePlusPlusBaseline,
        AdvEstimator::Grpo,
        AdvEstimator::Rloo,
    ] {
        let empty = AdvantageInput {
            rewards: &[],
            group_ids: &[],
            seq_starts: &[0],
            old_logp: &[],
            ref_logp: &[],
        };
        let a = compute_advantages(
            &empty,
            &AdvantageConfig {
                estimator: est,
                ..Default::default()
            },
        );
        assert!(a.advantages.is_empty() && a.returns.is_empty() && a.token_rewards.is_empty());
        let all_empty = AdvantageInput {
            rewards: &[1.0, 0.0],
            group_ids: &[0, 0],
            seq_starts: &[0, 0, 0],
            old_logp: &[],
            ref_logp: &[],
        };
        let a = compute_advantages(
            &all_empty,
            &AdvantageConfig {
                estimator: est,
                ..Default::default()
            },
        );
        assert!(a.advantages.is_empty());
        assert_eq!(a.kl_mean, 0.0);
    }
}

#[test]
fn inconsistent_input_is_an_error() {
    let bad = AdvantageInput {
        rewards: &[1.0],
        group_ids: &[0, 1],
        seq_starts: &[0, 2],
        old_logp: &[0.0, 0.0],
        ref_logp: &[0.0, 0.0],
    };
    assert_eq!(
        try_compute_advantages(&bad, &AdvantageConfig::default()),
        Err(AdvantageError::Length {
            field: "group_ids",
            expected: 1,
            got: 2
        })
    );
    let bad = AdvantageInput {
        rewards: &[1.0],
        group_ids: &[0],
        seq_starts: &[0, 2],
        old_logp: &[0.0],
        ref_logp: &[0.0, 0.0],
    };
    assert!(matches!(
        try_compute_advantages(&bad, &AdvantageConfig::default()),
        Err(AdvantageError::Length {
            field: "old_logp",
            ..
        })
    ));
    let bad = AdvantageInput {
        rewards: &[],
        group_ids: &[],
        seq_starts: &[],
        old_logp: &[],
        ref_logp: &[],
    };
    assert!(try_compute_advantages(&bad, &AdvantageConfig::default()).is_err());
}
