//! `hir world`: measures and prints the regime of a built-in world — the warm start's greedy
//! held-out success per part and the first training step's reward statistics — with pass/fail
//! against the targets.

use crate::demo_world::regime::{
    measure_regime, RegimeInput, MAX_GREEDY_SUCCESS, MIN_FRAC_ZERO_STD,
};
use crate::demo_world::World;
use crate::run::demo_job::{world_config, world_data, world_eval_max_new, world_eval_parts};

/// Arguments of `hir world`.
#[derive(Debug, clap::Args)]
pub struct WorldArgs {
    /// The built-in world to measure.
    #[arg(long, value_enum, default_value_t)]
    pub world: World,
    /// First training steps measured, for seeds 0..N (at least 1).
    #[arg(long, default_value_t = 3)]
    pub seeds: u64,
    /// CPU threads (at least 1; default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print the measurements as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "FAIL"
    }
}

/// Runs `hir world`.
pub fn run(args: WorldArgs) -> anyhow::Result<()> {
    if args.seeds == 0 {
        anyhow::bail!("--seeds must be at least 1 (first training steps of seeds 0..N)");
    }
    let backend = match args.threads {
        Some(0) => anyhow::bail!("--threads must be at least 1 (or left out to use every core)"),
        Some(t) => hir_backend_cpu::CpuBackend::with_threads(t)?,
        None => hir_backend_cpu::CpuBackend::new(),
    };
    let data = world_data(args.world)?;
    let parts = world_eval_parts(args.world)?;
    let config = world_config(args.world);
    let input = RegimeInput {
        model_config: &data.model_config,
        init: &data.init,
        codec: &data.codec,
        train: &data.train,
        eval: &data.eval,
        parts: &parts,
        config: &config,
        eval_max_new: world_eval_max_new(args.world),
        seeds: args.seeds,
    };
    let start = std::time::Instant::now();
    let quiet = args.json;
    let regime = measure_regime(&backend, &input, |line| {
        if !quiet {
            eprintln!("[{:>6.1}s] {line}", start.elapsed().as_secs_f64());
        }
    })?;
    let greedy_ok = regime.greedy_target_met();
    let zero_std_ok = regime.zero_std_target_met();
    if args.json {
        let v = serde_json::json!({
            "world": args.world.name(),
            "regime": regime,
            "targets": {
                "max_greedy_success": MAX_GREEDY_SUCCESS,
                "min_frac_reward_zero_std": MIN_FRAC_ZERO_STD,
                "greedy_met": greedy_ok,
                "frac_reward_zero_std_met": zero_std_ok,
            },
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    println!(
        "world {}: {} training / {} held-out instructions",
        args.world.name(),
        data.train.len(),
        data.eval.len()
    );
    println!("warm start, held-out greedy      n    success   mean dense");
    for p in &regime.greedy {
        println!(
            "  {:<24} {:>6}   {:>7.3}   {:>10.3}",
            p.part, p.n, p.success, p.dense
        );
    }
    println!("  truncated responses: {:.3}", regime.greedy_truncated);
    println!("first training step (world config)  frac_reward_zero_std   success   eligible");
    for s in &regime.first_steps {
        println!(
            "  seed {:<28} {:>20.3}   {:>7.3}   {:>8.3}",
            s.seed, s.frac_reward_zero_std, s.success_rate, s.eligible_frac
        );
    }
    let all = regime.overall().map_or(f64::NAN, |p| p.success);
    println!(
        "target: greedy held-out success <= {MAX_GREEDY_SUCCESS}: {all:.3} {}",
        verdict(greedy_ok)
    );
    let min_zero = regime
        .first_steps
        .iter()
        .map(|s| s.frac_reward_zero_std)
        .fold(f64::INFINITY, f64::min);
    println!(
        "target: step-1 frac_reward_zero_std >= {MIN_FRAC_ZERO_STD} (every seed): min {min_zero:.3} {}",
        verdict(zero_std_ok)
    );
    Ok(())
}
