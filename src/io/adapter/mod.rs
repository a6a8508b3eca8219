//! PEFT LoRA adapter directories (`adapter_config.json` + `adapter_model.safetensors`), read
//! and written in the layout `peft`'s `save_pretrained` / `PeftModel.from_pretrained` use.
//!
//! An adapter directory is untrusted input, like a model directory: both files must be
//! regular files under the usual size caps, the config is checked field by field
//! ([`config`]: anything PEFT would compute differently from hir's plain LoRA is refused,
//! naming the field), and every tensor key and shape is checked against the model and the
//! config before any data is converted ([`tensors`]). Writing produces what PEFT 0.22 writes
//! for a causal-LM LoRA, f32 tensors, each file atomically.
//!
//! ```no_run
//! # fn main() -> anyhow::Result<()> {
//! use hir::io::adapter::read_adapter;
//! let base = hir::io::model::load_host_model("base-model-dir".as_ref())?;
//! let adapter = read_adapter("my-adapter".as_ref(), &base.config)?;
//! println!("r = {}, alpha = {}", adapter.weights.config.rank, adapter.weights.config.alpha);
//! # Ok(()) }
//! ```

pub mod config;
mod error;
pub mod tensors;

pub use config::{config_json, parse_config, AdapterConfig, CONFIG_FILE};
pub use error::AdapterError;
pub use tensors::WEIGHTS_FILE;

use crate::io::input_file::{read_text, MAX_CONFIG_BYTES};
use crate::io::model::write_atomic;
use hir_core::model::{LoraWeights, ModelConfig};
use std::path::Path;

/// An adapter read from (or to be written to) a PEFT directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Adapter {
    /// Rank, alpha, targets and the tensors (f32, PEFT's key names via
    /// [`LoraWeights::named`]).
    pub weights: LoraWeights<Vec<f32>>,
    /// `base_model_name_or_path` of `adapter_config.json`, if set.
    pub base_model_name_or_path: Option<String>,
}

/// Reads the adapter in `dir` for a model of `config` (every tensor checked against it).
pub fn read_adapter(dir: &Path, config: &ModelConfig) -> Result<Adapter, AdapterError> {
    Ok(read_adapter_keyed(dir, config)?.0)
}

/// [`read_adapter`], also returning each tensor's key as `adapter_model.safetensors` spells
/// it (with or without PEFT's `.default` adapter name), in [`LoraWeights::named`] order: the
/// names `hir grad --adapter` writes the gradients under.
pub fn read_adapter_keyed(
    dir: &Path,
    config: &ModelConfig,
) -> Result<(Adapter, Vec<String>), AdapterError> {
    check_dir(dir)?;
    let config_path = dir.join(CONFIG_FILE);
    let text =
        read_text(&config_path, "adapter_config.json", MAX_CONFIG_BYTES).map_err(Box::new)?;
    let parsed = parse_config(&text, &config_path, config)?;
    let (weights, keys) = tensors::read_tensors(&dir.join(WEIGHTS_FILE), config, &parsed.lora)?;
    Ok((
        Adapter {
            weights,
            base_model_name_or_path: parsed.base_model_name_or_path,
        },
        keys,
    ))
}

/// Refuses a path that is not a directory holding both adapter files, saying what it holds
/// instead (a PyTorch pickle `adapter_model.bin`, say).
fn check_dir(dir: &Path) -> Result<(), AdapterError> {
    let err = |detail: String| AdapterError::Directory {
        dir: dir.to_path_buf(),
        detail,
    };
    if !dir.exists() {
        return Err(err(
            "does not exist (expected a PEFT adapter directory: adapter_config.json + \
             adapter_model.safetensors)"
                .into(),
        ));
    }
    if !dir.is_dir() {
        return Err(err(
            "is not a directory (expected a PEFT adapter directory: adapter_config.json + \
             adapter_model.safetensors)"
                .into(),
        ));
    }
    if !dir.join(CONFIG_FILE).exists() {
        return Err(err(format!(
            "has no {CONFIG_FILE}; an adapter directory holds {CONFIG_FILE} and {WEIGHTS_FILE} \
             (what PEFT's save_pretrained writes)"
        )));
    }
    if !dir.join(WEIGHTS_FILE).exists() {
        let hint = if dir.join("adapter_model.bin").exists() {
            " (it has adapter_model.bin, a PyTorch pickle, which hir does not read: re-save \
             the adapter with save_pretrained(..., safe_serialization=True))"
        } else {
            ""
        };
        return Err(err(format!("has no {WEIGHTS_FILE}{hint}")));
    }
    Ok(())
}

/// Writes `adapter` to `dir` (created if missing), each file atomically: the tensors in
/// f32 under PEFT's keys, then `adapter_config.json` as PEFT 0.22 writes it.
pub fn write_adapter(dir: &Path, adapter: &Adapter) -> Result<(), AdapterError> {
    std::fs::create_dir_all(dir).map_err(|source| {
        AdapterError::Model(crate::io::model::ModelIoError::Write {
            path: dir.to_path_buf(),
            source,
        })
    })?;
    tensors::write_tensors(&dir.join(WEIGHTS_FILE), dir, &adapter.weights)?;
    let text = config_json(
        &adapter.weights.config,
        adapter.base_model_name_or_path.as_deref(),
    );
    write_atomic(&dir.join(CONFIG_FILE), text.as_bytes())?;
    Ok(())
}
