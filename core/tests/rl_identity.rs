//! The identity of spec §3 as a property test: the mean-baseline group policy gradient equals
//! the sum of pairwise preference terms, also with replay rows, whose pair with their source is
//! the instruction-level preference.

use hir_core::rl::identity::{baseline_gradient, pairwise_gradient, pairwise_terms};
use proptest::prelude::*;

fn close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= 1e-9 * (1.0 + x.abs().max(y.abs())))
}

fn group() -> impl Strategy<Value = (Vec<f64>, Vec<Vec<f64>>)> {
    (1usize..9, 1usize..6).prop_flat_map(|(n, dim)| {
        (
            prop::collection::vec(prop_oneof![Just(0.0), Just(1.0), -2.0f64..2.0], n),
            prop::collection::vec(prop::collection::vec(-3.0f64..3.0, dim), n),
        )
    })
}

proptest! {
    #[test]
    fn group_gradient_is_a_sum_of_pairwise_terms((r, g) in group()) {
        let lhs = baseline_gradient(&r, &g);
        let rhs = pairwise_gradient(&r, &g);
        prop_assert!(close(&lhs, &rhs), "{lhs:?} vs {rhs:?}");
    }

    #[test]
    fn replay_pairs_give_the_instruction_level_term(
        (r, g) in group(),
        picks in prop::collection::vec((any::<prop::sample::Index>(), prop::collection::vec(-3.0f64..3.0, 5)), 0..4),
    ) {
        // Append a replay row (reward 1, its own gradient ∇log π(y|q')) for some failed rows
        // (reward 0 → set to 0), as HiR's select-then-rewrite does.
        let n0 = r.len();
        let dim = g[0].len();
        let mut r = r;
        let mut g = g;
        let mut replay_of: Vec<Option<usize>> = vec![None; n0];
        let mut sources = Vec::new();
        for (idx, gq) in picks {
            let j = idx.index(n0);
            if sources.contains(&j) {
                continue;
            }
            sources.push(j);
            r[j] = 0.0;
            r.push(1.0);
            g.push(gq[..dim].to_vec());
            replay_of.push(Some(j));
        }
        let n = r.len();
        let total = pairwise_gradient(&r, &g);
        prop_assert!(close(&baseline_gradient(&r, &g), &total));
        let parts = pairwise_terms(&r, &g, &replay_of);
        let sum: Vec<f64> = (0..dim)
            .map(|d| parts.response_level[d] + parts.instruction_level[d] + parts.other[d])
            .collect();
        prop_assert!(close(&sum, &total), "{sum:?} vs {total:?}");
        // Instruction-level part = (1/n) Σ_replays (1 − 0)(∇log π(y|q') − ∇log π(y|q)).
        let mut want = vec![0.0; dim];
        for (k, src) in replay_of.iter().enumerate() {
            if let Some(j) = *src {
                for d in 0..dim {
                    want[d] += (r[k] - r[j]) * (g[k][d] - g[j][d]) / n as f64;
                }
            }
        }
        prop_assert!(close(&parts.instruction_level, &want), "{:?} vs {want:?}", parts.instruction_level);
        // Response-level part = (1/n) Σ_{i<j, neither a replay} (r_i − r_j)(g_i − g_j).
        let mut want = vec![0.0; dim];
        for i in 0..n0 {
            for j in i + 1..n0 {
                for d in 0..dim {
                    want[d] += (r[i] - r[j]) * (g[i][d] - g[j][d]) / n as f64;
                }
            }
        }
        prop_assert!(close(&parts.response_level, &want));
    }
}

#[test]
fn degenerate_groups() {
    assert!(baseline_gradient(&[], &[]).is_empty());
    assert!(pairwise_gradient(&[], &[]).is_empty());
    // One member: no baseline signal, no pairs.
    assert_eq!(baseline_gradient(&[1.0], &[vec![2.0, 3.0]]), vec![0.0, 0.0]);
    assert_eq!(pairwise_gradient(&[1.0], &[vec![2.0, 3.0]]), vec![0.0, 0.0]);
}
