//! The replay phase of a step (spec §2.3–2.5): score the verified responses, select and
//! rewrite (re-verified inside [`plan_replays`]), and lay out the rows to train on: every
//! original rollout, and each selected response's source row with its replay right after it.
//!
//! It also measures what the logs need about the selection: how often the score picked a
//! response that dense alone would not have ([`Replays::overridden`]) and how many
//! constraints the rewrites kept.

use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::backend::Backend;
use crate::hindsight::{
    dense_overrides, plan_replays, GroupRollouts, ReplayPlan, SelectConfig, Selection,
};
use crate::rng::{derive, uniform};

use super::rollout::{Group, Rollouts};
use super::rows::Row;
use super::{TrainError, Trainer};

/// The rows of a step and what the logs say about its replays.
pub(super) struct Replays {
    /// Per prompt group: each rollout, and each selected response's source row (resamples
    /// enter only when selected) with its replay right after it.
    pub rows: Vec<Row>,
    /// The dense reward of each replayed source response.
    pub replay_dense: Vec<f64>,
    /// Selected responses not replayed because their rewritten prompt is empty or longer than
    /// `max_prompt_length`.
    pub dropped_long: usize,
    /// Rewrites that failed re-verification.
    pub reverify_failures: usize,
    /// The curriculum's `λ_0` used (0 under random selection).
    pub lambda0: f64,
    /// The curriculum's `η` used (0 without the curriculum).
    pub eta: f64,
    /// Per replay row: (constraints kept in its rewritten instruction, constraints of the
    /// original instruction).
    pub kept: Vec<(usize, usize)>,
    /// Responses the plan selected and re-verified (replayed or dropped as too long).
    pub selected: usize,
    /// Of those, how many dense alone would not have selected
    /// ([`crate::hindsight::dense_overrides`]).
    pub overridden: usize,
}

impl<B: Backend> Trainer<B> {
    /// Selects, rewrites and replays up to `k` responses per group of step `s` (none when `k`
    /// is 0; under `"released"` the rollouts' [`Rollouts::select_k`]) and returns the step's
    /// rows.
    pub(super) fn replay(
        &self,
        rollouts: &Rollouts,
        s: u64,
        step_seed: u64,
        k: usize,
    ) -> Result<Replays, TrainError> {
        let cfg = &self.config;
        let groups = &rollouts.groups[..];
        let k = if k > 0 { rollouts.select_k } else { 0 };
        let lambda0 = match cfg.replay_selection {
            Selection::Random => 0.0,
            Selection::Score => cfg.replay_lambda0,
        };
        let eta = if cfg.replay_curriculum {
            cfg.replay_eta
        } else {
            0.0
        };
        let select_cfg = SelectConfig {
            k,
            scope: cfg.replay_scope,
            lambda0,
            eta,
        };
        let scores: Vec<Vec<f32>> = groups
            .iter()
            .enumerate()
            .map(|(g, grp)| match cfg.replay_selection {
                Selection::Random => (0..grp.rows.len())
                    .map(|i| uniform(derive(derive(step_seed ^ 0x5e1ec7, g as u64), i as u64)))
                    .collect(),
                Selection::Score => grp.entropy.clone(),
            })
            .collect();
        let text_refs: Vec<Vec<&str>> = groups
            .iter()
            .map(|g| g.texts.iter().map(|t| t.as_str()).collect())
            .collect();
        let plan = if k > 0 {
            let rollouts: Vec<GroupRollouts<'_>> = groups
                .iter()
                .enumerate()
                .map(|(g, grp)| GroupRollouts {
                    instruction: &self.data[grp.data_index],
                    responses: &text_refs[g],
                    verdicts: &grp.verdicts,
                    entropies: &scores[g],
                })
                .collect();
            Some(plan_replays(&rollouts, s, &select_cfg))
        } else {
            None
        };

        let mut rows: Vec<Row> = Vec::new();
        let mut replay_dense = Vec::new();
        let mut dropped_long = 0usize;
        let mut kept = Vec::new();
        for (g, grp) in groups.iter().enumerate() {
            let items = plan.as_ref().map(|p| &p.per_group[g][..]).unwrap_or(&[]);
            for (i, row) in grp.rows.iter().enumerate() {
                let item = items.iter().find(|it| it.index == i);
                if i >= cfg.rollout_n && item.is_none() && !rollouts.keep_resampled {
                    continue;
                }
                let source = rows.len();
                rows.push(row.clone());
                if let Some(item) = item {
                    let ids = self.codec.encode_prompt(&item.rewrite.prompt)?;
                    if ids.is_empty() || ids.len() > cfg.max_prompt_length {
                        dropped_long += 1;
                        continue;
                    }
                    replay_dense.push(row.dense as f64);
                    kept.push((
                        item.rewrite.kept.len(),
                        self.data[grp.data_index].constraints.len(),
                    ));
                    rows.push(Row {
                        prompt: Arc::new(ids),
                        reward: 1.0,
                        dense: 1.0,
                        replay_of: Some(source),
                        ..row.clone()
                    });
                }
            }
        }
        let (selected, overridden) = plan
            .as_ref()
            .map_or((0, 0), |p| overridden(p, groups, &select_cfg));
        Ok(Replays {
            rows,
            replay_dense,
            dropped_long,
            reverify_failures: plan.as_ref().map_or(0, |p| p.reverify_failures),
            lambda0,
            eta,
            kept,
            selected,
            overridden,
        })
    }
}

/// How many responses `plan` replays, and how many of them dense alone would not have
/// selected ([`dense_overrides`] over the plan's eligible candidates).
fn overridden(plan: &ReplayPlan, groups: &[Group], cfg: &SelectConfig) -> (usize, usize) {
    // Eligible candidates are exactly the responses with a score in the plan.
    let dense_of = |g: usize, i: usize| groups[g].verdicts[i].dense();
    let eligible: Vec<Vec<f32>> = (0..groups.len())
        .map(|g| {
            plan.scores[g]
                .iter()
                .enumerate()
                .filter(|(_, sc)| sc.is_some())
                .map(|(i, _)| dense_of(g, i))
                .collect()
        })
        .collect();
    let selected: Vec<Vec<f32>> = plan
        .per_group
        .iter()
        .enumerate()
        .map(|(g, items)| items.iter().map(|it| dense_of(g, it.index)).collect())
        .collect();
    (
        plan.replay_count(),
        dense_overrides(&eligible, &selected, cfg.scope, cfg.k),
    )
}
