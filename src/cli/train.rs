//! `hir train`: a HiR run end to end (the embedded default when given no arguments).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::backend_arg::BackendArg;
use crate::run::builtin::{builtin_config, builtin_data};
use crate::run::overrides::{apply_overrides, load_config_file};
use crate::run::{run_job, JobOptions, Summary};

/// Arguments of `hir train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Trainer configuration file (`.toml` or `.json`; verl field names). Default: the
    /// built-in suite's settings.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Override one config field, e.g. `--set kl_coef=0.01` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Steps to run (overrides `total_steps`; on `--resume`, extends the run).
    #[arg(long)]
    pub steps: Option<u64>,
    /// Seed (overrides `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Run directory (default: `runs/train-<unix time>`).
    #[arg(long)]
    pub run_dir: Option<PathBuf>,
    /// Continue the run in this directory from its last checkpoint.
    #[arg(long, conflicts_with_all = ["config", "run_dir", "sets", "seed"])]
    pub resume: Option<PathBuf>,
    /// Save a checkpoint every N steps (and at the end).
    #[arg(long, default_value_t = 10)]
    pub save_every: u64,
    /// Most new tokens of an evaluation response.
    #[arg(long, default_value_t = 64)]
    pub eval_max_tokens: usize,
    /// Compute backend.
    #[arg(long, value_enum, default_value_t)]
    pub backend: BackendArg,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Runs `hir train`.
pub fn run(args: TrainArgs) -> Result<()> {
    let mut config = match &args.config {
        Some(path) => load_config_file(path)?,
        None => builtin_config(),
    };
    config = apply_overrides(&config, &args.sets)?;
    if let Some(s) = args.steps {
        config.total_steps = s;
    }
    if let Some(s) = args.seed {
        config.seed = s;
    }
    let (run_dir, resume) = match (&args.resume, &args.run_dir) {
        (Some(dir), _) => (dir.clone(), true),
        (None, Some(dir)) => (dir.clone(), false),
        (None, None) => {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            (PathBuf::from(format!("runs/train-{secs}")), false)
        }
    };
    if resume && args.steps.is_none() {
        config.total_steps = 0; // keep the run's own total_steps
    }
    let opts = JobOptions {
        run_dir: run_dir.clone(),
        config,
        resume,
        backend: args.backend,
        save_every: args.save_every,
        eval_max_tokens: args.eval_max_tokens,
        progress: !args.quiet,
    };
    eprintln!("run directory: {}", run_dir.display());
    let summary = run_job(&opts, builtin_data()?)?;
    print_table(&summary, &run_dir);
    Ok(())
}

fn print_table(s: &Summary, dir: &std::path::Path) {
    println!(
        "held-out ({} instructions, greedy)   before    after",
        s.eval_instructions
    );
    println!(
        "  success rate (all constraints)    {:>6.3}   {:>6.3}",
        s.eval_success_before, s.eval_success_after
    );
    println!(
        "  mean dense (fraction satisfied)   {:>6.3}   {:>6.3}",
        s.eval_dense_before, s.eval_dense_after
    );
    println!(
        "steps {}, generated rollouts {}, wall {:.0} s, run directory {}",
        s.steps,
        s.generated_rollouts,
        s.wall_s,
        dir.display()
    );
}
