//! [`GgufVocab`]: the tokenizer a GGUF file carries, as plain data.
//!
//! The GGUF reader (`crate::gguf`) fills it from the `tokenizer.ggml.*` and
//! `tokenizer.chat_template` metadata keys; the tokenizer side turns it into a
//! `tokenizers::Tokenizer` and a chat template. Keeping it plain data keeps the two sides
//! independent (and lets tests build one by hand).

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
