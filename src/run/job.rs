//! One training run end to end: evaluate the initial policy, train, checkpoint, evaluate
//! again, write the summary and the plot. `hir train` runs one job; `hir compare` many, each
//! also evaluating during the run and with sampled responses at the end ([`EvalPlan`]).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use hir_core::backend::Backend;
use hir_core::instruct::Instruction;
use hir_core::model::{LoraConfig, LoraWeights, Model, ModelConfig, Params};
use hir_core::train::eval::{evaluate_sampled, SampledEval};
use hir_core::train::{evaluate, AdapterState, EvalResult, Trainer, TrainerConfig, TrainerState};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

use super::adapter_checkpoint::{
    is_adapter_checkpoint, load_adapter_checkpoint, save_adapter_checkpoint, AdapterCheckpoint,
};
use super::checkpoint::{
    load_checkpoint, load_params, recover, save_checkpoint, save_params, verify, Manifest, STATE,
};
use super::evals::{
    greedy_path, rates, sampled_path, EvalPlan, GreedyRecord, ItemResult, SampledRecord,
};
use super::interrupt;
use super::job_data::JobData;
use super::metrics_log::{read_metrics, MetricsLine, MetricsLog};
use super::run_dir::check_new_run_dir;
use crate::backend_choice::BackendChoice;
use crate::io::input_file::{read_text, MAX_CONFIG_BYTES};
use crate::io::model::write_atomic;
use crate::plot::{line_plot_svg, Series};

/// What a job needs besides the trainer configuration.
#[derive(Debug, Clone)]
pub struct JobOptions {
    /// The run directory.
    pub run_dir: PathBuf,
    /// The trainer configuration of a new run (ignored on resume: the run's `config.toml` is
    /// used).
    pub config: TrainerConfig,
    /// Continue the run in `run_dir` from its last checkpoint.
    pub resume: bool,
    /// On resume: the run's new `total_steps` (at least the steps already done; it may
    /// extend or shorten the run's plan, and is written to its `config.toml`). `None`: the
    /// run's own `total_steps`.
    pub steps_on_resume: Option<u64>,
    /// Print `run directory: DIR` to stderr once the run starts (after every check passed
    /// and the directory was created).
    pub announce: bool,
    /// Compute backend.
    pub backend: BackendChoice,
    /// Save a checkpoint every this many steps (and at the end).
    pub save_every: u64,
    /// Most new tokens of an evaluation response.
    pub eval_max_tokens: usize,
    /// Held-out evaluations besides the initial and final greedy ones (`hir train`: none).
    pub evals: EvalPlan,
    /// Show progress bars.
    pub progress: bool,
    /// Most packed tokens per forward pass (micro-batch size in tokens; `None`: the
    /// trainer's default). Bounds the activation and logits memory of big models.
    pub token_budget: Option<usize>,
    /// A new run trains LoRA adapters of this config on the frozen model (`None`: full
    /// fine-tune). Ignored on resume: the checkpoint says which kind of run it is.
    pub lora: Option<LoraConfig>,
    /// On resume: the manifest of the run's checkpoint when the caller already put the
    /// checkpoint in order ([`recover`]) and verified it (a real-model resume reads its model
    /// from the checkpoint before the job starts); `None`: the job does both.
    pub verified_checkpoint: Option<Manifest>,
}

/// `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Held-out success rate (all constraints, greedy) of the initial policy.
    pub eval_success_before: f64,
    /// Held-out success rate after training.
    pub eval_success_after: f64,
    /// Held-out mean dense reward of the initial policy.
    pub eval_dense_before: f64,
    /// Held-out mean dense reward after training.
    pub eval_dense_after: f64,
    /// Steps completed.
    pub steps: u64,
    /// Responses generated (rollouts plus resamples).
    pub generated_rollouts: u64,
    /// Wall seconds of training and evaluation, over every session of the run.
    pub wall_s: f64,
    /// Held-out instructions evaluated.
    pub eval_instructions: usize,
    /// The run's seed.
    pub seed: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct EvalFile {
    success_rate: f64,
    dense_mean: f64,
    wall_s: f64,
}

/// Runs (or resumes) a job on the backend chosen in `opts`.
pub fn run_job(opts: &JobOptions, data: JobData) -> Result<Summary> {
    crate::with_backend!(opts.backend, |b| run_on(b, opts, data))
}

