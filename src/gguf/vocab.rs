//! The tokenizer a GGUF file carries (`tokenizer.ggml.*`, `tokenizer.chat_template`) as a
//! [`GgufVocab`].

use super::error::GgufError;
use super::file::GgufFile;
use super::value::MetaValue;
use crate::tokenizer::GgufVocab;

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
