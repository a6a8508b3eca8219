//! The hard world's policy: the warm-start checkpoint committed under `assets/hard/`
//! (trained on the hard training split only), embedded in the binary like
//! [`crate::demo_world::embedded_policy`] embeds the default world's.
//!
//! `assets/hard/README.md` says how it was made (`hir warmstart --world hard --output-dir
//! assets/hard`) and what it measured.

use crate::demo_world::embedded_policy::BuiltinError;
use crate::io::model::host_model_from_bytes;
use crate::io::tokenizer::HfChatCodec;
use hir_core::model::{ModelConfig, Params};
use std::path::Path;

/// `assets/hard/config.json`.
pub const CONFIG_JSON: &str = include_str!("../../../assets/hard/config.json");
/// `assets/hard/model.safetensors` (F16 weights).
pub const MODEL_SAFETENSORS: &[u8] = include_bytes!("../../../assets/hard/model.safetensors");
/// `assets/hard/tokenizer.json`.
pub const TOKENIZER_JSON: &[u8] = include_bytes!("../../../assets/hard/tokenizer.json");

/// The embedded hard-world policy: its config, f32 weights and tokenizer (ChatML).
pub fn hard_policy() -> Result<(ModelConfig, Params<Vec<f32>>, HfChatCodec), BuiltinError> {
    let origin = Path::new("<embedded>/assets/hard");
    let model = host_model_from_bytes(CONFIG_JSON, MODEL_SAFETENSORS, origin)?;
    let codec = HfChatCodec::from_bytes(TOKENIZER_JSON, "<embedded>/assets/hard/tokenizer.json")?;
    Ok((model.config, model.params, codec))
}