fn run_on<B: Backend>(backend: B, opts: &JobOptions, data: JobData) -> Result<Summary> {
    let dir = &opts.run_dir;
    let config_path = dir.join("config.toml");
    let ckpt_dir = dir.join("checkpoint");
    let ref_path = dir.join("reference.safetensors");
    let (mut trainer, before, prior_s, mut log) = if opts.resume {
        let text =
            read_text(&config_path, "a trainer config", MAX_CONFIG_BYTES).with_context(|| {
                format!(
                    "cannot resume: `{}` cannot be read (is `{}` a run directory?)",
                    config_path.display(),
                    dir.display()
                )
            })?;
        let mut config: TrainerConfig = toml::from_str(&text)
            .with_context(|| format!("`{}`: not a trainer configuration", config_path.display()))?;
        if opts.verified_checkpoint.is_none() {
            if let Some(line) = recover(&ckpt_dir)? {
                eprintln!("checkpoint: {line}");
            }
        }
        let checked;
        let manifest = match &opts.verified_checkpoint {
            Some(m) => m,
            None => {
                checked = verify(&ckpt_dir)?;
                &checked
            }
        };
        // A LoRA run's checkpoint holds its adapter state; its base comes from the model file.
        let (mut resumed, file) = if is_adapter_checkpoint(manifest) {
            let (ad, file) =
                load_adapter_checkpoint(&ckpt_dir, Some(manifest), &data.model_config)?;
            (Resumed::Lora(ad), file)
        } else {
            let (model_config, state, file) = load_checkpoint(&ckpt_dir, Some(manifest))?;
            (Resumed::Full(model_config, Box::new(state)), file)
        };
        let step = file.step;
        let metrics_path = dir.join("metrics.jsonl");
        let lines = read_metrics(&metrics_path)?;
        let logged_through = lines.iter().map(|l| l.step).max().unwrap_or(0);
        file.check_logged(&ckpt_dir.join(STATE), logged_through)?;
        if let Some(steps) = opts.steps_on_resume {
            if steps < step {
                bail!(
                    "--steps {steps}: the run in `{}` has already done {step} steps; on \
                     --resume, --steps is the run's new total and must be at least {step} \
                     (leave it out to continue to the run's total_steps, {})",
                    dir.display(),
                    config.total_steps
                );
            }
            config.total_steps = steps;
        }
        config
            .validate()
            .with_context(|| format!("`{}`", config_path.display()))?;
        file.check(&ckpt_dir.join(STATE), &config)?;
        if let Resumed::Full(model_config, state) = &mut resumed {
            if ref_path.exists() {
                state.reference = Some(load_params(&ref_path, model_config, "")?);
            } else if let (true, Some(model)) = (config.needs_reference(), &data.reference_model) {
                state.reference = Some(reference_from_model(model, model_config)?);
            }
        }
        let before: EvalFile = read_json(&dir.join("eval_before.json"))?;
        let trainer = match resumed {
            Resumed::Full(model_config, state) => Trainer::restore(
                backend,
                config,
                model_config,
                *state,
                Box::new(data.codec),
                data.train,
            )?,
            Resumed::Lora(ad) => {
                let base = lora_base_model(&backend, &data)?;
                Trainer::restore_lora(backend, config, base, ad, Box::new(data.codec), data.train)?
            }
        };
        // Validated: from here on the run directory changes.
        if opts.steps_on_resume.is_some() {
            write_file(&config_path, toml::to_string(&trainer.config)?.as_bytes())?;
        }
        let log = MetricsLog::from_lines(&metrics_path, lines, step)?;
        interrupt::set_run(dir, Some(step));
        if opts.announce {
            eprintln!(
                "run directory: {} (resuming at step {step} of {})",
                dir.display(),
                trainer.config.total_steps
            );
        }
        (trainer, before, file.elapsed_seconds, log)
    } else {
        check_new_run_dir(dir)?;
        // Everything that can refuse the run (the configuration, the data against it) is
        // checked before the run directory is created.
        let trainer = match &opts.lora {
            Some(lora) => {
                lora.validate(&data.model_config)
                    .context("the LoRA settings (--lora-rank, --lora-alpha, --lora-targets)")?;
                let adapter = LoraWeights::init(&data.model_config, lora.clone(), opts.config.seed);
                let zeros = adapter.map(|t| vec![0.0; t.len()]);
                let fresh = AdapterState {
                    step: 0,
                    generated_rollouts: 0,
                    adapter,
                    adam_m: zeros.clone(),
                    adam_v: zeros,
                    adam_step: 0,
                };
                let base = lora_base_model(&backend, &data)?;
                Trainer::restore_lora(
                    backend,
                    opts.config.clone(),
                    base,
                    fresh,
                    Box::new(data.codec),
                    data.train,
                )?
            }
            None => Trainer::new(
                backend,
                opts.config.clone(),
                data.model_config.clone(),
                &data.init,
                Box::new(data.codec),
                data.train,
            )?,
        };
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create run directory `{}`", dir.display()))?;
        interrupt::set_run(dir, None);
        write_file(&config_path, toml::to_string(&opts.config)?.as_bytes())?;
        if let Some(source) = &data.source {
            interrupt::critical(|| source.save(dir))?;
        }
        if trainer.reference.is_some() && data.reference_model.is_none() {
            interrupt::critical(|| {
                save_params(&ref_path, &data.model_config, &[("", &data.init)])
            })?;
        }
        if opts.announce {
            eprintln!("run directory: {}", dir.display());
        }
        let before = match opts.evals.initial {
            Some(known) => EvalFile {
                success_rate: known.success_rate,
                dense_mean: known.dense_mean,
                wall_s: 0.0,
            },
            None => {
                let t = Instant::now();
                let ev = run_eval(&trainer, &data.eval, opts.eval_max_tokens)?;
                EvalFile {
                    success_rate: ev.success_rate,
                    dense_mean: ev.dense_mean,
                    wall_s: t.elapsed().as_secs_f64(),
                }
            }
        };
        write_file(
            &dir.join("eval_before.json"),
            serde_json::to_string_pretty(&before)?.as_bytes(),
        )?;
        let log = MetricsLog::open(&dir.join("metrics.jsonl"), 0)?;
        let wall = before.wall_s;
        (trainer, before, wall, log)
    };
    if let Some(budget) = opts.token_budget {
        trainer.token_budget = budget.max(1);
    }
    let model_config = trainer.policy.config.clone();
    let total = trainer.config.total_steps;
    let bar = progress_bar(opts.progress, total, trainer.step);
    let session = Instant::now();
    let base_model = data
        .source
        .as_ref()
        .map(|s| s.model.display().to_string())
        .unwrap_or_default();
    let save = |trainer: &Trainer<B>, elapsed: f64| -> Result<()> {
        match trainer.adapter_state()? {
            Some(state) => save_adapter_checkpoint(
                &ckpt_dir,
                &AdapterCheckpoint {
                    config: &model_config,
                    state: &state,
                    base_model: base_model.clone(),
                    tokenizer_json: &data.tokenizer_json,
                    tokenizer_config_json: data.tokenizer_config_json.as_deref(),
                    elapsed_seconds: elapsed,
                },
            )?,
            None => save_checkpoint(
                &ckpt_dir,
                &model_config,
                &trainer.state()?,
                &data.tokenizer_json,
                data.tokenizer_config_json.as_deref(),
                elapsed,
            )?,
        }
        interrupt::checkpoint_saved(trainer.step);
        Ok(())
    };
    while trainer.step < total {
        let metrics = trainer.step()?;
        let elapsed = prior_s + session.elapsed().as_secs_f64();
        let get = |k: &str| metrics.get(k).copied().unwrap_or(0.0);
        bar.set_message(format!(
            "reward {:.3}  dense {:.3}  replays {:.0}",
            get("critic/rewards/mean"),
            get("hir/dense_mean"),
            get("hir/replay_count")
        ));
        bar.inc(1);
        log.push(MetricsLine {
            step: trainer.step,
            elapsed_seconds: elapsed,
            data: metrics,
        })?;
        if trainer.step % opts.save_every.max(1) == 0 || trainer.step == total {
            save(&trainer, elapsed)?;
        }
        if trainer.step < total && opts.evals.steps.contains(&trainer.step) {
            let t = Instant::now();
            let ev = run_eval(&trainer, &data.eval, opts.eval_max_tokens)?;
            write_greedy(dir, &trainer, &ev, t.elapsed().as_secs_f64())?;
        }
    }
    bar.finish_and_clear();
    if trainer.step == 0 || !ckpt_dir.join(STATE).exists() {
        save(&trainer, prior_s)?;
    }
    let t = Instant::now();
    let after = run_eval(&trainer, &data.eval, opts.eval_max_tokens)?;
    if opts.evals.steps.contains(&trainer.step) {
        write_greedy(dir, &trainer, &after, t.elapsed().as_secs_f64())?;
    }
    if let Some(plan) = &opts.evals.sampled {
        let t = Instant::now();
        let ev = evaluate_sampled(
            &trainer.backend,
            &trainer.policy,
            trainer.codec(),
            &data.eval,
            &SampledEval {
                samples: plan.samples,
                temperature: plan.temperature,
                seed: plan.seed,
                max_new_tokens: opts.eval_max_tokens,
                batch: EVAL_BATCH,
            },
        )?;
        let items: Vec<Vec<ItemResult>> = ev
            .items
            .iter()
            .map(|s| s.iter().map(ItemResult::of).collect())
            .collect();
        let (success_rate, constraint_rate) = rates(items.iter().flatten());
        let record = SampledRecord {
            step: trainer.step,
            generated_rollouts: trainer.generated_rollouts,
            samples: plan.samples,
            temperature: plan.temperature,
            seed: plan.seed,
            success_rate,
            constraint_rate,
            wall_s: t.elapsed().as_secs_f64(),
            items,
        };
        write_file(
            &sampled_path(dir),
            serde_json::to_string(&record)?.as_bytes(),
        )?;
    }
    let summary = Summary {
        eval_success_before: before.success_rate,
        eval_success_after: after.success_rate,
        eval_dense_before: before.dense_mean,
        eval_dense_after: after.dense_mean,
        steps: trainer.step,
        generated_rollouts: trainer.generated_rollouts,
        wall_s: prior_s + session.elapsed().as_secs_f64(),
        eval_instructions: data.eval.len(),
        seed: trainer.config.seed,
    };
    write_file(
        &dir.join("summary.json"),
        serde_json::to_string_pretty(&summary)?.as_bytes(),
    )?;
    write_reward_plot(&dir.join("reward_curve.svg"), log.lines())?;
    Ok(summary)
}

