//! A Hugging Face `tokenizer.json` (and so a `tokenizers::Tokenizer`) from a GGUF file's
//! tokenizer metadata ([`GgufVocab`]).
//!
//! Only byte-level BPE (`tokenizer.ggml.model == "gpt2"`) is built. The pre-tokenizer is the one
//! of the Hugging Face `tokenizer.json` of the model family that `tokenizer.ggml.pre` names
//! (llama.cpp picks the same split regexes from that key, `llama-vocab.cpp`
//! `LLAMA_VOCAB_PRE_TYPE_*`):
//!
//! | `pre` | Hugging Face pre-tokenizer |
//! |---|---|
//! | `smollm` | `Digits(individual_digits)` then `ByteLevel` with the GPT-2 regex (SmolLM2) |
//! | `gpt-2`, `default`, absent | `ByteLevel` with the GPT-2 regex |
//! | `llama-bpe`, `llama3`, `llama-v3` | `Split(Llama 3 regex)` then `ByteLevel(use_regex=false)`, BPE `ignore_merges` |
//! | `qwen2`, `deepseek-r1-qwen` | NFC normalizer, `Split(Qwen2 regex)` then `ByteLevel(use_regex=false)` |
//!
//! For `default` and a missing `pre`, llama.cpp itself falls back to its own generic regex list
//! (and warns that generation quality is degraded); the GPT-2 split used here is what such old
//! GPT-2-style conversions were made from.

use super::TokenizerError;
use crate::io::gguf::GgufVocab;
use serde_json::{json, Map, Value};
use tokenizers::Tokenizer;

/// GGUF token types (`tokenizer.ggml.token_type`, llama.cpp's `llama_token_type`).
const TOKEN_TYPE_UNKNOWN: i32 = 2;
const TOKEN_TYPE_CONTROL: i32 = 3;
const TOKEN_TYPE_USER_DEFINED: i32 = 4;

/// The Llama 3 split regex of Meta's `tokenizer.json`.
const LLAMA3_REGEX: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// The Qwen2 split regex of Qwen's `tokenizer.json` (Llama 3's with single digits).
const QWEN2_REGEX: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// The `pre` values this module understands (for error messages).
const SUPPORTED_PRE: &str = "smollm, gpt-2, default (or absent), llama-bpe/llama3/llama-v3, \
                             qwen2/deepseek-r1-qwen";

/// The tokenizer a GGUF vocabulary describes; `origin` names the file in errors.
pub fn tokenizer_from_gguf(vocab: &GgufVocab, origin: &str) -> Result<Tokenizer, TokenizerError> {
    let json = tokenizer_json_from_gguf(vocab, origin)?;
    json.parse::<Tokenizer>()
        .map_err(|e| TokenizerError::Parse {
            origin: format!("{origin} (tokenizer built from its GGUF metadata)"),
            detail: e.to_string(),
        })
}

/// The Hugging Face `tokenizer.json` text equivalent to a GGUF vocabulary (what a checkpoint
/// directory saves next to the weights); `origin` names the file in errors.
pub fn tokenizer_json_from_gguf(vocab: &GgufVocab, origin: &str) -> Result<String, TokenizerError> {
    let err = |detail: String| TokenizerError::Gguf {
        origin: origin.into(),
        detail,
    };
    if vocab.model != "gpt2" {
        return Err(err(format!(
            "tokenizer.ggml.model `{}` is not supported yet (only `gpt2`, byte-level BPE)",
            vocab.model
        )));
    }
    if vocab.tokens.is_empty() {
        return Err(err("tokenizer.ggml.tokens is empty".into()));
    }
    if !vocab.token_types.is_empty() && vocab.token_types.len() != vocab.tokens.len() {
        return Err(err(format!(
            "tokenizer.ggml.token_type has {} entries but tokenizer.ggml.tokens has {}",
            vocab.token_types.len(),
            vocab.tokens.len()
        )));
    }
    let family = PreFamily::from_pre(vocab.pre.as_deref()).map_err(err)?;

    let mut model_vocab = Map::new();
    let mut added = Vec::new();
    for (id, token) in vocab.tokens.iter().enumerate() {
        if !model_vocab.contains_key(token) {
            model_vocab.insert(token.clone(), json!(id));
        }
        let ty = vocab.token_types.get(id).copied().unwrap_or(1);
        if matches!(
            ty,
            TOKEN_TYPE_UNKNOWN | TOKEN_TYPE_CONTROL | TOKEN_TYPE_USER_DEFINED
        ) {
            added.push(json!({
                "id": id,
                "content": token,
                "single_word": false,
                "lstrip": false,
                "rstrip": false,
                "normalized": false,
                // Control (and unknown) tokens are special; user-defined ones are plain added
                // tokens, as convert_hf_to_gguf.py derives the two from Hugging Face's flag.
                "special": ty != TOKEN_TYPE_USER_DEFINED,
            }));
        }
    }
    for (i, merge) in vocab.merges.iter().enumerate() {
        if merge.split(' ').count() != 2 {
            return Err(err(format!(
                "tokenizer.ggml.merges[{i}] = {merge:?} is not two tokens separated by one space"
            )));
        }
    }

    let post_processor = post_processor(vocab, origin)?;
    let doc = json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": added,
        "normalizer": family.normalizer(),
        "pre_tokenizer": family.pre_tokenizer(),
        "post_processor": post_processor,
        "decoder": {
            "type": "ByteLevel",
            "add_prefix_space": true,
            "trim_offsets": true,
            "use_regex": true
        },
        "model": {
            "type": "BPE",
            "dropout": null,
            "unk_token": null,
            "continuing_subword_prefix": null,
            "end_of_word_suffix": null,
            "fuse_unk": false,
            "byte_fallback": false,
            "ignore_merges": family.ignore_merges(),
            "vocab": Value::Object(model_vocab),
            "merges": vocab.merges,
        }
    });
    serde_json::to_string(&doc).map_err(|e| err(format!("cannot serialise tokenizer.json: {e}")))
}

