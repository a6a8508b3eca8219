//! The built-in policy: the warm-start checkpoint committed under `assets/builtin/`, embedded
//! in the binary so that `hir train` works from any directory.
//!
//! `assets/builtin/README.md` says how it was made (`hir warmstart --out assets/builtin`) and
//! what it measured.

use crate::io::model::{host_model_from_bytes, ModelIoError};
use crate::io::tokenizer::{HfChatCodec, TokenizerError};
use hir_core::model::{ModelConfig, Params};
use std::path::Path;

/// `assets/builtin/config.json`.
pub const CONFIG_JSON: &str = include_str!("../../assets/builtin/config.json");
/// `assets/builtin/model.safetensors` (F16 weights).
pub const MODEL_SAFETENSORS: &[u8] = include_bytes!("../../assets/builtin/model.safetensors");
/// `assets/builtin/tokenizer.json`.
pub const TOKENIZER_JSON: &[u8] = include_bytes!("../../assets/builtin/tokenizer.json");

/// Why the embedded policy could not be loaded (only possible if the build embedded broken
/// files).
#[derive(Debug, thiserror::Error)]
pub enum BuiltinError {
    /// The config or weights are unusable.
    #[error("embedded built-in policy: {0}")]
    Model(#[from] ModelIoError),
    /// The tokenizer is unusable.
    #[error("embedded built-in policy: {0}")]
    Tokenizer(#[from] TokenizerError),
}

/// The embedded warm-started policy: its config, f32 weights and tokenizer (ChatML).
pub fn builtin_policy() -> Result<(ModelConfig, Params<Vec<f32>>, HfChatCodec), BuiltinError> {
    let origin = Path::new("<embedded>/assets/builtin");
    let model = host_model_from_bytes(CONFIG_JSON, MODEL_SAFETENSORS, origin)?;
    let codec =
        HfChatCodec::from_bytes(TOKENIZER_JSON, "<embedded>/assets/builtin/tokenizer.json")?;
    Ok((model.config, model.params, codec))
}
