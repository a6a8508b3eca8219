//! The identity behind the dual-preference view (spec §3).
//!
//! For a group of `n` sequences with rewards `r_i` and gradient vectors `g_i = ∇log π(y_i|q_i)`,
//! the policy gradient with a mean baseline is a sum of pairwise preference terms:
//!
//! ```text
//! Σ_i (r_i − r̄)·g_i  ==  (1/(2n)) Σ_i Σ_j (r_i − r_j)(g_i − g_j)
//! ```
//!
//! Proof: expanding the right side, `Σ_i Σ_j r_i g_i = n Σ_i r_i g_i` (twice, by symmetry) and
//! `Σ_i Σ_j r_i g_j = (Σ r)(Σ g)` (twice), so it equals `Σ_i r_i g_i − n r̄ ḡ = Σ_i (r_i − r̄) g_i`.
//!
//! Each unordered pair `{i, j}` appears twice in the double sum with the same value, so the
//! right side is `(1/n) Σ_{i<j} (r_i − r_j)(g_i − g_j)`. With a replay row `k` (`(q', y)`,
//! reward 1) next to its source `j` (`(q, y)`, reward 0) in the same group, the pair `{k, j}`
//! contributes `(1/n)(∇log π(y|q') − ∇log π(y|q))`: the instruction-level preference.
//! [`pairwise_terms`] splits the sum into response-level pairs (two non-replay rows: same
//! instruction), instruction-level pairs (a replay and its source) and the remaining pairs.
//!
//! These functions are a reference for tests and documentation, in `f64` on the host.

use alloc::vec;
use alloc::vec::Vec;

/// `Σ_i (r_i − r̄)·g_i` (the mean-baseline policy gradient of one group).
pub fn baseline_gradient(rewards: &[f64], grads: &[Vec<f64>]) -> Vec<f64> {
    let n = rewards.len();
    let dim = grads.first().map_or(0, Vec::len);
    let mut out = vec![0.0; dim];
    if n == 0 {
        return out;
    }
    let mean = rewards.iter().sum::<f64>() / n as f64;
    for (r, g) in rewards.iter().zip(grads) {
        for (o, x) in out.iter_mut().zip(g) {
            *o += (r - mean) * x;
        }
    }
    out
}

/// `(1/(2n)) Σ_i Σ_j (r_i − r_j)(g_i − g_j)` (the same gradient as a sum of pairwise terms).
pub fn pairwise_gradient(rewards: &[f64], grads: &[Vec<f64>]) -> Vec<f64> {
    let n = rewards.len();
    let dim = grads.first().map_or(0, Vec::len);
    let mut out = vec![0.0; dim];
    if n == 0 {
        return out;
    }
    for i in 0..n {
        for j in 0..n {
            let dr = rewards[i] - rewards[j];
            for (o, (a, b)) in out.iter_mut().zip(grads[i].iter().zip(&grads[j])) {
                *o += dr * (a - b);
            }
        }
    }
    let scale = 1.0 / (2.0 * n as f64);
    out.iter_mut().for_each(|o| *o *= scale);
    out
}

/// [`pairwise_gradient`] split by kind of pair; the three parts add up to it.
#[derive(Clone, Debug, PartialEq)]
pub struct PairTerms {
    /// Pairs of two non-replay rows (response-level preferences for the same instruction).
    pub response_level: Vec<f64>,
    /// Pairs of a replay row and its source (instruction-level preferences).
    pub instruction_level: Vec<f64>,
    /// All other pairs (a replay against another response, or two replays).
    pub other: Vec<f64>,
}

/// Splits `(1/n) Σ_{i<j} (r_i − r_j)(g_i − g_j)` by pair kind; `replay_of[k] = Some(j)` marks
/// row `k` as the replay of row `j`.
pub fn pairwise_terms(
    rewards: &[f64],
    grads: &[Vec<f64>],
    replay_of: &[Option<usize>],
) -> PairTerms {
    let n = rewards.len();
    let dim = grads.first().map_or(0, Vec::len);
    let mut t = PairTerms {
        response_level: vec![0.0; dim],
        instruction_level: vec![0.0; dim],
        other: vec![0.0; dim],
    };
    if n == 0 {
        return t;
    }
    let scale = 1.0 / n as f64;
    for i in 0..n {
        for j in i + 1..n {
            let replay = |k: usize| replay_of.get(k).copied().flatten();
            let part = if replay(i) == Some(j) || replay(j) == Some(i) {
                &mut t.instruction_level
            } else if replay(i).is_none() && replay(j).is_none() {
                &mut t.response_level
            } else {
                &mut t.other
            };
            let dr = rewards[i] - rewards[j];
            for (o, (a, b)) in part.iter_mut().zip(grads[i].iter().zip(&grads[j])) {
                *o += scale * dr * (a - b);
            }
        }
    }
    t
}
