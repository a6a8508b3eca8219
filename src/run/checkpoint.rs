//! Checkpoints: the policy as a Hugging Face directory plus what resuming needs.

use std::path::Path;

use anyhow::{bail, Context, Result};
use hir_core::model::{param_shapes, ModelConfig, Params};
use hir_core::train::TrainerState;
use serde::{Deserialize, Serialize};

use crate::model_io::{
    load_hf_dir, read_tensors, save_hf_dir, write_atomic, write_f32_safetensors, HostModel,
};

/// The scalar part of a trainer state (`trainer_state.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateFile {
    /// Steps completed.
    pub step: u64,
    /// Responses generated so far.
    pub generated_rollouts: u64,
    /// AdamW step counter.
    pub adam_step: u32,
    /// Wall seconds spent so far (over every session of the run).
    pub elapsed_seconds: f64,
}

/// Writes f32 parameters to a safetensors file under their Hugging Face names, with a prefix.
pub fn save_params(
    path: &Path,
    config: &ModelConfig,
    params: &[(&str, &Params<Vec<f32>>)],
) -> Result<()> {
    let shapes = param_shapes(config);
    let mut tensors = Vec::new();
    for (prefix, p) in params {
        for ((name, shape), data) in shapes.iter().zip(p.tensors()) {
            tensors.push((format!("{prefix}{name}"), shape.clone(), data.as_slice()));
        }
    }
    write_f32_safetensors(path, &tensors)?;
    Ok(())
}

/// Reads parameters saved by [`save_params`] under `prefix`.
pub fn load_params(path: &Path, config: &ModelConfig, prefix: &str) -> Result<Params<Vec<f32>>> {
    let mut tensors = read_tensors(path)?;
    let mut items = Vec::new();
    for (name, shape) in param_shapes(config) {
        let key = format!("{prefix}{name}");
        let t = tensors
            .remove(&key)
            .with_context(|| format!("`{}` has no tensor `{key}`", path.display()))?;
        if t.shape != shape {
            bail!(
                "`{}`: tensor `{key}` has shape {:?}, expected {:?}",
                path.display(),
                t.shape,
                shape
            );
        }
        items.push(t.data);
    }
    Params::from_ordered(config, items).with_context(|| {
        format!(
            "`{}`: parameter list does not fit the config",
            path.display()
        )
    })
}

/// Saves a checkpoint directory: HF model dir + tokenizer (`tokenizer.json`, and
/// `tokenizer_config.json` with the chat template when the model has one) + optimizer +
/// scalar state.
pub fn save_checkpoint(
    dir: &Path,
    config: &ModelConfig,
    state: &TrainerState,
    tokenizer_json: &[u8],
    tokenizer_config_json: Option<&[u8]>,
    elapsed_seconds: f64,
) -> Result<()> {
    save_hf_dir(
        dir,
        &HostModel {
            config: config.clone(),
            params: state.policy.clone(),
        },
    )?;
    write_atomic(&dir.join("tokenizer.json"), tokenizer_json)?;
    if let Some(cfg) = tokenizer_config_json {
        write_atomic(&dir.join("tokenizer_config.json"), cfg)?;
    }
    save_params(
        &dir.join("optimizer.safetensors"),
        config,
        &[("exp_avg.", &state.adam_m), ("exp_avg_sq.", &state.adam_v)],
    )?;
    let file = StateFile {
        step: state.step,
        generated_rollouts: state.generated_rollouts,
        adam_step: state.adam_step,
        elapsed_seconds,
    };
    // Written last: a checkpoint counts only once its state file names its step.
    write_atomic(
        &dir.join("trainer_state.json"),
        serde_json::to_string_pretty(&file)?.as_bytes(),
    )?;
    Ok(())
}

/// Loads a checkpoint directory written by [`save_checkpoint`]; `reference` is read by the
/// caller (it lives in the run directory).
pub fn load_checkpoint(dir: &Path) -> Result<(ModelConfig, TrainerState, StateFile)> {
    let state_path = dir.join("trainer_state.json");
    let text = std::fs::read_to_string(&state_path).with_context(|| {
        format!(
            "cannot read `{}` (is this a run's checkpoint?)",
            state_path.display()
        )
    })?;
    let file: StateFile = serde_json::from_str(&text)
        .with_context(|| format!("`{}`: not a trainer state", state_path.display()))?;
    let model = load_hf_dir(dir)?;
    let opt = dir.join("optimizer.safetensors");
    let adam_m = load_params(&opt, &model.config, "exp_avg.")?;
    let adam_v = load_params(&opt, &model.config, "exp_avg_sq.")?;
    let state = TrainerState {
        step: file.step,
        generated_rollouts: file.generated_rollouts,
        policy: model.params,
        reference: None,
        adam_m,
        adam_v,
        adam_step: file.adam_step,
    };
    Ok((model.config, state, file))
}
