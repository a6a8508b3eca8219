//! [`execute`]: the runs of a comparison — the shared warm start evaluated once, then one
//! training job per method and seed, each evaluated during the run and at the end — read
//! back into [`RunRecord`]s.

use std::time::Instant;

use anyhow::{ensure, Context, Result};

use super::held_out::HeldOut;
use super::protocol::Settings;
use super::record::{greedy_scores, sampled_scores, CurvePoint, RunRecord};
use crate::io::model::write_atomic;
use crate::run::demo_job::{world_data, world_eval_parts};
use crate::run::evals::{
    greedy_path, EvalPlan, GreedyRecord, InitialScores, SampledPlan, SampledRecord,
};
use crate::run::job::evaluate_initial;
use crate::run::methods::method_config;
use crate::run::{run_job, JobData, JobOptions};

/// What the runs of a comparison produced.
#[derive(Debug, Clone)]
pub struct Executed {
    /// The held-out items evaluated and their parts.
    pub held_out: HeldOut,
    /// The warm start's greedy evaluation (every curve's first point).
    pub step0: GreedyRecord,
    /// Every run, methods in order, seeds ascending within a method.
    pub runs: Vec<RunRecord>,
}

/// The world's data with the held-out split cut to the evaluated items.
fn data(settings: &Settings, held_out: &HeldOut) -> Result<JobData> {
    let mut data = world_data(settings.world)?;
    data.eval = held_out.apply(&data.eval);
    Ok(data)
}

/// Where the run of `method` with `seed` goes.
pub fn run_dir_name(method: &str, seed: u64) -> String {
    format!("{method}-seed{seed}")
}

/// Runs every method and seed of `settings`.
pub fn execute(settings: &Settings) -> Result<Executed> {
    let labels = world_eval_parts(settings.world)?;
    let held_out = HeldOut::select(&labels, settings.eval_items);
    let full = world_data(settings.world)?;
    ensure!(
        labels.len() == full.eval.len(),
        "the {} world labels {} held-out items but has {}",
        settings.world.name(),
        labels.len(),
        full.eval.len()
    );
    drop(full);
    let max_tokens = settings.base.max_response_length;
    std::fs::create_dir_all(&settings.out_dir).with_context(|| {
        format!(
            "cannot create the output directory `{}`",
            settings.out_dir.display()
        )
    })?;

    // Step 0: the warm start, the same weights for every run; greedy decoding is
    // deterministic, so one evaluation serves every curve.
    let t = Instant::now();
    let initial = evaluate_initial(settings.backend, &data(settings, &held_out)?, max_tokens)?;
    let step0 = GreedyRecord::new(
        0,
        0,
        initial.items.iter().map(|(v, _)| v),
        t.elapsed().as_secs_f64(),
    );
    write_atomic(
        &greedy_path(&settings.out_dir, 0),
        serde_json::to_string(&step0)?.as_bytes(),
    )?;
    let initial = InitialScores {
        success_rate: initial.success_rate,
        dense_mean: initial.dense_mean,
    };

    let eval_steps = settings.eval_steps();
    let total = settings.methods.len() as u64 * settings.seeds;
    let mut runs = Vec::new();
    for method in &settings.methods {
        for seed in 0..settings.seeds {
            let mut config = method_config(method, &settings.base)
                .with_context(|| format!("unknown method `{method}`"))?;
            config.seed = seed;
            let run_dir = settings.out_dir.join(run_dir_name(method, seed));
            if run_dir.exists() {
                std::fs::remove_dir_all(&run_dir).with_context(|| {
                    format!("cannot remove the old run `{}`", run_dir.display())
                })?;
            }
            if settings.progress {
                eprintln!(
                    "[{}/{total}] {method} seed {seed} → {}",
                    runs.len() + 1,
                    run_dir.display()
                );
            }
            let opts = JobOptions {
                lora: None,
                run_dir: run_dir.clone(),
                config,
                resume: false,
                steps_on_resume: None,
                verified_checkpoint: None,
                announce: false,
                backend: settings.backend,
                save_every: u64::MAX,
                eval_max_tokens: max_tokens,
                evals: EvalPlan {
                    steps: eval_steps.clone(),
                    sampled: (settings.eval_samples > 0).then_some(SampledPlan {
                        samples: settings.eval_samples,
                        temperature: settings.eval_temperature,
                        seed,
                    }),
                    initial: Some(initial),
                },
                progress: settings.progress,
                token_budget: None,
            };
            let summary = run_job(&opts, data(settings, &held_out)?)?;
            runs.push(read_run(RunFiles {
                method,
                seed,
                run_dir: &run_dir,
                eval_steps: &eval_steps,
                step0: &step0,
                held_out: &held_out,
                wall_s: summary.wall_s,
                generated_rollouts: summary.generated_rollouts,
            })?);
        }
    }
    Ok(Executed {
        held_out,
        step0,
        runs,
    })
}

/// What [`read_run`] reads a run from.
struct RunFiles<'a> {
    method: &'a str,
    seed: u64,
    run_dir: &'a std::path::Path,
    eval_steps: &'a [u64],
    step0: &'a GreedyRecord,
    held_out: &'a HeldOut,
    wall_s: f64,
    generated_rollouts: u64,
}

/// Reads a finished run's evaluation files into its record.
fn read_run(f: RunFiles<'_>) -> Result<RunRecord> {
    let n = f.held_out.keep.len();
    let point = |r: &GreedyRecord| CurvePoint {
        step: r.step,
        generated_rollouts: r.generated_rollouts,
        success: r.success_rate,
        constraint: r.constraint_rate,
    };
    let mut curve = vec![point(f.step0)];
    let mut last = None;
    for &step in f.eval_steps {
        let r = GreedyRecord::read(f.run_dir, step)?;
        ensure!(
            r.items.len() == n,
            "`{}`: {} items, expected {n}",
            greedy_path(f.run_dir, step).display(),
            r.items.len()
        );
        curve.push(point(&r));
        last = Some(r);
    }
    let last = last.context("a comparison evaluates every run at least once")?;
    let sampled = match SampledRecord::read(f.run_dir) {
        Ok(s) => {
            ensure!(
                s.items.len() == n,
                "`{}`: {} items, expected {n}",
                f.run_dir.display(),
                s.items.len()
            );
            Some(sampled_scores(&s.items, f.held_out))
        }
        Err(_) if !crate::run::evals::sampled_path(f.run_dir).exists() => None,
        Err(e) => return Err(e),
    };
    Ok(RunRecord {
        method: f.method.to_string(),
        seed: f.seed,
        generated_rollouts: f.generated_rollouts,
        wall_s: f.wall_s,
        final_greedy: greedy_scores(&last.items, f.held_out),
        sampled,
        curve,
        final_items: last.items,
    })
}
