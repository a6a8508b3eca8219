//! `hir train`: a HiR run end to end (the embedded default when given no arguments).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use hir_core::model::{LoraConfig, LoraTarget};

use crate::backend_choice::BackendChoice;
use crate::demo_world::World;
use crate::io::weights::WeightDtype;
use crate::run::adapter_checkpoint::is_adapter_checkpoint;
use crate::run::demo_job::{resumed_world, world_config, world_data, world_eval_max_new};
use crate::run::model_job::{
    pretrained_config, pretrained_data, DEFAULT_EVAL_COUNT, DEFAULT_TOKEN_BUDGET,
};
use crate::run::overrides::{apply_overrides, load_config_file};
use crate::run::run_dir::check_new_run_dir;
use crate::run::source::Source;
use crate::run::{checkpoint, interrupt};
use crate::run::{run_job, JobOptions, Summary};

/// Arguments of `hir train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Train this model (a GGUF file or a Hugging Face directory) instead of the built-in
    /// tiny policy: a full fine-tune in f32, or LoRA adapters with `--lora-rank`.
    #[arg(long, conflicts_with = "resume")]
    pub model: Option<PathBuf>,
    /// Training instructions, JSONL in HIR style or IFEval format (default with `--model`:
    /// the built-in 384-row IFEval-style set).
    #[arg(long, requires = "model", conflicts_with = "resume")]
    pub data: Option<PathBuf>,
    /// With `--model`: rows at the end of the data held out for the before/after evaluation
    /// (at least 1).
    #[arg(long, default_value_t = DEFAULT_EVAL_COUNT, requires = "model", conflicts_with = "resume")]
    pub eval_count: usize,
    /// Most tokens per forward pass (micro-batch size; default 16384 for the built-in policy,
    /// 1024 with `--model`, which bounds the logits and activation memory).
    #[arg(long)]
    pub token_budget: Option<usize>,
    /// The built-in world to train on (its instructions, warm-started policy and trainer
    /// settings; default: `default`); not with `--model`. On `--resume` the run's world is
    /// found from its checkpoint (the tokenizer it holds), so `--world` may be left out.
    #[arg(long, value_enum)]
    pub world: Option<World>,
    /// Trainer configuration file (`.toml` or `.json`; verl field names). The fields it lists
    /// override the settings used without it (the built-in suite's, or with `--model` the
    /// pretrained-model settings); every other field keeps that value.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Override one config field, e.g. `--set kl_coef=0.01` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// The run's total steps (overrides `total_steps`). On `--resume`: the new total, counted
    /// from the run's start (at least the steps already done; it extends or shortens the
    /// run's plan and is saved in its config.toml); left out, the run goes on to its own
    /// `total_steps`.
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
    /// Most new tokens of an evaluation response (default 64, 128 with `--world hard`; 256
    /// with `--model`).
    #[arg(long)]
    pub eval_max_tokens: Option<usize>,
    /// Compute backend.
    #[arg(long, value_enum, default_value_t)]
    pub backend: BackendChoice,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Train LoRA adapters of this rank on the frozen model instead of every weight (with
    /// `--model`). The checkpoint then holds only the adapter (PEFT's format) and its
    /// optimizer state; the KL reference is the model with the adapters off.
    #[arg(long, requires = "model", conflicts_with = "resume")]
    pub lora_rank: Option<usize>,
    /// LoRA's `alpha`: the adapters' update is scaled by alpha / rank (default: the rank,
    /// a scale of 1).
    #[arg(long, requires = "lora_rank")]
    pub lora_alpha: Option<f32>,
    /// The linears that get adapters (PEFT's `target_modules`).
    #[arg(
        long,
        requires = "lora_rank",
        value_delimiter = ',',
        default_value = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj"
    )]
    pub lora_targets: Vec<String>,
    /// How a LoRA run holds its frozen base's 2-D weights: `auto` keeps a GGUF file's blocks
    /// (Hugging Face weights stay f32), `f32` dequantizes, `bf16`/`f16` convert on load.
    #[arg(long, value_enum, requires = "lora_rank")]
    pub dtype: Option<WeightDtype>,
}

/// The LoRA settings of `hir train`, if `--lora-rank` is given.
fn lora_config(args: &TrainArgs) -> Result<Option<LoraConfig>> {
    let Some(rank) = args.lora_rank else {
        return Ok(None);
    };
    let mut targets = Vec::new();
    for name in &args.lora_targets {
        let name = name.trim();
        match LoraTarget::from_name(name) {
            Some(t) => targets.push(t),
            None => anyhow::bail!(
                "--lora-targets: `{name}` is not a linear LoRA can adapt here; use any of \
                 q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj (LoRA on \
                 embeddings and the head is not supported)"
            ),
        }
    }
    let alpha = args.lora_alpha.unwrap_or(rank as f32);
    let cfg = LoraConfig::new(rank, alpha, &targets);
    if cfg.rank == 0 {
        anyhow::bail!("--lora-rank 0: the rank must be at least 1");
    }
    if !(alpha.is_finite() && alpha > 0.0) {
        anyhow::bail!("--lora-alpha {alpha}: alpha must be a finite number > 0");
    }
    Ok(Some(cfg))
}

