//! The explicit pairwise dual-preference objective on the host: which pairs it forms, and its
//! derivative with respect to the sequence scores against central finite differences.

use hir_core::objective::pairwise::{PairwiseObjective, PreferencePair};

fn obj(response_pairs: bool, instruction_pairs: bool) -> PairwiseObjective {
    PairwiseObjective {
        beta: 0.7,
        response_pairs,
        instruction_pairs,
    }
}

// Rows: 0,1,2 answer q (group 4) with rewards 1, 0, 0; row 3 answers another prompt (group 9,
// reward 1); row 4 is the replay (q', y_1) of row 1 (group 4, reward 1); row 5 the replay of
// row 2 (reward 1).
const REWARDS: [f32; 6] = [1.0, 0.0, 0.0, 1.0, 1.0, 1.0];
const GROUPS: [u32; 6] = [4, 4, 4, 9, 4, 4];
const REPLAY: [Option<usize>; 6] = [None, None, None, None, Some(1), Some(2)];

#[test]
fn pairs_are_same_instruction_responses_and_replays_over_sources() {
    let p = obj(true, true).pairs(&REWARDS, &GROUPS, &REPLAY).unwrap();
    let pair = |better, worse, instruction_level| PreferencePair {
        better,
        worse,
        instruction_level,
    };
    assert_eq!(
        p,
        vec![
            pair(0, 1, false),
            pair(0, 2, false),
            pair(4, 1, true),
            pair(5, 2, true)
        ]
    );
    assert_eq!(
        obj(false, true)
            .pairs(&REWARDS, &GROUPS, &REPLAY)
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        obj(true, false)
            .pairs(&REWARDS, &GROUPS, &REPLAY)
            .unwrap()
            .len(),
        2
    );
    assert!(obj(false, false)
        .pairs(&REWARDS, &GROUPS, &REPLAY)
        .unwrap()
        .is_empty());
}

#[test]
fn bad_replay_indices_are_errors() {
    let o = obj(true, true);
    assert!(o.pairs(&[1.0, 0.0], &[0, 0], &[None, Some(5)]).is_err());
    assert!(o.pairs(&[1.0, 0.0], &[0, 0], &[None, Some(1)]).is_err());
    assert!(o.pairs(&[1.0, 0.0], &[0], &[None, None]).is_err());
}

#[test]
fn value_by_hand() {
    // One pair 0 ≻ 1 with h = [0.3, −0.2], β = 0.7: z = 0.35, loss = log(1 + e^{−0.35})
    // = 0.5333822; ∂/∂h_0 = −β σ(−z) = −0.7·0.4133824 = −0.2893677.
    let o = obj(true, true);
    let pairs = o.pairs(&[1.0, 0.0], &[0, 0], &[None, None]).unwrap();
    let out = o.loss_and_grad(&[0.3, -0.2], &pairs);
    assert!((out.loss - 0.533_382_2).abs() < 1e-6, "{}", out.loss);
    assert!((out.dh[0] - -0.289_367_7).abs() < 1e-6 && (out.dh[1] - 0.289_367_7).abs() < 1e-6);
    assert_eq!(
        (out.response_pairs, out.instruction_pairs, out.accuracy),
        (1, 0, 1.0)
    );
}

#[test]
fn gradient_matches_central_differences() {
    let h0 = [0.4, -1.3, 2.2, 0.1, -0.6, 5.0];
    for (rp, ip) in [(true, true), (true, false), (false, true)] {
        let o = obj(rp, ip);
        let pairs = o.pairs(&REWARDS, &GROUPS, &REPLAY).unwrap();
        let out = o.loss_and_grad(&h0, &pairs);
        let eps = 1e-5;
        for i in 0..h0.len() {
            let mut hp = h0;
            let mut hm = h0;
            hp[i] += eps;
            hm[i] -= eps;
            let fd = (o.loss_and_grad(&hp, &pairs).loss - o.loss_and_grad(&hm, &pairs).loss)
                / (2.0 * eps);
            assert!(
                (fd - out.dh[i]).abs() < 1e-8,
                "row {i}: {} vs {fd}",
                out.dh[i]
            );
        }
        // Row 3 (another prompt, no partner) gets no gradient.
        assert_eq!(out.dh[3], 0.0);
    }
}

#[test]
fn no_pairs_no_loss() {
    let o = obj(true, true);
    let out = o.loss_and_grad(&[1.0, 2.0], &[]);
    assert_eq!((out.loss, out.dh, out.accuracy), (0.0, vec![0.0, 0.0], 0.0));
}
