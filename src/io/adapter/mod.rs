//! PEFT LoRA adapter directories (`adapter_config.json` + `adapter_model.safetensors`), read
//! and written in the layout `peft`'s `save_pretrained` / `PeftModel.from_pretrained` use.
//!
//! STUB: the interface is fixed; the bodies are being written.

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

/// Why an adapter directory cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    /// Anything, for now.
    #[error("{0}")]
    Other(String),
}

/// Reads the adapter in `dir` for a model of `config` (every tensor checked against it).
pub fn read_adapter(dir: &Path, config: &ModelConfig) -> Result<Adapter, AdapterError> {
    let _ = (dir, config);
    todo!("read_adapter")
}

/// Writes `adapter` to `dir` (created if missing), each file atomically.
pub fn write_adapter(dir: &Path, adapter: &Adapter) -> Result<(), AdapterError> {
    let _ = (dir, adapter);
    todo!("write_adapter")
}