/// The pre-tokenizer families of [`tokenizer_json_from_gguf`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PreFamily {
    /// SmolLM / SmolLM2: single digits, then the GPT-2 byte-level split.
    SmolLm,
    /// GPT-2's byte-level split.
    Gpt2,
    /// Llama 3's split regex.
    Llama3,
    /// Qwen2's split regex and NFC normalizer.
    Qwen2,
}

impl PreFamily {
    /// The family `tokenizer.ggml.pre` names; the error lists the supported values.
    fn from_pre(pre: Option<&str>) -> Result<Self, String> {
        Ok(match pre {
            Some("smollm") => Self::SmolLm,
            None | Some("gpt-2") | Some("default") => Self::Gpt2,
            Some("llama-bpe") | Some("llama3") | Some("llama-v3") => Self::Llama3,
            Some("qwen2") | Some("deepseek-r1-qwen") => Self::Qwen2,
            Some(other) => {
                return Err(format!(
                    "tokenizer.ggml.pre `{other}` is not supported (supported: {SUPPORTED_PRE})"
                ))
            }
        })
    }

    fn normalizer(self) -> Value {
        match self {
            Self::Qwen2 => json!({ "type": "NFC" }),
            _ => Value::Null,
        }
    }

    fn pre_tokenizer(self) -> Value {
        let byte_level = |trim_offsets: bool, use_regex: bool| {
            json!({
                "type": "ByteLevel",
                "add_prefix_space": false,
                "trim_offsets": trim_offsets,
                "use_regex": use_regex
            })
        };
        let split = |regex: &str| {
            json!({
                "type": "Split",
                "pattern": { "Regex": regex },
                "behavior": "Isolated",
                "invert": false
            })
        };
        match self {
            Self::SmolLm => json!({
                "type": "Sequence",
                "pretokenizers": [
                    { "type": "Digits", "individual_digits": true },
                    byte_level(true, true)
                ]
            }),
            Self::Gpt2 => byte_level(true, true),
            Self::Llama3 => json!({
                "type": "Sequence",
                "pretokenizers": [split(LLAMA3_REGEX), byte_level(true, false)]
            }),
            Self::Qwen2 => json!({
                "type": "Sequence",
                "pretokenizers": [split(QWEN2_REGEX), byte_level(false, false)]
            }),
        }
    }

    /// Llama 3 looks a whole pre-token up before merging (`ignore_merges`, in llama.cpp too).
    fn ignore_merges(self) -> bool {
        self == Self::Llama3
    }
}

/// A `TemplateProcessing` adding BOS (`add_bos_token == Some(true)`) and EOS
/// (`add_eos_token == Some(true)`), or none.
fn post_processor(vocab: &GgufVocab, origin: &str) -> Result<Value, TokenizerError> {
    let special = |flag: Option<bool>, id: Option<u32>, key: &str| -> Result<_, TokenizerError> {
        if flag != Some(true) {
            return Ok(None);
        }
        let token = id
            .and_then(|id| vocab.tokens.get(id as usize).map(|t| (id, t.clone())))
            .ok_or_else(|| TokenizerError::Gguf {
                origin: origin.into(),
                detail: format!(
                    "tokenizer.ggml.add_{key}_token is true but tokenizer.ggml.{key}_token_id \
                     is {id:?}, not a token id below {}",
                    vocab.tokens.len()
                ),
            })?;
        Ok(Some(token))
    };
    let bos = special(vocab.add_bos_token, vocab.bos_token_id, "bos")?;
    let eos = special(vocab.add_eos_token, vocab.eos_token_id, "eos")?;
    if bos.is_none() && eos.is_none() {
        return Ok(Value::Null);
    }
    let piece = |t: &(u32, String)| json!({ "SpecialToken": { "id": t.1, "type_id": 0 } });
    let seq = |name: &str| json!({ "Sequence": { "id": name, "type_id": 0 } });
    let mut single = Vec::new();
    let mut pair = Vec::new();
    let mut special_tokens = Map::new();
    for t in bos.iter().chain(eos.iter()) {
        special_tokens.insert(
            t.1.clone(),
            json!({ "id": t.1, "ids": [t.0], "tokens": [t.1] }),
        );
    }
    for name in ["A", "B"] {
        let out = if name == "A" { &mut single } else { &mut pair };
        if let Some(b) = &bos {
            out.push(piece(b));
        }
        out.push(seq(name));
        if let Some(e) = &eos {
            out.push(piece(e));
        }
    }
    let mut pair_full = single.clone();
    pair_full.extend(pair);
    Ok(json!({
        "type": "TemplateProcessing",
        "single": single,
        "pair": pair_full,
        "special_tokens": special_tokens
    }))
}
