//! Selection (spec §2 step 3): which failed responses are worth replaying.
//!
//! A response is eligible when it satisfies some but not all constraints (`0 < dense < 1`).
//! Eligible responses are ranked by `F(y) = F_div(y) + λ_s · F_int(y)`, where `F_int` is the
//! dense reward, `F_div` the behaviour policy's token entropy over the response (under the
//! original prompt), and `λ_s = λ_0 · (1 + η)^s` a curriculum that moves the preference from
//! diverse failures (early) to nearly complete ones (late). The top `k` per prompt group are
//! kept (the paper's text; default), or the top `k·B` over the whole batch of `B` groups (the
//! released code). When fewer are eligible, fewer are selected.

use alloc::vec::Vec;
use core::cmp::Ordering;

use serde::{Deserialize, Serialize};

/// Where the top-`k` is taken (the trainer's `replay_scope`: `"group"` or `"global"`, the
/// spellings serde reads and writes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Scope {
    /// The top `k` of each prompt group (paper text; default).
    #[default]
    #[serde(rename = "group")]
    Group,
    /// The top `k·B` over the whole batch of `B` prompt groups (released code).
    #[serde(rename = "global")]
    Global,
}

impl Scope {
    /// The scope's name in a trainer config (`"group"`, `"global"`).
    pub fn name(self) -> &'static str {
        match self {
            Scope::Group => "group",
            Scope::Global => "global",
        }
    }
}

/// How the responses to replay are ranked (the trainer's `replay_selection`: `"score"` or
/// `"random"`, the spellings serde reads and writes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Selection {
    /// By `F = F_div + λ_s·F_int` (the method; default).
    #[default]
    #[serde(rename = "score")]
    Score,
    /// Uniformly at random among the eligible responses (an ablation): the trainer ranks by a
    /// seeded uniform draw per response in place of `F_div`, with `λ_0 = 0`.
    #[serde(rename = "random")]
    Random,
}

impl Selection {
    /// The rule's name in a trainer config (`"score"`, `"random"`).
    pub fn name(self) -> &'static str {
        match self {
            Selection::Score => "score",
            Selection::Random => "random",
        }
    }
}

/// How `F_div` reduces the per-token entropies `H_t` of a response (the trainer's
/// `replay_entropy`: `"mean"` or `"sum"`, the spellings serde reads and writes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum EntropyAgg {
    /// Mean over the response tokens (released code, verl's `token-mean`; default).
    #[default]
    #[serde(rename = "mean")]
    Mean,
    /// Sum over the response tokens (the paper's formula).
    #[serde(rename = "sum")]
    Sum,
}

impl EntropyAgg {
    /// The reduction's name in a trainer config (`"mean"`, `"sum"`).
    pub fn name(self) -> &'static str {
        match self {
            EntropyAgg::Mean => "mean",
            EntropyAgg::Sum => "sum",
        }
    }

    /// `F_div` of a response from its per-token entropies `H_t = −Σ_j p_{t,j} log p_{t,j}`
    /// (0.0 for an empty response).
    pub fn aggregate(self, token_entropies: &[f32]) -> f32 {
        // Summed in f64 so that long responses do not lose precision.
        let sum: f64 = token_entropies.iter().map(|&h| h as f64).sum();
        match self {
            EntropyAgg::Sum => sum as f32,
            EntropyAgg::Mean if token_entropies.is_empty() => 0.0,
            EntropyAgg::Mean => (sum / token_entropies.len() as f64) as f32,
        }
    }
}

/// The selection parameters (defaults of spec §2: `k = 2`, per group, `λ_0 = 2`, `η = 0.05`).
#[derive(Clone, Debug, PartialEq)]
pub struct SelectConfig {
    /// How many responses to replay per prompt group (`replay_k`).
    pub k: usize,
    /// Per group or global top-`k`.
    pub scope: Scope,
    /// The curriculum's initial weight `λ_0` of `F_int`.
    pub lambda0: f64,
    /// The curriculum's growth rate `η` per step.
    pub eta: f64,
}

impl Default for SelectConfig {
    fn default() -> Self {
        Self {
            k: 2,
            scope: Scope::Group,
            lambda0: 2.0,
            eta: 0.05,
        }
    }
}

/// The curriculum weight of `F_int` at training step `step` (steps count from 1):
/// `λ_s = λ_0 · (1 + η)^s`.
/// `λ_0 = 0` gives 0 at every step (not `0 · ∞ = NaN` where the power overflows).
pub fn curriculum_lambda(step: u64, lambda0: f64, eta: f64) -> f64 {
    if lambda0 == 0.0 {
        return 0.0;
    }
    let s = step as f64;
    lambda0 * libm::pow(1.0 + eta, s)
}

/// The last step at which [`curriculum_lambda`] is finite for `lambda0` and `eta` (both
/// finite and ≥ 0), or `None` when it stays finite at every step (`eta = 0` or
/// `lambda0 = 0`). Past it `λ_s` is infinite and every eligible score would be infinite too
/// (written as `null` in JSON), so callers refuse such steps.
pub fn last_finite_step(lambda0: f64, eta: f64) -> Option<u64> {
    if lambda0 == 0.0 || eta == 0.0 {
        return None;
    }
    let finite = |s: u64| curriculum_lambda(s, lambda0, eta).is_finite();
    if !finite(0) {
        return Some(0);
    }
    if finite(u64::MAX) {
        return None;
    }
    // λ_s grows with s (1 + η ≥ 1): binary search for the boundary, 64 evaluations at most.
    let (mut lo, mut hi) = (0u64, u64::MAX); // finite at lo, infinite at hi
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if finite(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(lo)
}

/// Whether a response with dense reward `dense` may be replayed: `0 < dense < 1` (it
/// satisfies some constraints but not all). NaN is not eligible.
pub fn is_eligible(dense: f32) -> bool {
    dense > 0.0 && dense < 1.0
}

/// One response offered to [`select`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    /// Its prompt group (which prompt it answers).
    pub group: usize,
    /// Its index within the group.
    pub index: usize,
    /// Its dense reward `F_int`.
    pub dense: f32,
    /// Its aggregated token entropy `F_div` (see [`EntropyAgg`]).
    pub entropy: f32,
}

