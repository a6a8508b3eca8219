//! Checkpoints of a LoRA run: the adapter in PEFT's format (`adapter_config.json` +
//! `adapter_model.safetensors`, so `PeftModel.from_pretrained` and `hir ... --adapter
//! RUN/checkpoint` load it as it is), the tokenizer, the adapters' AdamW moments and the
//! scalar state — no base weights: the run reads them from its model file again, as it reads
//! its KL reference. Saved and swapped in as a whole, with the same manifest, staging and
//! recovery as a full checkpoint ([`super::checkpoint`]).

use std::path::Path;

use anyhow::{bail, Context, Result};
use hir_core::model::lora::lora_shapes;
use hir_core::model::{LoraConfig, LoraWeights, ModelConfig};
use hir_core::train::AdapterState;

use super::checkpoint::{
    finish_save, fresh_staging, read_state_file, verify, Manifest, StateFile, ADAPTER_CONFIG,
};
use crate::io::adapter::{read_adapter, write_adapter, Adapter};
use crate::io::model::{read_weights, write_atomic, write_f32_safetensors};

/// The optimizer file of a checkpoint.
const OPTIMIZER: &str = "optimizer.safetensors";

/// Whether the verified checkpoint `manifest` describes is a LoRA run's.
pub fn is_adapter_checkpoint(manifest: &Manifest) -> bool {
    manifest.files.iter().any(|f| f.name == ADAPTER_CONFIG)
}

/// What a LoRA checkpoint is saved from.
pub struct AdapterCheckpoint<'a> {
    /// The model's architecture.
    pub config: &'a ModelConfig,
    /// The run's state without the base.
    pub state: &'a AdapterState,
    /// The base model, as `adapter_config.json`'s `base_model_name_or_path`.
    pub base_model: String,
    /// `tokenizer.json` bytes.
    pub tokenizer_json: &'a [u8],
    /// `tokenizer_config.json` bytes (chat template), when the model has one.
    pub tokenizer_config_json: Option<&'a [u8]>,
    /// Wall seconds spent so far.
    pub elapsed_seconds: f64,
}

/// Saves a LoRA run's checkpoint as a whole into `dir` (see the module docs).
pub fn save_adapter_checkpoint(dir: &Path, ckpt: &AdapterCheckpoint<'_>) -> Result<()> {
    let state = ckpt.state;
    let staging = fresh_staging(dir)?;
    write_adapter(
        &staging,
        &Adapter {
            weights: state.adapter.clone(),
            base_model_name_or_path: Some(ckpt.base_model.clone()),
        },
    )?;
    write_atomic(&staging.join("tokenizer.json"), ckpt.tokenizer_json)?;
    if let Some(cfg) = ckpt.tokenizer_config_json {
        write_atomic(&staging.join("tokenizer_config.json"), cfg)?;
    }
    let shapes = lora_shapes(ckpt.config, &state.adapter.config);
    let mut tensors: Vec<(String, Vec<usize>, &[f32])> = Vec::new();
    for (prefix, moments) in [("exp_avg.", &state.adam_m), ("exp_avg_sq.", &state.adam_v)] {
        // `lora_shapes` and `tensors` follow the same order.
        for ((name, shape), t) in shapes.iter().zip(moments.tensors()) {
            tensors.push((format!("{prefix}{name}"), shape.clone(), t.as_slice()));
        }
    }
    write_f32_safetensors(&staging.join(OPTIMIZER), &tensors)?;
    let file = StateFile {
        step: state.step,
        generated_rollouts: state.generated_rollouts,
        adam_step: state.adam_step,
        elapsed_seconds: ckpt.elapsed_seconds,
    };
    finish_save(dir, &staging, &file)
}

/// Loads a LoRA checkpoint for a model of `config` (after [`verify`]ing it unless `verified`
/// is the manifest the caller's own `verify` returned).
pub fn load_adapter_checkpoint(
    dir: &Path,
    verified: Option<&Manifest>,
    config: &ModelConfig,
) -> Result<(AdapterState, StateFile)> {
    let checked;
    let manifest = match verified {
        Some(m) => m,
        None => {
            checked = verify(dir)?;
            &checked
        }
    };
    let file = read_state_file(dir, manifest)?;
    let adapter = read_adapter(dir, config)?.weights;
    let opt = dir.join(OPTIMIZER);
    let adam_m = load_moments(&opt, config, &adapter.config, "exp_avg.")?;
    let adam_v = load_moments(&opt, config, &adapter.config, "exp_avg_sq.")?;
    let state = AdapterState {
        step: file.step,
        generated_rollouts: file.generated_rollouts,
        adapter,
        adam_m,
        adam_v,
        adam_step: file.adam_step,
    };
    Ok((state, file))
}

/// The adapters' moments saved under `prefix` + PEFT key (finite f32 values of the adapter's
/// shapes; anything else is an error naming the tensor).
fn load_moments(
    path: &Path,
    config: &ModelConfig,
    lora: &LoraConfig,
    prefix: &str,
) -> Result<LoraWeights<Vec<f32>>> {
    let mut tensors = read_weights(path)?;
    let mut items = Vec::new();
    for (name, shape) in lora_shapes(config, lora) {
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
    LoraWeights::from_ordered(config, lora.clone(), items)
        .with_context(|| format!("`{}`: the moments do not fit the adapter", path.display()))
}
