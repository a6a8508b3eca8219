//! [`measure_regime`]: the numbers that say whether a world is in the sparse-reward regime HiR
//! is for — the warm start's greedy held-out success (per held-out part and over all) and the
//! first training step's reward statistics for a few seeds.
//!
//! The targets for the hard world: greedy held-out success ≤ [`MAX_GREEDY_SUCCESS`]
//! and step-1 `critic/frac_reward_zero_std` ≥ [`MIN_FRAC_ZERO_STD`] (most groups of sampled
//! responses carry no binary-reward signal at all). Nothing is written to disk: the trainer
//! is built and stepped in memory.

use super::greedy::evaluate_greedy;
use super::teacher::{dense, verify};
use crate::io::tokenizer::HfChatCodec;
use hir_core::backend::Backend;
use hir_core::instruct::Instruction;
use hir_core::model::{Model, ModelConfig, Params};
use hir_core::train::{Trainer, TrainerConfig};

/// Target: greedy held-out success of the warm start at most this.
pub const MAX_GREEDY_SUCCESS: f64 = 0.05;
/// Target: step-1 `critic/frac_reward_zero_std` at least this (for every seed measured).
pub const MIN_FRAC_ZERO_STD: f64 = 0.6;

/// What [`measure_regime`] works on: a world's policy, instructions and trainer settings.
pub struct RegimeInput<'a> {
    /// Architecture of the warm-started policy.
    pub model_config: &'a ModelConfig,
    /// The warm-started weights.
    pub init: &'a Params<Vec<f32>>,
    /// Its tokenizer.
    pub codec: &'a HfChatCodec,
    /// Training instructions.
    pub train: &'a [Instruction],
    /// Held-out instructions.
    pub eval: &'a [Instruction],
    /// The part of each held-out instruction, in `eval` order.
    pub parts: &'a [&'static str],
    /// The world's trainer settings (the seed is replaced per measured seed).
    pub config: &'a TrainerConfig,
    /// Longest greedy response, in tokens.
    pub eval_max_new: usize,
    /// Seeds `0..seeds` of the first-step measurement.
    pub seeds: u64,
}

/// Greedy results on one held-out part (or `"all"`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PartScore {
    /// The part's label.
    pub part: String,
    /// Instructions in it.
    pub n: usize,
    /// Fraction with every constraint satisfied.
    pub success: f64,
    /// Mean fraction of constraints satisfied.
    pub dense: f64,
}

/// The first training step of one seed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FirstStep {
    /// The run seed.
    pub seed: u64,
    /// `critic/frac_reward_zero_std`: groups whose sampled rewards are all equal.
    pub frac_reward_zero_std: f64,
    /// `hir/success_rate`: sampled responses satisfying every constraint.
    pub success_rate: f64,
    /// `hir/eligible_frac`: sampled responses eligible for replay.
    pub eligible_frac: f64,
}

/// The measured regime and its verdict against the targets.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Regime {
    /// Per part in order of first appearance, then `"all"`.
    pub greedy: Vec<PartScore>,
    /// Fraction of greedy responses cut at the token limit.
    pub greedy_truncated: f64,
    /// One per seed.
    pub first_steps: Vec<FirstStep>,
}

impl Regime {
    /// The greedy score over the whole held-out split.
    pub fn overall(&self) -> Option<&PartScore> {
        self.greedy.iter().find(|p| p.part == "all")
    }

    /// Whether greedy held-out success is at most [`MAX_GREEDY_SUCCESS`].
    pub fn greedy_target_met(&self) -> bool {
        self.overall()
            .is_some_and(|p| p.success <= MAX_GREEDY_SUCCESS)
    }

    /// Whether every seed's step-1 `frac_reward_zero_std` is at least [`MIN_FRAC_ZERO_STD`].
    pub fn zero_std_target_met(&self) -> bool {
        !self.first_steps.is_empty()
            && self
                .first_steps
                .iter()
                .all(|s| s.frac_reward_zero_std >= MIN_FRAC_ZERO_STD)
    }
}

/// Scores greedy `responses` to `instrs` per part of `parts` (order of first appearance),
/// then over all under the label `"all"`.
pub fn part_scores(instrs: &[Instruction], parts: &[&str], responses: &[String]) -> Vec<PartScore> {
    let mut labels: Vec<&str> = Vec::new();
    for p in parts {
        if !labels.contains(p) {
            labels.push(p);
        }
    }
    let score = |label: &str, keep: &dyn Fn(&str) -> bool| {
        let (mut n, mut ok, mut d) = (0usize, 0usize, 0f64);
        for ((i, p), r) in instrs.iter().zip(parts).zip(responses) {
            if keep(p) {
                let judge = verify(i, r);
                n += 1;
                ok += usize::from(judge.iter().all(|&j| j));
                d += f64::from(dense(&judge));
            }
        }
        let m = n.max(1) as f64;
        PartScore {
            part: label.to_string(),
            n,
            success: ok as f64 / m,
            dense: d / m,
        }
    };
    let mut out: Vec<PartScore> = labels.iter().map(|l| score(l, &|p| p == *l)).collect();
    out.push(score("all", &|_| true));
    out
}

/// Measures the regime on `backend` (cloned for each seed's trainer).
pub fn measure_regime<B: Backend + Clone>(
    backend: &B,
    input: &RegimeInput<'_>,
    mut log: impl FnMut(&str),
) -> anyhow::Result<Regime> {
    if input.parts.len() != input.eval.len() {
        anyhow::bail!(
            "{} part labels for {} held-out instructions",
            input.parts.len(),
            input.eval.len()
        );
    }
    let model = Model::from_host(backend, input.model_config.clone(), input.init)?;
    let report = evaluate_greedy(
        backend,
        &model,
        input.codec,
        input.eval,
        32,
        input.eval_max_new,
    )?;
    let greedy = part_scores(input.eval, input.parts, &report.responses);
    log(&format!(
        "greedy held-out: success {:.3}, mean dense {:.3}",
        report.success, report.dense
    ));
    let mut first_steps = Vec::new();
    for seed in 0..input.seeds {
        let config = TrainerConfig {
            seed,
            ..input.config.clone()
        };
        let mut trainer = Trainer::new(
            backend.clone(),
            config,
            input.model_config.clone(),
            input.init,
            Box::new(input.codec.clone()),
            input.train.to_vec(),
        )?;
        let m = trainer.step()?;
        let get = |k: &str| m.get(k).copied().unwrap_or(f64::NAN);
        let s = FirstStep {
            seed,
            frac_reward_zero_std: get("critic/frac_reward_zero_std"),
            success_rate: get("hir/success_rate"),
            eligible_frac: get("hir/eligible_frac"),
        };
        log(&format!(
            "seed {seed}: step-1 frac_reward_zero_std {:.3}, success {:.3}, eligible {:.3}",
            s.frac_reward_zero_std, s.success_rate, s.eligible_frac
        ));
        first_steps.push(s);
    }
    Ok(Regime {
        greedy,
        greedy_truncated: report.truncated,
        first_steps,
    })
}