/// Writes one file of the run directory (atomically, and never cut by a signal).
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    interrupt::critical(|| write_atomic(path, bytes))?;
    Ok(())
}

/// Writes `eval_step{N}.json` for the trainer's current step from the greedy evaluation `ev`.
fn write_greedy<B: Backend>(
    dir: &Path,
    trainer: &Trainer<B>,
    ev: &EvalResult,
    wall_s: f64,
) -> Result<()> {
    let record = GreedyRecord::new(
        trainer.step,
        trainer.generated_rollouts,
        ev.items.iter().map(|(v, _)| v),
        wall_s,
    );
    write_file(
        &greedy_path(dir, trainer.step),
        serde_json::to_string(&record)?.as_bytes(),
    )
}

/// Held-out instructions decoded per batched call.
const EVAL_BATCH: usize = 64;

/// The greedy held-out evaluation of `data`'s initial policy on `backend`: what every job on
/// `data` evaluates before training (`hir compare` evaluates it once for all its runs).
pub fn evaluate_initial(
    backend: BackendChoice,
    data: &JobData,
    max_tokens: usize,
) -> Result<EvalResult> {
    crate::with_backend!(backend, |b| {
        let model = hir_core::model::Model::from_host(&b, data.model_config.clone(), &data.init)?;
        Ok(evaluate(
            &b,
            &model,
            &data.codec,
            &data.eval,
            max_tokens,
            EVAL_BATCH,
        )?)
    })
}

