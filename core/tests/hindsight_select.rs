//! Selection: eligibility, the curriculum, scores, per-group and global top-k, ties. Expected
//! values are worked out by hand in the comments.

use hir_core::hindsight::{
    curriculum_lambda, is_eligible, score, select, Candidate, EntropyAgg, Scope, SelectConfig,
};

fn cand(group: usize, index: usize, dense: f32, entropy: f32) -> Candidate {
    Candidate {
        group,
        index,
        dense,
        entropy,
    }
}

#[test]
fn eligibility_bounds() {
    assert!(!is_eligible(0.0));
    assert!(!is_eligible(1.0));
    assert!(is_eligible(0.5));
    assert!(is_eligible(f32::MIN_POSITIVE));
    assert!(is_eligible(1.0 - f32::EPSILON));
    assert!(!is_eligible(-0.25));
    assert!(!is_eligible(1.5));
    assert!(!is_eligible(f32::NAN));
}

#[test]
fn curriculum_schedule() {
    // λ_s = 2·1.05^s; 1.05^10 = 21^10/20^10 = 1.62889462677744140625 exactly.
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs();
    assert_eq!(curriculum_lambda(0, 2.0, 0.05), 2.0);
    assert!(close(curriculum_lambda(1, 2.0, 0.05), 2.1));
    assert!(close(curriculum_lambda(2, 2.0, 0.05), 2.205));
    assert!(close(curriculum_lambda(3, 2.0, 0.05), 2.31525));
    assert!(close(
        curriculum_lambda(10, 2.0, 0.05),
        2.0 * 16_679_880_978_201.0 / 10_240_000_000_000.0
    ));
    assert_eq!(curriculum_lambda(7, 1.5, 0.0), 1.5);
    assert!(close(curriculum_lambda(4, 1.0, 1.0), 16.0));
}

#[test]
fn defaults_are_the_spec_s() {
    let cfg = SelectConfig::default();
    assert_eq!(cfg.k, 2);
    assert_eq!(cfg.scope, Scope::Group);
    assert_eq!(cfg.lambda0, 2.0);
    assert_eq!(cfg.eta, 0.05);
    assert_eq!(EntropyAgg::default(), EntropyAgg::Mean);
}

#[test]
fn score_is_entropy_plus_weighted_dense() {
    assert_eq!(score(&cand(0, 0, 0.5, 1.25), 2.0), 2.25);
    assert_eq!(score(&cand(0, 0, 0.75, 0.0), 4.0), 3.0);
    assert_eq!(score(&cand(0, 0, 0.25, 3.5), 0.0), 3.5);
}

#[test]
fn entropy_aggregation() {
    assert_eq!(EntropyAgg::Mean.aggregate(&[1.0, 2.0, 4.5]), 2.5);
    assert_eq!(EntropyAgg::Sum.aggregate(&[1.0, 2.0, 4.5]), 7.5);
    assert_eq!(EntropyAgg::Mean.aggregate(&[]), 0.0);
    assert_eq!(EntropyAgg::Sum.aggregate(&[]), 0.0);
}

/// Two groups. At step 1 (λ = 2.1) the scores are
///
/// | cand | group, index | dense | entropy | score               |
/// |------|--------------|-------|---------|---------------------|
/// | 0    | 0, 0         | 0.5   | 1.0     | 1.0 + 1.05  = 2.05  |
/// | 1    | 0, 1         | 0.25  | 2.0     | 2.0 + 0.525 = 2.525 |
/// | 2    | 0, 2         | 1.0   | 4.0     | — (all hold)        |
/// | 3    | 0, 3         | 0.75  | 0.5     | 0.5 + 1.575 = 2.075 |
/// | 4    | 1, 0         | 0.0   | 9.0     | — (none hold)       |
/// | 5    | 1, 1         | 0.5   | 3.0     | 4.05                |
/// | 6    | 1, 2         | 0.5   | 2.5     | 3.55                |
/// | 7    | 1, 3         | 0.5   | 2.25    | 3.3                 |
fn batch() -> Vec<Candidate> {
    vec![
        cand(0, 0, 0.5, 1.0),
        cand(0, 1, 0.25, 2.0),
        cand(0, 2, 1.0, 4.0),
        cand(0, 3, 0.75, 0.5),
        cand(1, 0, 0.0, 9.0),
        cand(1, 1, 0.5, 3.0),
        cand(1, 2, 0.5, 2.5),
        cand(1, 3, 0.5, 2.25),
    ]
}

#[test]
fn per_group_and_global_top_k() {
    let group = SelectConfig::default();
    // Group 0: 2.525 (1), 2.075 (3); group 1: 4.05 (5), 3.55 (6).
    assert_eq!(select(&batch(), 1, &group), vec![1, 3, 5, 6]);
    let global = SelectConfig {
        scope: Scope::Global,
        ..SelectConfig::default()
    };
    // k·B = 4 best of all: 4.05 (5), 3.55 (6), 3.3 (7), 2.525 (1).
    assert_eq!(select(&batch(), 1, &global), vec![1, 5, 6, 7]);
}

