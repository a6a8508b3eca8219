//! Training runs on disk: the run directory, its metrics log, checkpoints, and the job that
//! ties the trainer, the evaluation and the files together (`hir train`, `hir compare`).
//!
//! A run directory `runs/<name>/` holds:
//!
//! | file | content |
//! |---|---|
//! | `config.toml` | the full trainer configuration of the run |
//! | `metrics.jsonl` | one line per step, verl's file-logger shape `{"step", "elapsed_seconds", "data"}` |
//! | `eval_before.json` | held-out scores of the initial policy |
//! | `eval_step{N}.json`, `eval_sampled.json` | per-item held-out results during the run and sampled at the end (`hir compare` runs only; see [`evals`]) |
//! | `checkpoint/` | `config.json` + `model.safetensors` + `tokenizer.json` (a Hugging Face directory) and `trainer_state.json` + `optimizer.safetensors` (to resume), and `manifest.json` (the step and each file's size and CRC-32); written beside it and swapped in as a whole (see [`checkpoint`]) |
//! | `reference.safetensors` | the reference policy, when the run uses one and did not start from a model file (a real-model run's reference is that file, checked by its fingerprint in `source.json` on `--resume`) |
//! | `source.json` | the model and data file of a real-model run (`hir train --model`), for `--resume` |
//! | `summary.json` | before/after scores, steps, rollouts, wall time |
//! | `reward_curve.svg` | reward and success rate per step |
//!
//! Every file is written atomically, and a checkpoint as a set, so an interrupted run never
//! leaves a half-written file or a checkpoint mixing two steps; `--resume` checks the
//! checkpoint against its manifest, continues from it and drops later metrics lines.
//!
//! - [`job`]: [`run_job`], one training job from start (or resume) to `summary.json`;
//! - [`evals`]: the held-out evaluations a job makes besides before/after, and their files;
//! - [`job_data`]: [`JobData`], what a job trains: from [`demo_job`] (the built-in demo world)
//!   or [`model_job`] (a real model and data file, remembered in [`source`]'s `source.json`);
//! - [`checkpoint`], [`metrics_log`], [`run_dir`]: the run directory's files. They stay in
//!   this engine rather than in [`io`](crate::io) because they are its protocol, not plain
//!   formats: a checkpoint swap and a metrics rewrite run inside [`interrupt`]'s critical
//!   sections, and resume decides from them what to redo;
//! - [`interrupt`]: SIGINT/SIGTERM handling; [`overrides`] and [`methods`]: the trainer
//!   configuration a job starts from.

pub mod adapter_checkpoint;
pub mod checkpoint;
pub mod demo_job;
pub mod evals;
pub mod interrupt;
pub mod job;
pub mod job_data;
pub mod methods;
pub mod metrics_log;
pub mod model_job;
pub mod overrides;
pub mod run_dir;
pub mod source;

pub use evals::EvalPlan;
pub use job::{run_job, JobOptions, Summary};
pub use job_data::JobData;
