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
    /// The most characters of text one token of the vocabulary can stand for (the longest
    /// token), or `None` when unknown. With it, [`prompt_char_bound`] refuses a text that
    /// cannot fit a token limit before it is tokenized (tokenizing costs ~150 bytes of memory
    /// per byte of text).
    fn longest_token_chars(&self) -> Option<usize> {
        None
    }
}

/// The most characters a text may have and still fit in `max_tokens` tokens of `codec`:
/// `max_tokens × the longest token in characters` (`None` when the codec does not know its
/// longest token).
///
/// Every character of a text is covered by some token, and no token covers more characters
/// than its own length, so a text with more characters needs more than `max_tokens` tokens.
/// This holds for the tokenizers of chat models (byte-level BPE, SentencePiece with byte
/// fallback), which keep every character; a tokenizer that drops characters (whitespace
/// splitting) or merges them in a normalizer can fit more, and such a text is refused anyway
/// (it is far beyond any real prompt).
pub fn prompt_char_bound(codec: &dyn ChatCodec, max_tokens: usize) -> Option<usize> {
    codec
        .longest_token_chars()
        .map(|l| max_tokens.saturating_mul(l.max(1)))
}
