//! [`JobData`]: the policy, tokenizer and instructions a training job starts from, as the
//! built-in demo world (`run::demo_job`) or a real model (`run::model_job`) provides them.

use std::path::PathBuf;

use hir_core::instruct::Instruction;
use hir_core::model::{ModelConfig, Params};

use super::source::Source;
use crate::io::tokenizer::HfChatCodec;
use crate::io::weights::HostWeights;

/// The policy, tokenizer and instructions a job trains on.
pub struct JobData {
    /// Architecture of the policy.
    pub model_config: ModelConfig,
    /// Initial weights (f32; empty when `lora_base` holds the weights).
    pub init: Params<Vec<f32>>,
    /// A LoRA run's frozen base, its 2-D weights possibly kept in a storage format
    /// (quantized blocks, f16/bf16). `None`: the weights are `init`.
    pub lora_base: Option<HostWeights>,
    /// The tokenizer (chat template included).
    pub codec: HfChatCodec,
    /// `tokenizer.json` bytes, copied into checkpoints.
    pub tokenizer_json: Vec<u8>,
    /// `tokenizer_config.json` bytes (chat template), copied into checkpoints when present.
    pub tokenizer_config_json: Option<Vec<u8>>,
    /// Training instructions.
    pub train: Vec<Instruction>,
    /// Held-out instructions.
    pub eval: Vec<Instruction>,
    /// The model file whose weights are the initial policy (real-model runs). It is then
    /// also the reference policy: the run directory keeps no copy of it, and `--resume`
    /// reads the reference from it again. `None`: the initial weights are saved as
    /// `reference.safetensors` when the run needs a reference.
    pub reference_model: Option<PathBuf>,
    /// The model and data of a real-model run, saved as the new run's `source.json` (for
    /// `--resume`); `None` for the built-in suite.
    pub source: Option<Source>,
}
