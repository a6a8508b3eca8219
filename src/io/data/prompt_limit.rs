//! The longest prompt text, in characters, that can fit a token limit: checked before a text
//! is tokenized, because tokenizing costs ~150 bytes of memory per byte of text (a 50 MB task
//! took 7.6 GB before its token count could be compared with the limit).

use hir_core::instruct::{prompt_char_bound, ChatCodec};

/// A cap on a prompt's characters derived from a token limit and a tokenizer (see
/// [`prompt_char_bound`]: a text with more characters needs more tokens than the limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptLimit {
    /// The most characters a prompt may have.
    pub max_chars: usize,
    /// The token limit it comes from.
    pub max_tokens: usize,
    /// What the token limit is, for messages ("the model's context, max_position_embeddings").
    pub what: String,
    /// The tokenizer's longest token, in characters.
    pub token_chars: usize,
}

impl PromptLimit {
    /// The limit for `max_tokens` tokens of `codec` (`what` names the token limit in
    /// messages), or `None` when the codec does not know its longest token.
    pub fn new(codec: &dyn ChatCodec, max_tokens: usize, what: impl Into<String>) -> Option<Self> {
        let max_chars = prompt_char_bound(codec, max_tokens)?;
        Some(Self {
            max_chars,
            max_tokens,
            what: what.into(),
            token_chars: codec.longest_token_chars().unwrap_or(1),
        })
    }

    /// `Err(message)` when `text` has more characters than the limit; `field` names the text
    /// in the message ("field `task`", "--prompt 2"). Counts without allocating.
    pub fn check(&self, field: &str, text: &str) -> Result<(), String> {
        // Bytes ≥ characters: most texts pass without counting.
        if text.len() <= self.max_chars {
            return Ok(());
        }
        let chars = text.chars().count();
        if chars <= self.max_chars {
            return Ok(());
        }
        Err(format!(
            "{field} has {chars} characters, more than {}, the most that can fit in {} tokens \
             ({}) with this tokenizer, whose longest token is {} characters; shorten the text",
            self.max_chars, self.max_tokens, self.what, self.token_chars
        ))
    }
}