#[test]
fn curriculum_moves_the_choice_to_nearly_complete_failures() {
    // Step 40: λ = 2·1.05^40 ≈ 14.08; group 0 scores 1 + 7.04 = 8.04 (0), 2 + 3.52 = 5.52 (1),
    // 0.5 + 10.56 = 11.06 (3) -> 3 and 0; group 1 all have dense 0.5 -> by entropy 5, 6.
    assert_eq!(
        select(&batch(), 40, &SelectConfig::default()),
        vec![0, 3, 5, 6]
    );
    // λ_0 = 0 (no F_int at all): by entropy only: group 0 -> 1 (2.0), 0 (1.0).
    let entropy_only = SelectConfig {
        lambda0: 0.0,
        ..SelectConfig::default()
    };
    assert_eq!(select(&batch(), 40, &entropy_only), vec![0, 1, 5, 6]);
}

#[test]
fn ties_are_broken_by_group_then_index() {
    // Same score everywhere; given out of order in the slice.
    let cands = vec![
        cand(1, 2, 0.5, 1.0),
        cand(1, 0, 0.5, 1.0),
        cand(0, 3, 0.5, 1.0),
        cand(0, 1, 0.5, 1.0),
        cand(1, 1, 0.5, 1.0),
    ];
    let k1 = SelectConfig {
        k: 1,
        ..SelectConfig::default()
    };
    // Per group: (0, 1) -> slice index 3; (1, 0) -> slice index 1.
    assert_eq!(select(&cands, 1, &k1), vec![1, 3]);
    let k1_global = SelectConfig {
        scope: Scope::Global,
        ..k1.clone()
    };
    // Global budget 1·2: (0, 1), (0, 3) -> slice indices 3, 2.
    assert_eq!(select(&cands, 1, &k1_global), vec![2, 3]);
    // Higher score beats lower (group, index).
    let mut cands = cands;
    cands[0].entropy = 1.5; // (1, 2)
    assert_eq!(select(&cands, 1, &k1), vec![0, 3]);
    assert_eq!(select(&cands, 1, &k1_global), vec![0, 3]);
    // Deterministic: the same answer every time.
    for _ in 0..5 {
        assert_eq!(select(&cands, 1, &k1_global), vec![0, 3]);
    }
}

#[test]
fn k_larger_than_the_eligible_count_selects_all_eligible() {
    let k5 = SelectConfig {
        k: 5,
        ..SelectConfig::default()
    };
    assert_eq!(select(&batch(), 1, &k5), vec![0, 1, 3, 5, 6, 7]);
    let k5_global = SelectConfig {
        scope: Scope::Global,
        ..k5
    };
    assert_eq!(select(&batch(), 1, &k5_global), vec![0, 1, 3, 5, 6, 7]);
    let k0 = SelectConfig {
        k: 0,
        ..SelectConfig::default()
    };
    assert!(select(&batch(), 1, &k0).is_empty());
    assert!(select(&[], 1, &SelectConfig::default()).is_empty());
}

#[test]
fn global_budget_counts_groups_without_eligible_responses() {
    // Three groups (B = 3), only group 2 has eligible responses: budget k·B = 1·3 = 3 all go
    // to group 2 in global scope, one in group scope.
    let cands = vec![
        cand(0, 0, 0.0, 1.0),
        cand(1, 0, 1.0, 1.0),
        cand(2, 0, 0.5, 1.0),
        cand(2, 1, 0.5, 2.0),
        cand(2, 2, 0.5, 3.0),
        cand(2, 3, 0.5, 4.0),
    ];
    let global = SelectConfig {
        k: 1,
        scope: Scope::Global,
        ..SelectConfig::default()
    };
    assert_eq!(select(&cands, 1, &global), vec![3, 4, 5]);
    let group = SelectConfig {
        k: 1,
        ..SelectConfig::default()
    };
    assert_eq!(select(&cands, 1, &group), vec![5]);
}

#[test]
fn nan_entropy_is_never_selected() {
    let cands = vec![cand(0, 0, 0.5, f32::NAN), cand(0, 1, 0.5, 0.0)];
    assert_eq!(select(&cands, 1, &SelectConfig::default()), vec![1]);
}

#[test]
fn dense_overrides_counts_picks_below_the_dense_threshold() {
    use hir_core::hindsight::dense_overrides;
    // Group 0: eligible dense [0.8, 0.6, 0.4], k = 2 → threshold 0.6; the score picked 0.8
    // and 0.4 → one override. Group 1: eligible [0.5, 0.5] → threshold 0.5; picked both → 0.
    let eligible = vec![vec![0.8, 0.6, 0.4], vec![0.5, 0.5]];
    let selected = vec![vec![0.8, 0.4], vec![0.5, 0.5]];
    assert_eq!(dense_overrides(&eligible, &selected, Scope::Group, 2), 1);
    // Global, k·B = 4 of 5 eligible: sorted [0.8, 0.6, 0.5, 0.5, 0.4] → threshold 0.5; the
    // picks 0.8, 0.4, 0.5, 0.5 → 0.4 is the one override.
    assert_eq!(dense_overrides(&eligible, &selected, Scope::Global, 2), 1);
    // Global, k·B = 2: threshold 0.6 → 0.4, 0.5, 0.5 are overrides.
    assert_eq!(dense_overrides(&eligible, &selected, Scope::Global, 1), 3);
    // A budget past the eligible count (the "every eligible" case): nothing is overridden.
    assert_eq!(
        dense_overrides(&eligible, &selected, Scope::Group, usize::MAX),
        0
    );
    assert_eq!(
        dense_overrides(&eligible, &selected, Scope::Global, usize::MAX),
        0
    );
    // Nothing selected, nothing eligible.
    assert_eq!(dense_overrides(&[], &[], Scope::Group, 2), 0);
}
