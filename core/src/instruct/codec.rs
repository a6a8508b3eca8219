//! The text ↔ token boundary a trainer needs: chat-templated prompts, responses, stop tokens.
//!
//! `hir-core` has no tokenizer of its own (tokenizers are std-only crates); the `hir` crate
//! implements [`ChatCodec`] for `tokenizers::Tokenizer` plus a chat template, and a user can
//! implement it for any other tokenizer.

use alloc::string::String;
use alloc::vec::Vec;

/// A tokenizer failure (the message names what could not be encoded or decoded).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tokenizer: {0}")]
pub struct CodecError(pub String);

/// Turns prompts into model input and generated ids back into text.
pub trait ChatCodec {
    /// The ids the model sees for a user prompt: chat template applied to one user message,
    /// generation prompt added (the response follows directly).
    fn encode_prompt(&self, prompt: &str) -> Result<Vec<u32>, CodecError>;
    /// The ids of a response text as the model would generate it, followed by the first stop
    /// token (used for supervised warm starts and tests).
    fn encode_response(&self, response: &str) -> Result<Vec<u32>, CodecError>;
    /// The text of generated response ids (without the stop token).
    fn decode(&self, ids: &[u32]) -> Result<String, CodecError>;
    /// Token ids that end a response (end of turn / end of text); never empty.
    fn stop_ids(&self) -> &[u32];
}
