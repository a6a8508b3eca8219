//! `token_weights` reproduces verl's `agg_loss` for each mode, with and without the
//! mini-batch denominators of a micro-batch split.

use hir_core::rl::{token_weights, LossAggMode};

/// verl's `agg_loss` written out on a ragged batch (the rows are the sequences).
fn verl_agg_loss(rows: &[Vec<f64>], mode: LossAggMode) -> f64 {
    let s = rows.len() as f64;
    match mode {
        LossAggMode::TokenMean => {
            let n: usize = rows.iter().map(Vec::len).sum();
            rows.iter().flatten().sum::<f64>() / n as f64
        }
        LossAggMode::SeqMeanTokenSum => rows.iter().map(|r| r.iter().sum::<f64>()).sum::<f64>() / s,
        LossAggMode::SeqMeanTokenMean => {
            rows.iter()
                .map(|r| r.iter().sum::<f64>() / r.len() as f64)
                .sum::<f64>()
                / s
        }
    }
}

const MODES: [LossAggMode; 3] = [
    LossAggMode::TokenMean,
    LossAggMode::SeqMeanTokenSum,
    LossAggMode::SeqMeanTokenMean,
];

#[test]
fn names_round_trip() {
    for m in MODES {
        assert_eq!(LossAggMode::from_name(m.name()), Some(m));
    }
    assert_eq!(LossAggMode::from_name("seq-mean-token-sum-norm"), None);
    assert_eq!(LossAggMode::default().name(), "token-mean");
}

#[test]
fn weights_by_hand() {
    // Lengths 2, 1, 3: N = 6, S = 3.
    let starts = [0, 2, 3, 6];
    let t = 1.0 / 6.0;
    assert_eq!(
        token_weights(&starts, LossAggMode::TokenMean, None),
        vec![t as f32; 6]
    );
    assert_eq!(
        token_weights(&starts, LossAggMode::SeqMeanTokenSum, None),
        vec![(1.0f64 / 3.0) as f32; 6]
    );
    // 1/(S·len): 1/6, 1/6 | 1/3 | 1/9, 1/9, 1/9.
    let w = token_weights(&starts, LossAggMode::SeqMeanTokenMean, None);
    let want = [
        1.0 / 6.0,
        1.0 / 6.0,
        1.0 / 3.0,
        1.0 / 9.0,
        1.0 / 9.0,
        1.0 / 9.0,
    ];
    assert_eq!(w, want.map(|x: f64| x as f32).to_vec());
}

#[test]
fn weighted_sum_equals_verl_agg_loss() {
    let lens = [3usize, 1, 4, 2];
    let rows: Vec<Vec<f64>> = lens
        .iter()
        .enumerate()
        .map(|(i, &l)| (0..l).map(|t| ((i * 7 + t * 3) % 5) as f64 - 1.7).collect())
        .collect();
    let mut starts = vec![0];
    for l in lens {
        starts.push(starts.last().unwrap() + l);
    }
    let flat: Vec<f64> = rows.iter().flatten().copied().collect();
    for mode in MODES {
        let w = token_weights(&starts, mode, None);
        let got: f64 = w.iter().zip(&flat).map(|(w, l)| *w as f64 * l).sum();
        let want = verl_agg_loss(&rows, mode);
        assert!(
            (got - want).abs() < 1e-6,
            "{}: {got} vs {want}",
            mode.name()
        );
    }
}

#[test]
fn micro_batches_with_mini_batch_denominators_add_up() {
    // A mini-batch of 4 sequences split into two micro-batches of 2: the sum of the
    // micro-batch weighted sums equals verl's agg_loss over the whole mini-batch.
    let rows: Vec<Vec<f64>> = vec![
        vec![0.3, -1.2, 2.0],
        vec![0.7],
        vec![-0.4, 0.1, 0.9, 1.3],
        vec![2.2, -0.6],
    ];
    let total_tokens = rows.iter().map(Vec::len).sum::<usize>();
    for mode in MODES {
        let mut total = 0.0;
        for part in rows.chunks(2) {
            let mut starts = vec![0];
            for r in part {
                starts.push(starts.last().unwrap() + r.len());
            }
            let w = token_weights(&starts, mode, Some((total_tokens, rows.len())));
            let flat: Vec<f64> = part.iter().flatten().copied().collect();
            total += w.iter().zip(&flat).map(|(w, l)| *w as f64 * l).sum::<f64>();
        }
        let want = verl_agg_loss(&rows, mode);
        assert!(
            (total - want).abs() < 1e-6,
            "{}: {total} vs {want}",
            mode.name()
        );
    }
}

#[test]
fn degenerate_layouts() {
    for mode in MODES {
        assert!(token_weights(&[], mode, None).is_empty());
        assert!(token_weights(&[0], mode, None).is_empty());
        // An empty sequence counts in S (verl's mean over rows) but has no tokens.
        let w = token_weights(&[0, 0, 2], mode, None);
        let want = match mode {
            LossAggMode::TokenMean => 0.5,
            LossAggMode::SeqMeanTokenSum => 0.5,
            LossAggMode::SeqMeanTokenMean => 0.25,
        };
        assert_eq!(w, vec![want; 2], "{}", mode.name());
        // Zero denominators give zero weights, not infinities.
        assert_eq!(token_weights(&[0, 2], mode, Some((0, 0))), vec![0.0; 2]);
    }
}
