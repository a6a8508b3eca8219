//! The replay plan of one training step: select-then-rewrite over a whole batch, with every
//! rewrite re-verified before it may be replayed.

use alloc::vec;
use alloc::vec::Vec;

use super::rewrite::{rewrite, Rewrite};
use super::select::{
    curriculum_lambda, is_eligible, score, select_in_batch, Candidate, SelectConfig,
};
use super::verify::{verify, Verdict};
use crate::instruct::Instruction;

/// One prompt group's rollouts: the instruction, its responses, and for each response its
/// verdict and aggregated token entropy (`F_div`, see [`super::EntropyAgg`]).
///
/// `responses`, `verdicts` and `entropies` are parallel. A response without a verdict or an
/// entropy (a shorter slice) is not a candidate: it gets no score and is never selected.
#[derive(Debug, Clone, Copy)]
pub struct GroupRollouts<'a> {
    /// The original instruction `q` of the group.
    pub instruction: &'a Instruction,
    /// The response texts `y`.
    pub responses: &'a [&'a str],
    /// The verdict of each response under `q`.
    pub verdicts: &'a [Verdict],
    /// The aggregated token entropy of each response under `q`.
    pub entropies: &'a [f32],
}

/// One response to replay: `(q', y)` with reward 1, next to its source `(q, y)`.
#[derive(Debug, Clone)]
pub struct ReplayItem {
    /// The response's index within its group.
    pub index: usize,
    /// The rewritten instruction it satisfies.
    pub rewrite: Rewrite,
}

/// What to replay in one step.
#[derive(Debug, Clone, Default)]
pub struct ReplayPlan {
    /// Per group (in input order), the responses to replay, ascending by index.
    pub per_group: Vec<Vec<ReplayItem>>,
    /// Selected responses dropped because their rewrite did not re-verify
    /// (`sparse(q', y) != 1`, or a verdict that does not match the instruction).
    pub reverify_failures: usize,
    /// Per group per response, the selection score `F`; `Some` exactly for the eligible ones.
    pub scores: Vec<Vec<Option<f64>>>,
}

impl ReplayPlan {
    /// The number of replay items over all groups.
    pub fn replay_count(&self) -> usize {
        self.per_group.iter().map(Vec::len).sum()
    }

    /// Whether response `index` of group `group` is replayed.
    pub fn is_replayed(&self, group: usize, index: usize) -> bool {
        self.per_group
            .get(group)
            .is_some_and(|items| items.iter().any(|it| it.index == index))
    }
}

/// Full pipeline for a batch: verdicts + entropies of every response of every group -> the
/// selected responses, rewritten and RE-VERIFIED (sparse(q', y) == 1; a rewrite that fails
/// re-verification is dropped and counted, never a panic). Returns per-group replay items.
///
/// `step` is the training step (from 1) of the curriculum; groups are numbered by their
/// position in `groups`, and the global budget is `k·groups.len()` (groups without responses
/// count, see [`super::select_in_batch`]). Responses to an instruction whose layout is not
/// rewritable ([`crate::instruct::Layout::Embedded`]) are never candidates.
pub fn plan_replays(groups: &[GroupRollouts<'_>], step: u64, cfg: &SelectConfig) -> ReplayPlan {
    let lambda = curriculum_lambda(step, cfg.lambda0, cfg.eta);
    let mut cands = Vec::new();
    let mut scores = Vec::with_capacity(groups.len());
    for (g, group) in groups.iter().enumerate() {
        let mut row = vec![None; group.responses.len()];
        for (i, slot) in row.iter_mut().enumerate() {
            let (Some(v), Some(&entropy)) = (group.verdicts.get(i), group.entropies.get(i)) else {
                continue;
            };
            let c = Candidate {
                group: g,
                index: i,
                dense: v.dense(),
                entropy,
            };
            // An instruction whose prompt states its constraints in free text
            // (`Layout::Embedded`) cannot be rewritten: none of its responses is a candidate.
            if !group.instruction.layout.is_rewritable() {
                continue;
            }
            if is_eligible(c.dense) {
                *slot = Some(score(&c, lambda));
            }
            cands.push(c);
        }
        scores.push(row);
    }
    let mut per_group: Vec<Vec<ReplayItem>> = groups.iter().map(|_| Vec::new()).collect();
    let mut reverify_failures = 0;
    for ci in select_in_batch(&cands, step, cfg, groups.len()) {
        let c = cands[ci];
        let group = &groups[c.group];
        let response = group.responses[c.index];
        let replay = rewrite(group.instruction, &group.verdicts[c.index].judge)
            .filter(|rw| verify(&rw.instruction, response).sparse() == 1.0);
        match replay {
            Some(rewrite) => per_group[c.group].push(ReplayItem {
                index: c.index,
                rewrite,
            }),
            None => reverify_failures += 1,
        }
    }
    ReplayPlan {
        per_group,
        reverify_failures,
        scores,
    }
}
