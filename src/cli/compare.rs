//! `hir compare`: HiR, its variants and the baselines at the same budget of generated
//! rollouts on a built-in world, several seeds each, compared pairwise on the same held-out
//! items (the engine is [`crate::compare`]).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::backend_choice::BackendChoice;
use crate::compare::{run_comparison, Settings};
use crate::demo_world::World;
use crate::run::demo_job::world_config;
use crate::run::methods::METHODS;
use crate::run::overrides::apply_overrides;

/// Arguments of `hir compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The built-in world: `default` (2–6 constraints per instruction) or `hard` (5–8, with
    /// out-of-distribution held-out parts).
    #[arg(long, value_enum, default_value_t)]
    pub world: World,
    /// Seeds per method (seeds 0..N).
    #[arg(long, default_value_t = 3)]
    pub seeds: u64,
    /// Steps per run.
    #[arg(long, default_value_t = 60)]
    pub steps: u64,
    /// Methods to run, comma-separated: hir, hir_global, hir_sum_entropy, hir_random_select,
    /// hir_no_curriculum, reinforce_pp, reinforce_pp_m8, grpo, dense, hir_grpo (default: all).
    #[arg(long, value_delimiter = ',')]
    pub methods: Option<Vec<String>>,
    /// Override one config field of every method, e.g. `--set lr=5e-5` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Greedy held-out evaluations during each run, at N evenly spaced steps (the last at the
    /// end; at most one per step); the shared warm start is evaluated once more, as every
    /// curve's first point.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub eval_points: u64,
    /// Sampled responses per held-out item at the end of each run (0: no sampled score).
    #[arg(long, value_name = "S", default_value_t = 4)]
    pub eval_samples: usize,
    /// Temperature of the sampled evaluation (top-p 1).
    #[arg(long, value_name = "T", default_value_t = 0.6)]
    pub eval_temperature: f32,
    /// Evaluate only the first N held-out items of each part (for quick runs; default: all).
    #[arg(long, value_name = "N")]
    pub eval_items: Option<usize>,
    /// Where the runs go (one run directory per method and seed) and the plots.
    #[arg(
        long = "output-dir",
        alias = "out-dir",
        value_name = "DIR",
        default_value = "runs/compare"
    )]
    pub out_dir: PathBuf,
    /// Print everything as JSON (protocol, runs, per-method summary, paired comparisons)
    /// instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Compute backend.
    #[arg(long, value_enum, default_value_t)]
    pub backend: BackendChoice,
}

/// Runs `hir compare`.
pub fn run(args: CompareArgs) -> Result<()> {
    let mut base = apply_overrides(&world_config(args.world), &args.sets)?;
    base.total_steps = args.steps;
    let settings = Settings {
        world: args.world,
        seeds: args.seeds,
        steps: args.steps,
        methods: args
            .methods
            .clone()
            .unwrap_or_else(|| METHODS.iter().map(|m| m.to_string()).collect()),
        base,
        eval_points: args.eval_points,
        eval_samples: args.eval_samples,
        eval_temperature: args.eval_temperature,
        eval_items: args.eval_items,
        out_dir: args.out_dir.clone(),
        backend: args.backend,
        progress: !args.json,
    };
    let report = run_comparison(&settings, &args.sets)?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{}", report.table());
        println!(
            "plots: {}, {}",
            args.out_dir.join("compare.svg").display(),
            args.out_dir.join("compare_rollout_success.svg").display()
        );
    }
    Ok(())
}
