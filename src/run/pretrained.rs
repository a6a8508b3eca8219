//! Jobs on a real model (`hir train --model M [--data F]`): the trainer settings for a
//! pretrained policy on a CPU, the data split, and `source.json`, which lets `--resume` find
//! the data again.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use hir_core::instruct::Instruction;
use hir_core::train::TrainerConfig;
use serde::{Deserialize, Serialize};

use super::fingerprint::Fingerprint;
use super::job::JobData;
use crate::data::{parse_instructions, read_instructions_limited, PromptLimit};
use crate::model_io::write_atomic;
use crate::pretrained::Pretrained;

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

/// What `--resume` needs to rebuild a real-model job (`<run>/source.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// The model the run started from. Its weights are also the run's KL reference policy,
    /// which is therefore not copied into the run directory.
    pub model: PathBuf,
    /// Size and checksum of the model's weights when the run started (`None` in runs made
    /// before it was recorded, which keep `reference.safetensors`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_fingerprint: Option<Fingerprint>,
    /// The training data file (`None`: the built-in IFEval-style set).
    pub data: Option<PathBuf>,
    /// Held-out rows at the end of the data.
    pub eval_count: usize,
}

impl Source {
    /// Where a run keeps it.
    pub fn path(run_dir: &Path) -> PathBuf {
        run_dir.join("source.json")
    }

    /// Writes it into `run_dir` (created if needed).
    pub fn save(&self, run_dir: &Path) -> Result<()> {
        std::fs::create_dir_all(run_dir)
            .with_context(|| format!("cannot create run directory `{}`", run_dir.display()))?;
        write_atomic(
            &Self::path(run_dir),
            serde_json::to_string_pretty(self)?.as_bytes(),
        )?;
        Ok(())
    }

    /// The source of a new run on `model`: fingerprints the model's weights and keeps the
    /// model and data paths absolute.
    pub fn new(model: &Path, data: Option<PathBuf>, eval_count: usize) -> Result<Self> {
        Pretrained::ensure_exists(model)?;
        Ok(Self {
            model: absolute(model),
            model_fingerprint: Some(Fingerprint::of_model(model)?),
            data: data.as_deref().map(absolute),
            eval_count,
        })
    }

    /// On resume: checks that the model the run started from is still there and unchanged,
    /// since its weights are the run's reference policy.
    pub fn check_model_unchanged(&self, run_dir: &Path) -> Result<()> {
        let Some(want) = self.model_fingerprint else {
            return Ok(());
        };
        let hint = format!(
            "its weights are this run's KL reference policy: put the original back, or set \
             `model` in `{}` to where it is now, then resume",
            Self::path(run_dir).display()
        );
        let got = Fingerprint::of_model(&self.model).with_context(|| {
            format!(
                "the model this run started from, `{}`, cannot be read; {hint}",
                self.model.display()
            )
        })?;
        anyhow::ensure!(
            got == want,
            "the model this run started from, `{}`, has changed since (now {} bytes, CRC-32 \
             {:08x}; the run recorded {} bytes, {:08x}); {hint}",
            self.model.display(),
            got.bytes,
            got.crc32,
            want.bytes,
            want.crc32
        );
        Ok(())
    }

    /// Reads the one in `run_dir`, if the run has one (built-in runs do not).
    pub fn load(run_dir: &Path) -> Result<Option<Self>> {
        let path = Self::path(run_dir);
        if !path.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read `{}`", path.display()))?;
        Ok(Some(serde_json::from_str(&text).with_context(|| {
            format!("`{}`: not a run source file", path.display())
        })?))
    }
}

/// `path` made absolute (so that `--resume` works from any directory), or as given when that
/// fails; a missing file is reported by whoever opens it.
fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
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
/// `model_path` (on resume, the caller passes the run's checkpoint directory).
pub fn pretrained_data(model_path: &Path, source: &Source) -> Result<JobData> {
    let pre = Pretrained::load(model_path)?;
    // Rows are streamed; a prompt that cannot fit the model's context is refused from its
    // length before the trainer tokenizes it (the trainer then checks max_prompt_length).
    let limit = PromptLimit::new(
        &pre.codec,
        pre.host.config.max_position_embeddings,
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
        model_config: pre.host.config.clone(),
        init: pre.host.params,
        codec: pre.codec,
        tokenizer_json: pre.tokenizer_json,
        tokenizer_config_json: pre.tokenizer_config_json,
        train,
        eval,
    })
}
