//! `hir replay`: HiR's select-then-rewrite as a stand-alone step on JSONL, so that any RL
//! stack can use hir's verifiers and replay selection without hir's trainer.
//!
//! Input: one prompt group per line (see [`input`]); output: one line per response (see
//! [`output::ResponseRow`]). The work itself is [`hir_core::hindsight::plan_replays`].

pub mod error;
pub mod input;
pub mod output;

pub use error::ReplayError;
pub use input::{parse_groups, read_groups, GroupInput, ResponseInput};
pub use output::ResponseRow;

use hir_core::hindsight::{
    last_finite_step, plan_replays, verify, GroupRollouts, SelectConfig, Verdict,
};
use std::path::Path;

/// What one run of `hir replay` produced.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayOutput {
    /// One row per response, groups in input order, responses in index order.
    pub rows: Vec<ResponseRow>,
    /// The number of prompt groups read.
    pub groups: usize,
    /// The number of responses selected for replay.
    pub selected: usize,
    /// Selected responses whose rewrite failed re-verification (always 0 with hir's
    /// deterministic verifiers; reported for completeness).
    pub reverify_failures: usize,
}

/// Verifies, selects and rewrites the groups of `input` at training step `step`.
pub fn replay_file(
    input: &Path,
    step: u64,
    cfg: &SelectConfig,
) -> Result<ReplayOutput, ReplayError> {
    check_selection(step, cfg)?;
    let groups = read_groups(input)?;
    Ok(replay_groups(&groups, step, cfg))
}

/// Checks `--step`, `--lambda0` and `--eta` before anything is read: steps count from 1, both
/// curriculum numbers are finite and ≥ 0, and `λ_s = λ_0·(1+η)^s` is finite at `step` (past
/// that every eligible score would be infinite, written as `null`). Parameters for which λ
/// overflows are refused, naming the last step at which it is finite.
pub fn check_selection(step: u64, cfg: &SelectConfig) -> Result<(), ReplayError> {
    if step == 0 {
        return Err(ReplayError::Config(
            "--step must be at least 1: training steps count from 1 (λ_1 = λ_0·(1+η))".into(),
        ));
    }
    for (flag, v) in [("--lambda0", cfg.lambda0), ("--eta", cfg.eta)] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(ReplayError::Config(format!(
                "{flag} must be a finite number ≥ 0, got {v}"
            )));
        }
    }
    if let Some(last) = last_finite_step(cfg.lambda0, cfg.eta) {
        if step > last {
            return Err(ReplayError::Config(format!(
                "λ_s = λ_0·(1+η)^s = {}·{}^{step} overflows a 64-bit float (the scores would be \
                 infinite); with these --lambda0 and --eta the last step with a finite λ is \
                 {last}: lower --eta or --step",
                cfg.lambda0,
                1.0 + cfg.eta
            )));
        }
    }
    Ok(())
}

/// [`replay_file`] on groups already read.
pub fn replay_groups(groups: &[GroupInput], step: u64, cfg: &SelectConfig) -> ReplayOutput {
    let texts: Vec<Vec<&str>> = groups
        .iter()
        .map(|g| g.responses.iter().map(|r| r.text.as_str()).collect())
        .collect();
    let verdicts: Vec<Vec<Verdict>> = groups
        .iter()
        .zip(&texts)
        .map(|(g, ts)| ts.iter().map(|t| verify(&g.instruction, t)).collect())
        .collect();
    let entropies: Vec<Vec<f32>> = groups
        .iter()
        .map(|g| g.responses.iter().map(|r| r.entropy).collect())
        .collect();
    let rollouts: Vec<GroupRollouts<'_>> = groups
        .iter()
        .enumerate()
        .map(|(g, group)| GroupRollouts {
            instruction: &group.instruction,
            responses: &texts[g],
            verdicts: &verdicts[g],
            entropies: &entropies[g],
        })
        .collect();
    let plan = plan_replays(&rollouts, step, cfg);
    let mut rows = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        for (i, v) in verdicts[g].iter().enumerate() {
            let n = v.judge.len();
            let item = plan.per_group[g].iter().find(|it| it.index == i);
            rows.push(ResponseRow {
                id: group.id.clone(),
                index: i,
                sparse: f64::from(v.sparse()),
                dense: if n == 0 {
                    0.0
                } else {
                    v.satisfied_count() as f64 / n as f64
                },
                judge: v.judge.clone(),
                score: plan.scores[g][i],
                selected: item.is_some(),
                rewritten_prompt: item.map(|it| it.rewrite.prompt.clone()),
                kept: item.map(|it| it.rewrite.kept.clone()),
            });
        }
    }
    ReplayOutput {
        rows,
        groups: groups.len(),
        selected: plan.replay_count(),
        reverify_failures: plan.reverify_failures,
    }
}
