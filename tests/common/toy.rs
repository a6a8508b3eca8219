//! The toy trainer setup of the trainer tests: a byte-level chat codec, a random tiny model's
//! config, and two-constraint instructions whose verdicts vary between random responses.

use std::sync::Arc;

use hir_core::constraint::registry::{build, Suite};
use hir_core::constraint::Kwargs;
use hir_core::instruct::{ChatCodec, CodecError, Instruction, InstructionConstraint, Layout};
use hir_core::model::ModelConfig;
use hir_core::train::TrainerConfig;

/// Bytes are ids 0..=255; 256 starts a turn, 257 ends one (the stop token), 258 marks the
/// assistant.
pub struct ByteCodec {
    /// The stop ids (`[257]`).
    pub stop: [u32; 1],
}

impl ByteCodec {
    /// The codec with stop id 257.
    pub fn new() -> Self {
        ByteCodec { stop: [257] }
    }
}

impl ChatCodec for ByteCodec {
    fn encode_prompt(&self, prompt: &str) -> Result<Vec<u32>, CodecError> {
        let mut ids = vec![256];
        ids.extend(prompt.bytes().map(u32::from));
        ids.extend([257, 258]);
        Ok(ids)
    }
    fn encode_response(&self, response: &str) -> Result<Vec<u32>, CodecError> {
        let mut ids: Vec<u32> = response.bytes().map(u32::from).collect();
        ids.push(257);
        Ok(ids)
    }
    fn decode(&self, ids: &[u32]) -> Result<String, CodecError> {
        let bytes: Vec<u8> = ids.iter().filter(|&&i| i < 256).map(|&i| i as u8).collect();
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
    fn stop_ids(&self) -> &[u32] {
        &self.stop
    }
}

/// A 2-layer model over [`ByteCodec`]'s 259 ids.
pub fn toy_model_config() -> ModelConfig {
    ModelConfig {
        vocab_size: 259,
        hidden_size: 16,
        intermediate_size: 24,
        num_hidden_layers: 2,
        num_attention_heads: 2,
        num_key_value_heads: 1,
        head_dim: 8,
        rope_theta: 10_000.0,
        rms_norm_eps: 1e-6,
        tie_word_embeddings: true,
        attention_bias: false,
        o_proj_bias: false,
        mlp_bias: false,
        max_position_embeddings: 512,
    }
}

/// The IFEval constraint `id` with `kwargs`.
pub fn constraint(id: &str, kwargs: serde_json::Value) -> InstructionConstraint {
    let kw: Kwargs = kwargs.as_object().cloned().unwrap_or_default();
    InstructionConstraint::new(Arc::from(build(Suite::IfEval, id, &kw, "").unwrap()))
}

/// `n` instructions "Write note number i." with no-comma and keyword "zebra". Random bytes
/// almost never contain "zebra" and usually contain no comma: most responses satisfy one
/// constraint of two, so they are eligible for replay, and verdicts vary between samples.
pub fn toy_data(n: usize) -> Vec<Instruction> {
    (0..n)
        .map(|i| Instruction {
            task: format!("Write note number {i}."),
            constraints: vec![
                constraint("punctuation:no_comma", serde_json::json!({})),
                constraint(
                    "keywords:existence",
                    serde_json::json!({"keywords": ["zebra"]}),
                ),
            ],
            layout: Layout::ALL[i % 6],
        })
        .collect()
}

/// The trainer tests' settings: 4 steps of 2 prompts × 3 samples, short responses, one
/// sequence per mini-batch.
pub fn toy_trainer_config() -> TrainerConfig {
    TrainerConfig {
        total_steps: 4,
        train_batch_size: 2,
        rollout_n: 3,
        max_prompt_length: 200,
        max_response_length: 12,
        ppo_mini_batch_size: 1,
        lr: 1e-3,
        ..TrainerConfig::default()
    }
}
