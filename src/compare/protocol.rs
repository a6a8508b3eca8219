//! [`Settings`]: what a comparison runs, and [`Protocol`]: what its report records of it.

use std::path::PathBuf;

use anyhow::{bail, Result};
use hir_core::train::TrainerConfig;
use serde::Serialize;

use crate::backend_choice::BackendChoice;
use crate::demo_world::World;
use crate::run::methods::{method_config, METHODS};

/// Bootstrap draws of every paired comparison.
pub const BOOTSTRAP_RESAMPLES: usize = 2_000;

/// Seed of every paired bootstrap (fixed: the same runs give the same intervals).
pub const BOOTSTRAP_SEED: u64 = 14;

/// What the band around a mean curve is.
pub const CURVE_BAND: &str = "min-max over seeds";

/// What a comparison runs (the checked command line of `hir compare`).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The built-in world trained and evaluated on.
    pub world: World,
    /// Seeds per method (`0..seeds`).
    pub seeds: u64,
    /// Training steps per run.
    pub steps: u64,
    /// Methods, in table order (names of [`METHODS`], each once).
    pub methods: Vec<String>,
    /// The base (HiR) configuration, `total_steps` set; each method changes a few fields.
    pub base: TrainerConfig,
    /// Greedy held-out evaluations per run, evenly spaced, the last at the end (at most one
    /// per step).
    pub eval_points: u64,
    /// Sampled responses per held-out item at the end (0: no sampled evaluation).
    pub eval_samples: usize,
    /// Temperature of the sampled evaluation.
    pub eval_temperature: f32,
    /// Evaluate only the first this many held-out items of each part (`None`: all).
    pub eval_items: Option<usize>,
    /// Where the run directories, the step-0 evaluation and the plots go.
    pub out_dir: PathBuf,
    /// Compute backend.
    pub backend: BackendChoice,
    /// Show progress bars and per-run lines.
    pub progress: bool,
}

impl Settings {
    /// Checks the settings, naming the flag at fault.
    pub fn check(&self) -> Result<()> {
        if self.seeds == 0 {
            bail!("--seeds must be at least 1");
        }
        if self.steps == 0 {
            bail!("--steps must be at least 1");
        }
        if self.eval_points == 0 {
            bail!("--eval-points must be at least 1 (the evaluation at the end of each run)");
        }
        if self.eval_samples > 0
            && !(self.eval_temperature.is_finite() && self.eval_temperature > 0.0)
        {
            bail!(
                "--eval-temperature {}: expected a number above 0 (or --eval-samples 0)",
                self.eval_temperature
            );
        }
        if self.eval_items == Some(0) {
            bail!("--eval-items must be at least 1 (leave it out to evaluate every item)");
        }
        if self.methods.is_empty() {
            bail!("--methods: expected at least one of {}", METHODS.join(", "));
        }
        for (i, m) in self.methods.iter().enumerate() {
            if method_config(m, &self.base).is_none() {
                bail!(
                    "--methods: unknown method `{m}`: expected one of {}",
                    METHODS.join(", ")
                );
            }
            if self.methods[..i].contains(m) {
                bail!("--methods: `{m}` is listed twice");
            }
        }
        for m in &self.methods {
            let mut c = method_config(m, &self.base).expect("checked above");
            c.seed = 0;
            c.validate()
                .map_err(|e| anyhow::anyhow!("method `{m}`: {e}"))?;
        }
        Ok(())
    }

    /// The steps after which every run evaluates greedily: `eval_points` steps (at most one
    /// per step) evenly spaced over the run, the last one the run's end.
    pub fn eval_steps(&self) -> Vec<u64> {
        eval_steps(self.steps, self.eval_points.min(self.steps))
    }
}

/// `points` steps evenly spaced over `steps` (rounded to the nearest step, the last at
/// `steps`, no repeats, never step 0).
pub fn eval_steps(steps: u64, points: u64) -> Vec<u64> {
    let mut out: Vec<u64> = (1..=points)
        .map(|i| ((steps * i + points / 2) / points).max(1))
        .collect();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::eval_steps;

    #[test]
    fn evaluation_steps_are_evenly_spaced_and_end_at_the_last_step() {
        assert_eq!(eval_steps(60, 2), vec![30, 60]);
        assert_eq!(eval_steps(5, 2), vec![3, 5]);
        assert_eq!(eval_steps(5, 4), vec![1, 3, 4, 5]);
        assert_eq!(eval_steps(7, 1), vec![7]);
        assert_eq!(eval_steps(3, 3), vec![1, 2, 3]);
        assert_eq!(eval_steps(100, 3), vec![33, 67, 100]);
    }
}

/// The protocol of a comparison, as its report records it.
#[derive(Debug, Clone, Serialize)]
pub struct Protocol {
    /// The world's name.
    pub world: &'static str,
    /// Seeds per method (`0..seeds`).
    pub seeds: u64,
    /// Training steps per run.
    pub steps: u64,
    /// Prompts per step (`B`).
    pub train_batch_size: usize,
    /// Samples per prompt of the base configuration (`m`; `reinforce_pp_m8` uses 8).
    pub rollout_n: usize,
    /// Responses to replay per group of the replay methods (`k`).
    pub replay_k: usize,
    /// Per method: responses generated per run, as planned (`steps · B · m` without
    /// resampling).
    pub rollouts_per_run: Vec<MethodRollouts>,
    /// The steps after which every run is evaluated greedily (step 0, the shared warm start,
    /// is evaluated once for all runs).
    pub eval_steps: Vec<u64>,
    /// Sampled responses per held-out item at the end of each run (0: none).
    pub eval_samples: usize,
    /// Temperature of the sampled evaluation (top-p 1).
    pub eval_temperature: f32,
    /// Most new tokens of an evaluation response.
    pub eval_max_tokens: usize,
    /// Held-out items evaluated, per part, in the order of the held-out split.
    pub eval_items: Vec<PartSize>,
    /// Bootstrap draws per paired comparison.
    pub bootstrap_resamples: usize,
    /// Seed of the paired bootstraps.
    pub bootstrap_seed: u64,
    /// What the band around a mean curve is.
    pub curve_band: &'static str,
    /// The base configuration's overrides given with `--set`.
    pub sets: Vec<String>,
    /// Wall seconds of the whole comparison.
    pub wall_s: f64,
}

/// Responses a method generates per run.
#[derive(Debug, Clone, Serialize)]
pub struct MethodRollouts {
    /// Method name.
    pub method: String,
    /// `steps · B · m` of the method's configuration.
    pub planned: u64,
}

/// How many held-out items a part has in the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct PartSize {
    /// The part's label (`id`, `ood_combo`, ...).
    pub part: String,
    /// Items evaluated.
    pub items: usize,
}
