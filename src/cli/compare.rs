//! `hir compare`: HiR against the binary-reward baselines and the selection ablations, at the
//! same budget of generated rollouts, over several seeds.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;
use serde::Serialize;

use crate::backend_choice::BackendChoice;
use crate::plot::{line_plot_svg, Series};
use crate::run::demo_job::{builtin_config, builtin_data};
use crate::run::methods::{method_config, METHODS};
use crate::run::metrics_log::read_metrics;
use crate::run::overrides::apply_overrides;
use crate::run::{run_job, JobOptions};

/// Arguments of `hir compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Seeds per method (seeds 0..N).
    #[arg(long, default_value_t = 3)]
    pub seeds: u64,
    /// Steps per run (the default keeps 5 methods × 3 seeds within 30 minutes on 2 cores).
    #[arg(long, default_value_t = 60)]
    pub steps: u64,
    /// Methods to run, comma-separated (default: all five).
    #[arg(long, value_delimiter = ',')]
    pub methods: Option<Vec<String>>,
    /// Override one config field of every method, e.g. `--set lr=5e-5` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Where the runs go (one run directory per method and seed).
    #[arg(
        long = "output-dir",
        alias = "out-dir",
        value_name = "DIR",
        default_value = "runs/compare"
    )]
    pub out_dir: PathBuf,
    /// Print the results as JSON (runs and per-method summary) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Compute backend.
    #[arg(long, value_enum, default_value_t)]
    pub backend: BackendChoice,
}

/// One run of the comparison (`--json` "runs").
#[derive(Debug, Clone, Serialize)]
pub struct CompareRun {
    /// Method name.
    pub method: String,
    /// Seed.
    pub seed: u64,
    /// Held-out success rate after training.
    pub eval_success: f64,
    /// Held-out mean dense after training.
    pub eval_dense: f64,
    /// Responses generated.
    pub generated_rollouts: u64,
    /// Wall seconds.
    pub wall_s: f64,
}

/// One method over all seeds (`--json` "summary").
#[derive(Debug, Clone, Serialize)]
pub struct CompareSummary {
    /// Method name.
    pub method: String,
    /// Mean held-out success rate over seeds.
    pub eval_success_mean: f64,
    /// Sample standard deviation of the success rate over seeds (0 for one seed).
    pub eval_success_std: f64,
    /// Mean held-out dense over seeds.
    pub eval_dense_mean: f64,
    /// Responses generated per run (mean over seeds).
    pub generated_rollouts: f64,
    /// Mean wall seconds per run.
    pub wall_s_mean: f64,
    /// Held-out success rate of the initial policy.
    pub eval_success_before: f64,
}