/// What a checkpoint resumes: a full fine-tune's state, or a LoRA run's adapter state.
enum Resumed {
    Full(ModelConfig, Box<TrainerState>),
    Lora(AdapterState),
}

/// A LoRA run's frozen base on `b`: `data.lora_base` (kept in its storage format) or the f32
/// `data.init`.
fn lora_base_model<B: Backend>(b: &B, data: &JobData) -> Result<Model<B>> {
    Ok(match &data.lora_base {
        Some(w) => w.to_model(b)?,
        None => Model::from_host(b, data.model_config.clone(), &data.init)?,
    })
}

/// The reference policy of a resumed real-model run: the weights of the model it started from.
fn reference_from_model(model: &Path, config: &ModelConfig) -> Result<Params<Vec<f32>>> {
    let host = crate::io::pretrained::Pretrained::load_weights(model)?;
    anyhow::ensure!(
        &host.config == config,
        "`{}`: its architecture differs from the run's checkpoint, so it cannot be the run's \
         reference policy",
        model.display()
    );
    Ok(host.params)
}

fn run_eval<B: Backend>(
    trainer: &Trainer<B>,
    eval: &[Instruction],
    max_tokens: usize,
) -> Result<EvalResult> {
    Ok(evaluate(
        &trainer.backend,
        &trainer.policy,
        trainer.codec(),
        eval,
        max_tokens,
        EVAL_BATCH,
    )?)
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = read_text(path, "a run file", MAX_CONFIG_BYTES)?;
    serde_json::from_str(&text).with_context(|| format!("`{}`: unexpected content", path.display()))
}

fn progress_bar(show: bool, total: u64, done: u64) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix}[{elapsed_precise}] {bar:30} {pos}/{len} steps  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_position(done);
    bar
}

/// The reward curve: rollout success rate (= mean sparse reward) and mean dense per step.
pub fn write_reward_plot(path: &Path, lines: &[MetricsLine]) -> Result<()> {
    let series = |name: &str, key: &str| Series {
        name: name.into(),
        points: lines
            .iter()
            .map(|l| (l.step as f64, l.data.get(key).copied().unwrap_or(f64::NAN)))
            .collect(),
        band: None,
    };
    let svg = line_plot_svg(
        "HiR training: rollout rewards",
        "step",
        "reward",
        &[
            series("success rate (sparse reward)", "critic/rewards/mean"),
            series("mean dense reward", "hir/dense_mean"),
        ],
    );
    write_file(path, svg.as_bytes())
}
