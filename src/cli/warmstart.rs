//! `hir warmstart`: rebuilds the built-in policy (tokenizer, tiny Llama, supervised warm start)
//! and prints its held-out greedy metrics.

use crate::demo_world::warmstart::{warm_start, WarmStartConfig};
use crate::io::model::{save_hf_dir_f16, write_atomic, HostModel};
use anyhow::Context;
use std::path::PathBuf;

/// Arguments of `hir warmstart`.
#[derive(Debug, clap::Args)]
pub struct WarmStartArgs {
    /// Output directory (config.json, model.safetensors, tokenizer.json, metrics.json).
    #[arg(long = "output-dir", alias = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// Seed of the suite, teacher, initialisation and batch order.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Optimizer steps.
    #[arg(long, default_value_t = WarmStartConfig::default().steps)]
    pub steps: usize,
    /// Which world's training split to learn (`hard`: its policy never sees the held-out
    /// families).
    #[arg(long, value_enum, default_value_t)]
    pub world: crate::demo_world::World,
    /// CPU threads (at least 1; default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Runs `hir warmstart`.
pub fn run(args: WarmStartArgs) -> anyhow::Result<()> {
    let backend = match args.threads {
        Some(0) => anyhow::bail!("--threads must be at least 1 (or left out to use every core)"),
        Some(t) => hir_backend_cpu::CpuBackend::with_threads(t)?,
        None => hir_backend_cpu::CpuBackend::new(),
    };
    let cfg = WarmStartConfig {
        seed: args.seed,
        steps: args.steps,
        ..WarmStartConfig::for_world(args.world)
    };
    let start = std::time::Instant::now();
    let ws = warm_start(&backend, &cfg, |line| {
        eprintln!("[{:>6.1}s] {line}", start.elapsed().as_secs_f64())
    })?;
    let wall_s = start.elapsed().as_secs_f64();
    let model = HostModel {
        config: ws.config.clone(),
        params: ws.params,
    };
    save_hf_dir_f16(&args.out, &model)?;
    let tok = ws
        .codec
        .tokenizer()
        .to_string(false)
        .map_err(|e| anyhow::anyhow!("cannot serialise the tokenizer: {e}"))?;
    write_atomic(&args.out.join("tokenizer.json"), tok.as_bytes())?;
    let metrics = serde_json::json!({
        "world": cfg.world.name(),
        "seed": cfg.seed,
        "steps": cfg.steps,
        "batch_size": cfg.batch_size,
        "lr": cfg.lr,
        "responses_per_instruction": cfg.responses_per_instruction,
        "vocab_size": ws.config.vocab_size,
        "teacher_dense": ws.teacher_dense,
        "teacher_success": ws.teacher_success,
        "max_prompt_tokens": ws.max_prompt_tokens,
        "max_response_tokens": ws.max_response_tokens,
        "prompt_tokens_p50_p99": ws.prompt_tokens_p50_p99,
        "response_tokens_p50_p99": ws.response_tokens_p50_p99,
        "eval_success": ws.eval.success,
        "eval_dense": ws.eval.dense,
        "eval_mean_response_tokens": ws.eval.mean_response_tokens,
        "eval_truncated": ws.eval.truncated,
        "eval_per_family": ws.eval.per_family,
        "wall_s": wall_s,
    });
    let text = serde_json::to_string_pretty(&metrics).context("serialising metrics")?;
    write_atomic(&args.out.join("metrics.json"), text.as_bytes())?;
    println!("{}", ws.eval.summary());
    for (i, r) in ws.eval.responses.iter().take(3).enumerate() {
        println!("--- held-out response {i} ---\n{r}");
    }
    println!("wrote {} ({wall_s:.0} s)", args.out.display());
    Ok(())
}