fn mean_std(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    if xs.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = xs.iter().sum::<f64>() / n;
    let var = if xs.len() > 1 {
        xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}

/// Runs `hir compare`.
pub fn run(args: CompareArgs) -> Result<()> {
    let methods: Vec<String> = args
        .methods
        .clone()
        .unwrap_or_else(|| METHODS.iter().map(|m| m.to_string()).collect());
    let mut base = apply_overrides(&builtin_config(), &args.sets)?;
    base.total_steps = args.steps;
    for m in &methods {
        if method_config(m, &base).is_none() {
            bail!(
                "unknown method `{m}`: expected one of {}",
                METHODS.join(", ")
            );
        }
    }
    if args.seeds == 0 {
        bail!("--seeds must be at least 1");
    }
    let mut runs = Vec::new();
    let mut before = Vec::new();
    let total = methods.len() as u64 * args.seeds;
    for (i, method) in methods.iter().enumerate() {
        for seed in 0..args.seeds {
            let mut config = method_config(method, &base).expect("checked above");
            config.seed = seed;
            let run_dir = args.out_dir.join(format!("{method}-seed{seed}"));
            if run_dir.exists() {
                std::fs::remove_dir_all(&run_dir)?;
            }
            eprintln!(
                "[{}/{total}] {method} seed {seed} → {}",
                i as u64 * args.seeds + seed + 1,
                run_dir.display()
            );
            let opts = JobOptions {
                run_dir,
                config,
                resume: false,
                steps_on_resume: None,
                verified_checkpoint: None,
                announce: false,
                backend: args.backend,
                save_every: u64::MAX,
                eval_max_tokens: 64,
                progress: !args.json,
                token_budget: None,
            };
            let s = run_job(&opts, builtin_data()?)?;
            before.push((method.clone(), s.eval_success_before));
            runs.push(CompareRun {
                method: method.clone(),
                seed,
                eval_success: s.eval_success_after,
                eval_dense: s.eval_dense_after,
                generated_rollouts: s.generated_rollouts,
                wall_s: s.wall_s,
            });
        }
    }
    let summary: Vec<CompareSummary> = methods
        .iter()
        .map(|m| {
            let mine: Vec<&CompareRun> = runs.iter().filter(|r| &r.method == m).collect();
            let succ: Vec<f64> = mine.iter().map(|r| r.eval_success).collect();
            let (mean, std) = mean_std(&succ);
            let avg = |f: &dyn Fn(&CompareRun) -> f64| {
                mean_std(&mine.iter().map(|r| f(r)).collect::<Vec<_>>()).0
            };
            CompareSummary {
                method: m.clone(),
                eval_success_mean: mean,
                eval_success_std: std,
                eval_dense_mean: avg(&|r| r.eval_dense),
                generated_rollouts: avg(&|r| r.generated_rollouts as f64),
                wall_s_mean: avg(&|r| r.wall_s),
                eval_success_before: before
                    .iter()
                    .find(|(mm, _)| mm == m)
                    .map_or(f64::NAN, |b| b.1),
            }
        })
        .collect();
    write_compare_plot(&args, &methods)?;
    if args.json {
        println!(
            "{}",
            serde_json::json!({ "runs": runs, "summary": summary })
        );
    } else {
        println!(
            "{:<20} {:>22} {:>10} {:>12} {:>9}",
            "method", "held-out success", "mean dense", "rollouts", "wall s"
        );
        for s in &summary {
            println!(
                "{:<20} {:>13.3} ± {:.3} {:>10.3} {:>12.0} {:>9.1}",
                s.method,
                s.eval_success_mean,
                s.eval_success_std,
                s.eval_dense_mean,
                s.generated_rollouts,
                s.wall_s_mean
            );
        }
        println!(
            "({} seeds each; initial policy's held-out success {:.3}; plot: {})",
            args.seeds,
            summary.first().map_or(f64::NAN, |s| s.eval_success_before),
            args.out_dir.join("compare.svg").display()
        );
    }
    Ok(())
}

/// Rollout success rate per step, mean over seeds with a min–max band, one line per method.
fn write_compare_plot(args: &CompareArgs, methods: &[String]) -> Result<()> {
    let mut series = Vec::new();
    for m in methods {
        let mut per_step: std::collections::BTreeMap<u64, Vec<f64>> = Default::default();
        for seed in 0..args.seeds {
            let path = args
                .out_dir
                .join(format!("{m}-seed{seed}"))
                .join("metrics.jsonl");
            for l in read_metrics(&path)? {
                if let Some(v) = l.data.get("critic/rewards/mean") {
                    per_step.entry(l.step).or_default().push(*v);
                }
            }
        }
        let points = per_step
            .iter()
            .map(|(s, v)| (*s as f64, v.iter().sum::<f64>() / v.len() as f64))
            .collect();
        let band = per_step
            .iter()
            .map(|(s, v)| {
                let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                (*s as f64, lo, hi)
            })
            .collect();
        series.push(Series {
            name: m.clone(),
            points,
            band: Some(band),
        });
    }
    let svg = line_plot_svg(
        "Rollout success rate (sparse reward) per step",
        "step",
        "success rate",
        &series,
    );
    std::fs::create_dir_all(&args.out_dir)?;
    crate::io::model::write_atomic(&args.out_dir.join("compare.svg"), svg.as_bytes())?;
    Ok(())
}
