//! Jobs on a real model (`hir train --model M [--data F]`): the trainer settings for a
//! pretrained policy on a CPU, the data split, and the job's data from the model and data
//! files its [`Source`] (`source.json`, which lets `--resume` find the data again) names.

use std::path::Path;

use anyhow::{Context, Result};
use hir_core::instruct::Instruction;
use hir_core::train::TrainerConfig;

use super::job_data::JobData;
use super::source::Source;
use crate::io::data::{parse_instructions, read_instructions_limited, PromptLimit};
use crate::io::pretrained::{InferenceModel, Pretrained};
use crate::io::weights::WeightDtype;
use hir_core::model::Params;

/// The committed IFEval-style training set (`assets/data/ifeval_style_train.jsonl`), the
/// default `--data` of `hir train --model`.
pub const DEFAULT_DATA: &str = include_str!("../../assets/data/ifeval_style_train.jsonl");

/// Default held-out rows (the last ones of the data file).
pub const DEFAULT_EVAL_COUNT: usize = 32;

/// Default micro-batch size in tokens for real models (bounds the `[tokens, vocab]` logits
/// and the activations kept for the backward pass: ~1.5 GB for SmolLM2-135M).
pub const DEFAULT_TOKEN_BUDGET: usize = 1024;

/// Trainer settings for a pretrained instruct model on a few CPU cores: the spec's algorithm
/// defaults (m = 6 is scaled to 4, k = 2), the spec's learning rate for real models, and
/// small batches so that one step takes minutes, not hours.
pub fn pretrained_config() -> TrainerConfig {
    TrainerConfig {
        total_steps: 10,
        train_batch_size: 4,
        rollout_n: 4,
        temperature: 1.0,
        max_prompt_length: 512,
        max_response_length: 128,
        ppo_mini_batch_size: 4,
        lr: 1e-6,
        ..TrainerConfig::default()
    }
}

/// Splits `rows` into (train, held-out): the last `eval_count` rows are held out, and at least
/// one row must remain for training.
pub fn split(
    mut rows: Vec<Instruction>,
    eval_count: usize,
    origin: &str,
) -> Result<(Vec<Instruction>, Vec<Instruction>)> {
    anyhow::ensure!(
        eval_count > 0,
        "--eval-count 0: at least one row must be held out, since the run scores the policy \
         on the held-out rows before and after training; pass --eval-count 1 or more"
    );
    anyhow::ensure!(
        rows.len() > eval_count,
        "{origin}: {} rows, but {eval_count} are held out for evaluation (--eval-count); \
         at least one must remain for training",
        rows.len()
    );
    let eval = rows.split_off(rows.len() - eval_count);
    Ok((rows, eval))
}

/// The policy, tokenizer and data of a real-model job. `model` is loaded from
/// `model_path` (on resume, the caller passes the run's checkpoint directory) in f32, or,
/// for a LoRA run (`lora_dtype`), as its frozen base held as that `--dtype` says.
pub fn pretrained_data(
    model_path: &Path,
    source: &Source,
    lora_dtype: Option<WeightDtype>,
) -> Result<JobData> {
    let (model_config, init, lora_base, codec, tokenizer_json, tokenizer_config_json) =
        match lora_dtype {
            None => {
                let pre = Pretrained::load(model_path)?;
                let tok = (pre.tokenizer_json, pre.tokenizer_config_json);
                (
                    pre.host.config,
                    pre.host.params,
                    None,
                    pre.codec,
                    tok.0,
                    tok.1,
                )
            }
            Some(dtype) => {
                let m = InferenceModel::load(model_path, dtype)?;
                let config = m.weights.config.clone();
                // The trainer's base is `lora_base`; no f32 copy of the weights is held.
                let empty = Params {
                    embed: Vec::new(),
                    layers: Vec::new(),
                    final_norm: Vec::new(),
                    lm_head: None,
                };
                // The checkpoint's tokenizer files, as a full fine-tune's checkpoint has them.
                let tok = Pretrained::tokenizer_files(model_path, &m.codec)?;
                (config, empty, Some(m.weights), m.codec, tok.0, tok.1)
            }
        };
    // Rows are streamed; a prompt that cannot fit the model's context is refused from its
    // length before the trainer tokenizes it (the trainer then checks max_prompt_length).
    let limit = PromptLimit::new(
        &codec,
        model_config.max_position_embeddings,
        "the model's context, max_position_embeddings",
    );
    let (origin, rows) = match &source.data {
        Some(p) => (
            p.display().to_string(),
            read_instructions_limited(p, limit.as_ref()).context("--data")?,
        ),
        None => {
            let origin = "<built-in>/assets/data/ifeval_style_train.jsonl".to_string();
            let rows = parse_instructions(Path::new(&origin), DEFAULT_DATA)?;
            (origin, rows)
        }
    };
    let (train, eval) = split(rows, source.eval_count, &origin)?;
    Ok(JobData {
        reference_model: source
            .model_fingerprint
            .is_some()
            .then(|| source.model.clone()),
        source: Some(source.clone()),
        model_config,
        init,
        lora_base,
        codec,
        tokenizer_json,
        tokenizer_config_json,
        train,
        eval,
    })
}