/// The selection score `F = F_div + λ·F_int = entropy + λ·dense`, in f64.
pub fn score(c: &Candidate, lambda: f64) -> f64 {
    c.entropy as f64 + lambda * c.dense as f64
}

/// Indices into `cands` of the selected responses, in ascending index order. Only eligible
/// candidates are selected; per group: top k of each group; global: top k·B over all, where
/// B = number of distinct groups. Ties: higher score first, then lower (group, index).
///
/// The groups are told apart by [`Candidate::group`] alone (candidates need not be sorted or
/// contiguous); `B` counts the distinct groups among all of `cands`, eligible or not (a group
/// that has no candidate at all is invisible here: see [`select_in_batch`]). A candidate whose
/// score is NaN (a NaN entropy) cannot be ranked and is never selected.
pub fn select(cands: &[Candidate], step: u64, cfg: &SelectConfig) -> Vec<usize> {
    select_in_batch(cands, step, cfg, 0)
}

/// [`select`] for a batch of `batch_groups` prompt groups, some of which may have no
/// candidate (no response): the global budget is `k·B` with
/// `B = max(batch_groups, distinct groups in cands)`, as the released code's `k·len(batch)`.
/// Per-group selection is the same as [`select`].
pub fn select_in_batch(
    cands: &[Candidate],
    step: u64,
    cfg: &SelectConfig,
    batch_groups: usize,
) -> Vec<usize> {
    let lambda = curriculum_lambda(step, cfg.lambda0, cfg.eta);
    let mut ranked: Vec<(usize, f64)> = cands
        .iter()
        .enumerate()
        .filter(|(_, c)| is_eligible(c.dense))
        .map(|(i, c)| (i, score(c, lambda)))
        .filter(|(_, s)| !s.is_nan())
        .collect();
    let key = |i: usize| (cands[i].group, cands[i].index);
    let by_rank = |a: &(usize, f64), b: &(usize, f64)| -> Ordering {
        b.1.total_cmp(&a.1).then_with(|| key(a.0).cmp(&key(b.0)))
    };
    let mut chosen: Vec<usize> = match cfg.scope {
        Scope::Group => {
            ranked.sort_by(|a, b| {
                cands[a.0]
                    .group
                    .cmp(&cands[b.0].group)
                    .then_with(|| by_rank(a, b))
            });
            let mut out = Vec::new();
            let mut current: Option<usize> = None;
            let mut taken = 0usize;
            for &(i, _) in &ranked {
                if current != Some(cands[i].group) {
                    current = Some(cands[i].group);
                    taken = 0;
                }
                if taken < cfg.k {
                    out.push(i);
                    taken += 1;
                }
            }
            out
        }
        Scope::Global => {
            let mut groups: Vec<usize> = cands.iter().map(|c| c.group).collect();
            groups.sort_unstable();
            groups.dedup();
            let budget = cfg.k.saturating_mul(groups.len().max(batch_groups));
            ranked.sort_by(by_rank);
            ranked.iter().take(budget).map(|&(i, _)| i).collect()
        }
    };
    chosen.sort_unstable();
    chosen
}

/// How many of the `selected` responses dense alone would not have selected: per group `g`,
/// `eligible[g]` holds the dense rewards of its eligible candidates and `selected[g]` those of
/// its selected responses. A selected response is *overridden* when its dense is strictly
/// lower than the `n`-th highest dense among the eligible candidates of its scope, where `n`
/// is how many the scope selects: `min(k, eligible)` of its group, or `min(k·B, eligible)` of
/// the whole batch of `B = eligible.len()` groups in global scope. (A tie at the threshold is
/// not an override: dense alone could have picked either.)
///
/// This is the trainer's `hir/entropy_override_frac` numerator; under random selection it
/// counts how often the draw differs from dense-first.
pub fn dense_overrides(
    eligible: &[Vec<f32>],
    selected: &[Vec<f32>],
    scope: Scope,
    k: usize,
) -> usize {
    // The n-th highest of `xs` (n ≥ 1), or None when there are none.
    let nth_highest = |mut xs: Vec<f32>, n: usize| -> Option<f32> {
        if xs.is_empty() || n == 0 {
            return None;
        }
        xs.sort_by(|a, b| b.total_cmp(a));
        Some(xs[n.min(xs.len()) - 1])
    };
    let global = match scope {
        Scope::Global => nth_highest(
            eligible.iter().flatten().copied().collect(),
            k.saturating_mul(eligible.len()),
        ),
        Scope::Group => None,
    };
    selected
        .iter()
        .enumerate()
        .map(|(g, dense)| {
            let threshold = match scope {
                Scope::Global => global,
                Scope::Group => nth_highest(eligible.get(g).cloned().unwrap_or_default(), k),
            };
            dense
                .iter()
                .filter(|&&d| threshold.is_some_and(|t| d < t))
                .count()
        })
        .sum()
}
