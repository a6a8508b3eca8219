//! The tokenizer a GGUF file carries (`tokenizer.ggml.*`, `tokenizer.chat_template`) as a
//! [`GgufVocab`]: plain data, which the tokenizer side (`io::tokenizer`,
//! `HfChatCodec::from_gguf_vocab`) turns into a `tokenizers::Tokenizer` and a chat template. Keeping it plain data keeps the
//! GGUF reader free of the tokenizer (and lets tests build one by hand).

use super::error::GgufError;
use super::file::GgufFile;
use super::value::MetaValue;

/// The `tokenizer.*` metadata of a GGUF file (names as in llama.cpp's `gguf.constants`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GgufVocab {
    /// `tokenizer.ggml.model`: `"gpt2"` (byte-level BPE), `"llama"` (SentencePiece), ...
    pub model: String,
    /// `tokenizer.ggml.pre`: the pre-tokenizer llama.cpp selects (`"smollm"`, `"llama-bpe"`,
    /// `"qwen2"`, ...); absent in older files.
    pub pre: Option<String>,
    /// `tokenizer.ggml.tokens`: the token strings, by id.
    pub tokens: Vec<String>,
    /// `tokenizer.ggml.token_type`: 1 normal, 2 unknown, 3 control, 4 user-defined,
    /// 5 unused, 6 byte (empty when absent).
    pub token_types: Vec<i32>,
    /// `tokenizer.ggml.merges`: BPE merges as `"left right"` (empty when absent).
    pub merges: Vec<String>,
    /// `tokenizer.ggml.scores` (SentencePiece; empty when absent).
    pub scores: Vec<f32>,
    /// `tokenizer.ggml.bos_token_id`.
    pub bos_token_id: Option<u32>,
    /// `tokenizer.ggml.eos_token_id`.
    pub eos_token_id: Option<u32>,
    /// `tokenizer.ggml.unknown_token_id`.
    pub unknown_token_id: Option<u32>,
    /// `tokenizer.ggml.padding_token_id`.
    pub padding_token_id: Option<u32>,
    /// `tokenizer.ggml.add_bos_token`.
    pub add_bos_token: Option<bool>,
    /// `tokenizer.ggml.add_eos_token`.
    pub add_eos_token: Option<bool>,
    /// `tokenizer.chat_template` (Jinja source).
    pub chat_template: Option<String>,
}

/// Reads the `tokenizer.*` metadata of `file`. `tokenizer.ggml.tokens` is required; every
/// other key is optional (absent → `None` or empty), but a key that is present with the
/// wrong type is an error naming it.
pub fn read_vocab(file: &GgufFile) -> Result<GgufVocab, GgufError> {
    let tokens = strings(file, "tokenizer.ggml.tokens")?.ok_or_else(|| GgufError::MissingKey {
        path: file.path().to_path_buf(),
        key: "tokenizer.ggml.tokens".into(),
    })?;
    let token_types = match array(file, "tokenizer.ggml.token_type")? {
        None => Vec::new(),
        Some(a) => a
            .iter()
            .map(|v| v.as_i64().and_then(|x| i32::try_from(x).ok()))
            .collect::<Option<Vec<i32>>>()
            .ok_or_else(|| {
                wrong(
                    file,
                    "tokenizer.ggml.token_type",
                    "an array of 32-bit integers",
                )
            })?,
    };
    let scores = match array(file, "tokenizer.ggml.scores")? {
        None => Vec::new(),
        Some(a) => a
            .iter()
            .map(MetaValue::as_f32)
            .collect::<Option<Vec<f32>>>()
            .ok_or_else(|| wrong(file, "tokenizer.ggml.scores", "an array of floats"))?,
    };
    Ok(GgufVocab {
        model: string(file, "tokenizer.ggml.model")?.unwrap_or_default(),
        pre: string(file, "tokenizer.ggml.pre")?,
        tokens,
        token_types,
        merges: strings(file, "tokenizer.ggml.merges")?.unwrap_or_default(),
        scores,
        bos_token_id: id(file, "tokenizer.ggml.bos_token_id")?,
        eos_token_id: id(file, "tokenizer.ggml.eos_token_id")?,
        unknown_token_id: id(file, "tokenizer.ggml.unknown_token_id")?,
        padding_token_id: id(file, "tokenizer.ggml.padding_token_id")?,
        add_bos_token: flag(file, "tokenizer.ggml.add_bos_token")?,
        add_eos_token: flag(file, "tokenizer.ggml.add_eos_token")?,
        chat_template: string(file, "tokenizer.chat_template")?,
    })
}

fn wrong(file: &GgufFile, key: &str, expected: &'static str) -> GgufError {
    match file.metadata().get(key) {
        Some(v) => file.wrong_type(key, expected, v),
        None => GgufError::MissingKey {
            path: file.path().to_path_buf(),
            key: key.into(),
        },
    }
}

fn array<'a>(file: &'a GgufFile, key: &str) -> Result<Option<&'a [MetaValue]>, GgufError> {
    match file.metadata().get(key) {
        None => Ok(None),
        Some(v) => v
            .as_array()
            .map(Some)
            .ok_or_else(|| file.wrong_type(key, "an array", v)),
    }
}

fn strings(file: &GgufFile, key: &str) -> Result<Option<Vec<String>>, GgufError> {
    match array(file, key)? {
        None => Ok(None),
        Some(a) => a
            .iter()
            .map(|v| v.as_str().map(String::from))
            .collect::<Option<Vec<String>>>()
            .map(Some)
            .ok_or_else(|| wrong(file, key, "an array of strings")),
    }
}

fn string(file: &GgufFile, key: &str) -> Result<Option<String>, GgufError> {
    file.optional(key, "a string", |v| v.as_str().map(str::to_string))
}

fn id(file: &GgufFile, key: &str) -> Result<Option<u32>, GgufError> {
    file.optional(key, "a token id (unsigned 32-bit integer)", |v| {
        v.as_u64().and_then(|x| u32::try_from(x).ok())
    })
}

fn flag(file: &GgufFile, key: &str) -> Result<Option<bool>, GgufError> {
    file.optional(key, "a bool", |v| v.as_bool())
}
