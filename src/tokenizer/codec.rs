//! [`HfChatCodec`]: a Hugging Face tokenizer plus a chat template, as a [`ChatCodec`].

use super::{ChatTemplate, TokenizerError};
use hir_core::instruct::{ChatCodec, CodecError};
use std::path::Path;
use tokenizers::Tokenizer;

/// A `tokenizers::Tokenizer` with a [`ChatTemplate`]: encodes chat prompts and responses,
/// decodes generated ids.
#[derive(Clone)]
pub struct HfChatCodec {
    tokenizer: Tokenizer,
    template: ChatTemplate,
    stop_ids: Vec<u32>,
}

impl std::fmt::Debug for HfChatCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HfChatCodec")
            .field("vocab_size", &self.vocab_size())
            .field("template", &self.template)
            .field("stop_ids", &self.stop_ids)
            .finish()
    }
}

impl HfChatCodec {
    /// Wraps a tokenizer; `origin` names it in errors. Fails if the template's special tokens
    /// are not single tokens of the vocabulary.
    pub fn new(
        tokenizer: Tokenizer,
        template: ChatTemplate,
        origin: &str,
    ) -> Result<Self, TokenizerError> {
        for &token in template.special_tokens() {
            if tokenizer.token_to_id(token).is_none() {
                return Err(TokenizerError::MissingToken {
                    origin: origin.into(),
                    template: template.name(),
                    token,
                });
            }
        }
        let stop_ids: Vec<u32> = template
            .stop_tokens()
            .iter()
            .filter_map(|t| tokenizer.token_to_id(t))
            .collect();
        let first = template.stop_tokens()[0];
        if tokenizer.token_to_id(first).is_none() {
            return Err(TokenizerError::MissingToken {
                origin: origin.into(),
                template: template.name(),
                token: first,
            });
        }
        Ok(Self {
            tokenizer,
            template,
            stop_ids,
        })
    }

    /// Parses `tokenizer.json` bytes (ChatML template); `origin` names them in errors.
    pub fn from_bytes(bytes: &[u8], origin: &str) -> Result<Self, TokenizerError> {
        let tokenizer = Tokenizer::from_bytes(bytes).map_err(|e| TokenizerError::Parse {
            origin: origin.into(),
            detail: e.to_string(),
        })?;
        Self::new(tokenizer, ChatTemplate::ChatMl, origin)
    }

    /// Reads a `tokenizer.json` file (ChatML template).
    pub fn from_file(path: &Path) -> Result<Self, TokenizerError> {
        let bytes = std::fs::read(path).map_err(|source| TokenizerError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes(&bytes, &path.display().to_string())
    }

    /// The underlying tokenizer.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// The chat template.
    pub fn template(&self) -> ChatTemplate {
        self.template
    }

    /// Vocabulary size including added (special) tokens.
    pub fn vocab_size(&self) -> usize {
        self.tokenizer.get_vocab_size(true)
    }

    /// Ids of `text` as plain text (special-token strings in it are recognised as specials,
    /// as Hugging Face tokenizers do).
    pub fn encode_text(&self, text: &str) -> Result<Vec<u32>, CodecError> {
        let enc = self
            .tokenizer
            .encode(text, false)
            .map_err(|e| CodecError(format!("cannot encode {:?}: {e}", short(text))))?;
        Ok(enc.get_ids().to_vec())
    }

    /// The text of `ids`, special tokens included, with no clean-up (so
    /// `decode_all(encode_text(x)) == x`).
    pub fn decode_all(&self, ids: &[u32]) -> Result<String, CodecError> {
        self.tokenizer
            .decode(ids, false)
            .map_err(|e| CodecError(format!("cannot decode {} ids: {e}", ids.len())))
    }
}

/// The start of `s`, for error messages.
fn short(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

impl ChatCodec for HfChatCodec {
    fn encode_prompt(&self, prompt: &str) -> Result<Vec<u32>, CodecError> {
        self.encode_text(&self.template.render_user(prompt))
    }

    fn encode_response(&self, response: &str) -> Result<Vec<u32>, CodecError> {
        let mut ids = self.encode_text(response)?;
        ids.push(self.stop_ids[0]);
        Ok(ids)
    }

    /// Decodes `ids` up to (not including) the first stop id.
    fn decode(&self, ids: &[u32]) -> Result<String, CodecError> {
        let end = ids
            .iter()
            .position(|id| self.stop_ids.contains(id))
            .unwrap_or(ids.len());
        self.decode_all(&ids[..end])
    }

    fn stop_ids(&self) -> &[u32] {
        &self.stop_ids
    }
}
