//! [`HfChatCodec`]: a Hugging Face tokenizer plus a chat template, as a [`ChatCodec`].

use super::{
    tokenizer_from_gguf, ChatMessage, ChatTemplate, JinjaTemplate, TokenizerConfig, TokenizerError,
};
use crate::io::gguf::GgufVocab;
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
    system: Option<String>,
    /// The longest token of the vocabulary (added tokens included), in characters.
    longest_token_chars: usize,
}

impl std::fmt::Debug for HfChatCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HfChatCodec")
            .field("vocab_size", &self.vocab_size())
            .field("template", &self.template)
            .field("stop_ids", &self.stop_ids)
            .field("system", &self.system)
            .finish()
    }
}

impl HfChatCodec {
    /// Wraps a tokenizer; `origin` names it in errors.
    ///
    /// ChatML: fails if the template's special tokens are not single tokens of the vocabulary;
    /// the stop ids are `<|im_end|>` (and `<|endoftext|>` when present).
    ///
    /// Jinja: the stop ids are the turn-end token then the template's `eos_token` (when in the
    /// vocabulary). The turn-end token is found by rendering a user message and an assistant
    /// message holding a unique marker (no generation prompt) and taking the special token
    /// that directly follows the marker (`<|im_end|>` for SmolLM2); without one only the eos
    /// token ends a turn, and with neither this fails.
    pub fn new(
        tokenizer: Tokenizer,
        template: ChatTemplate,
        origin: &str,
    ) -> Result<Self, TokenizerError> {
        let stop_ids = match &template {
            ChatTemplate::ChatMl => chatml_stop_ids(&tokenizer, &template, origin)?,
            ChatTemplate::Jinja(jinja) => jinja_stop_ids(&tokenizer, jinja, origin)?,
        };
        // A token's vocabulary string is at least as long as the text it covers: byte-level
        // BPE spells each byte as one character, SentencePiece spells a space as `▁`, byte
        // fallback tokens are `<0xNN>`.
        let longest_token_chars = tokenizer
            .get_vocab(true)
            .keys()
            .map(|t| t.chars().count())
            .max()
            .unwrap_or(1);
        Ok(Self {
            tokenizer,
            template,
            stop_ids,
            system: None,
            longest_token_chars,
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
        let bytes = read_tokenizer_file(path)?;
        Self::from_bytes(&bytes, &path.display().to_string())
    }

    /// The tokenizer and chat template of a GGUF file's metadata (`origin` names the file):
    /// the byte-level BPE of [`tokenizer_from_gguf`] and `tokenizer.chat_template`, rendered
    /// with the `bos_token`/`eos_token` strings of `tokenizer.ggml.bos_token_id`/`eos_token_id`.
    /// Without a chat template, ChatML is used when the vocabulary has its tokens.
    pub fn from_gguf_vocab(vocab: &GgufVocab, origin: &str) -> Result<Self, TokenizerError> {
        let tokenizer = tokenizer_from_gguf(vocab, origin)?;
        let token = |id: Option<u32>| {
            id.and_then(|id| vocab.tokens.get(id as usize).cloned())
                .unwrap_or_default()
        };
        let template = match &vocab.chat_template {
            Some(source) => ChatTemplate::Jinja(JinjaTemplate::new(
                source,
                &format!("{origin}: tokenizer.chat_template"),
                &token(vocab.bos_token_id),
                &token(vocab.eos_token_id),
            )?),
            None => chatml_fallback(&tokenizer, origin)?,
        };
        Self::new(tokenizer, template, origin)
    }

    /// A Hugging Face tokenizer directory: `tokenizer.json`, plus the chat template and
    /// bos/eos strings of `tokenizer_config.json` / `chat_template.jinja` (see
    /// [`TokenizerConfig`]). Without a chat template, ChatML is used when the vocabulary has
    /// its tokens.
    pub fn from_hf_dir(dir: &Path) -> Result<Self, TokenizerError> {
        let path = dir.join("tokenizer.json");
        let bytes = read_tokenizer_file(&path)?;
        let origin = path.display().to_string();
        let tokenizer = Tokenizer::from_bytes(&bytes).map_err(|e| TokenizerError::Parse {
            origin: origin.clone(),
            detail: e.to_string(),
        })?;
        let config = TokenizerConfig::from_dir(dir)?;
        let template = match &config.chat_template {
            Some(source) => ChatTemplate::Jinja(JinjaTemplate::new(
                source,
                &config.chat_template_origin,
                config.bos_token.as_deref().unwrap_or(""),
                config.eos_token.as_deref().unwrap_or(""),
            )?),
            None => chatml_fallback(&tokenizer, &dir.display().to_string())?,
        };
        Self::new(tokenizer, template, &origin)
    }

    /// The same codec with a system message before every prompt (`None`: the template's own
    /// default, e.g. SmolLM2's "You are a helpful AI assistant named SmolLM, ...").
    pub fn with_system(mut self, system: Option<String>) -> Self {
        self.system = system;
        self
    }

    /// The system message [`encode_prompt`](ChatCodec::encode_prompt) puts first, if any.
    pub fn system(&self) -> Option<&str> {
        self.system.as_deref()
    }

    /// The text the model continues for `user` after an optional `system` message (chat
    /// template applied, generation prompt added), e.g. for printing.
    pub fn render_chat(&self, system: Option<&str>, user: &str) -> Result<String, TokenizerError> {
        self.template.render_user(system, user)
    }

    /// The texts of `tokenizer.json` and `tokenizer_config.json` (the Jinja template and its
    /// bos/eos strings; none for ChatML, which [`from_hf_dir`](Self::from_hf_dir) falls back
    /// on) that describe this codec: a directory holding them loads back, through
    /// `from_hf_dir`, to the same codec (without the system message).
    pub fn hf_files(&self) -> Result<(String, String), TokenizerError> {
        let json = self
            .tokenizer
            .to_string(false)
            .map_err(|e| TokenizerError::Parse {
                origin: "tokenizer.json".into(),
                detail: format!("cannot serialise the tokenizer: {e}"),
            })?;
        let config = match &self.template {
            ChatTemplate::ChatMl => TokenizerConfig::default(),
            ChatTemplate::Jinja(t) => TokenizerConfig {
                chat_template: Some(t.source().into()),
                chat_template_origin: String::new(),
                bos_token: Some(t.bos_token().into()).filter(|s: &String| !s.is_empty()),
                eos_token: Some(t.eos_token().into()).filter(|s: &String| !s.is_empty()),
            },
        };
        Ok((json, config.to_json()))
    }

    /// Writes [`hf_files`](Self::hf_files) into `dir` as `tokenizer.json` and
    /// `tokenizer_config.json`.
    pub fn write_hf_dir(&self, dir: &Path) -> Result<(), TokenizerError> {
        let write = |name: &str, text: &str| {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|source| TokenizerError::Write { path, source })
        };
        let (json, config) = self.hf_files()?;
        write("tokenizer.json", &json)?;
        write("tokenizer_config.json", &config)
    }

    /// The underlying tokenizer.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// The chat template.
    pub fn template(&self) -> &ChatTemplate {
        &self.template
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

/// ChatML when the vocabulary has `<|im_start|>` and `<|im_end|>`, else an error saying the
/// model has no chat template.
fn chatml_fallback(tokenizer: &Tokenizer, origin: &str) -> Result<ChatTemplate, TokenizerError> {
    let template = ChatTemplate::ChatMl;
    if template
        .special_tokens()
        .iter()
        .all(|t| tokenizer.token_to_id(t).is_some())
    {
        Ok(template)
    } else {
        Err(TokenizerError::Template {
            origin: origin.into(),
            detail: "the model has no chat template, and its vocabulary lacks the ChatML tokens \
                     <|im_start|>/<|im_end|> to fall back on"
                .into(),
        })
    }
}

/// The stop ids of the built-in ChatML template (its first stop token must be present).
fn chatml_stop_ids(
    tokenizer: &Tokenizer,
    template: &ChatTemplate,
    origin: &str,
) -> Result<Vec<u32>, TokenizerError> {
    for &token in template.special_tokens() {
        if tokenizer.token_to_id(token).is_none() {
            return Err(TokenizerError::MissingToken {
                origin: origin.into(),
                template: template.name().into(),
                token: token.into(),
            });
        }
    }
    let first = template.stop_tokens()[0];
    if tokenizer.token_to_id(first).is_none() {
        return Err(TokenizerError::MissingToken {
            origin: origin.into(),
            template: template.name().into(),
            token: first.into(),
        });
    }
    Ok(template
        .stop_tokens()
        .iter()
        .filter_map(|t| tokenizer.token_to_id(t))
        .collect())
}

/// A text no chat template or vocabulary treats specially, to find what follows a message.
const MARKER: &str = "hirTurnEndMarker7q";

/// The stop ids of a Jinja template: the special token right after an assistant message,
/// then the eos token (see [`HfChatCodec::new`]).
fn jinja_stop_ids(
    tokenizer: &Tokenizer,
    template: &JinjaTemplate,
    origin: &str,
) -> Result<Vec<u32>, TokenizerError> {
    let text = template.render(
        &[
            ChatMessage::new("user", "U"),
            ChatMessage::new("assistant", MARKER),
        ],
        false,
    )?;
    let mut stop_ids = Vec::new();
    if let Some(pos) = text.find(MARKER) {
        let after = &text[pos + MARKER.len()..];
        let enc = tokenizer
            .encode(after, false)
            .map_err(|e| TokenizerError::Parse {
                origin: origin.into(),
                detail: format!("cannot encode the text after an assistant message: {e}"),
            })?;
        let specials = tokenizer.get_added_tokens_decoder();
        if let Some(&id) = enc.get_ids().first() {
            if specials.get(&id).is_some_and(|t| t.special) {
                stop_ids.push(id);
            }
        }
    }
    let eos = template.eos_token();
    if let Some(id) = (!eos.is_empty())
        .then(|| tokenizer.token_to_id(eos))
        .flatten()
    {
        if !stop_ids.contains(&id) {
            stop_ids.push(id);
        }
    }
    if stop_ids.is_empty() {
        return Err(TokenizerError::Template {
            origin: template.origin().into(),
            detail: format!(
                "cannot tell which token ends an assistant turn: no special token follows an \
                 assistant message and the eos token {eos:?} is not in the vocabulary of `{origin}`"
            ),
        });
    }
    Ok(stop_ids)
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
        let text = self
            .template
            .render_user(self.system.as_deref(), prompt)
            .map_err(|e| CodecError(e.to_string()))?;
        self.encode_text(&text)
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

    fn longest_token_chars(&self) -> Option<usize> {
        Some(self.longest_token_chars)
    }
}

/// Reads a tokenizer file through the bounded input reader: a regular file (never a device
/// or FIFO) of at most [`crate::io::input_file::MAX_TOKENIZER_BYTES`].
pub fn read_tokenizer_file(path: &Path) -> Result<Vec<u8>, TokenizerError> {
    crate::io::input_file::read_bytes(
        path,
        "a tokenizer file",
        crate::io::input_file::MAX_TOKENIZER_BYTES,
    )
    .map_err(|e| TokenizerError::Input(Box::new(e)))
}