/// Runs `hir train`.
pub fn run(args: TrainArgs) -> Result<()> {
    if args
        .data
        .as_deref()
        .is_some_and(crate::io::input_file::is_stdio)
    {
        anyhow::bail!(
            "--data -: training data must be a file (`--resume` reads it again); save it to a \
             file and pass its path"
        );
    }
    if args.model.is_some() && args.eval_count == 0 {
        anyhow::bail!(
            "--eval-count 0: at least one row must be held out, since the run scores the policy \
             on the held-out rows before and after training; pass --eval-count 1 or more"
        );
    }
    if let (Some(world), Some(_)) = (args.world, &args.model) {
        anyhow::bail!(
            "--world {} with --model: a built-in world brings its own policy and instructions; \
             pass --world for the built-in tiny policy or --model for a real model, not both",
            world.name()
        );
    }
    let world = args.world.unwrap_or_default();
    // The settings the command uses; a config file overrides only the fields it lists.
    let base = match &args.model {
        Some(_) => pretrained_config(),
        None => world_config(world),
    };
    let mut config = match &args.config {
        Some(path) => load_config_file(path, &base)?,
        None => base,
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
    if !resume {
        // Refused before a model is loaded; the job checks again before it writes.
        check_new_run_dir(&run_dir)?;
    }
    let lora = lora_config(&args)?;
    interrupt::install()?;
    // A real-model run: from --model, or (on --resume) from the run's source.json and its
    // checkpoint (which holds the tokenizer and chat template).
    let source = match &args.model {
        Some(model) => {
            let mut src = Source::new(model, args.data.clone(), args.eval_count)?;
            if lora.is_some() {
                src.lora_base_dtype = Some(args.dtype.unwrap_or_default());
            }
            Some(src)
        }
        None if resume => {
            let src = Source::load(&run_dir)?;
            if let Some(s) = &src {
                s.check_model_unchanged(&run_dir)?;
            }
            src
        }
        None => None,
    };
    let real = source.is_some();
    // A real-model resume reads its model from the checkpoint: make sure it is whole first
    // (the job then takes the checkpoint as verified instead of hashing it again).
    let verified_checkpoint = if resume && real {
        let ckpt = run_dir.join("checkpoint");
        if let Some(line) = checkpoint::recover(&ckpt)? {
            eprintln!("checkpoint: {line}");
        }
        Some(checkpoint::verify(&ckpt)?)
    } else {
        None
    };
    // A built-in run's world is the one whose tokenizer its checkpoint holds: `--resume`
    // finds it (`--world` may be left out, and is refused when it names another world).
    let world = match (resume, real, args.world) {
        (true, false, asked) => resumed_world(&run_dir, asked)?,
        (true, true, Some(w)) => anyhow::bail!(
            "--world {} with --resume: the run in `{}` trains a real model (it has a \
             source.json), not a built-in world; leave --world out",
            w.name(),
            run_dir.display()
        ),
        _ => world,
    };
    let opts = JobOptions {
        lora,
        run_dir: run_dir.clone(),
        config,
        resume,
        steps_on_resume: if resume { args.steps } else { None },
        verified_checkpoint,
        announce: true,
        backend: args.backend,
        save_every: args.save_every,
        eval_max_tokens: args.eval_max_tokens.unwrap_or(if real {
            256
        } else {
            world_eval_max_new(world)
        }),
        evals: Default::default(),
        progress: !args.quiet,
        token_budget: args.token_budget.or(real.then_some(DEFAULT_TOKEN_BUDGET)),
    };
    let data = match &source {
        Some(src) => {
            // A full fine-tune resumes from its checkpoint's weights; a LoRA run's checkpoint
            // holds only the adapter, so its frozen base is the model file again.
            let lora_resume = opts
                .verified_checkpoint
                .as_ref()
                .is_some_and(is_adapter_checkpoint);
            let load_from = if resume && !lora_resume {
                run_dir.join("checkpoint")
            } else {
                src.model.clone()
            };
            let data = pretrained_data(&load_from, src, src.lora_base_dtype)?;
            eprintln!(
                "model {} ({} parameters), {} training / {} held-out instructions",
                src.model.display(),
                hir_core::model::param_count(&data.model_config),
                data.train.len(),
                data.eval.len()
            );
            data
        }
        None => world_data(world)?,
    };
    let summary = run_job(&opts, data)?;
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
