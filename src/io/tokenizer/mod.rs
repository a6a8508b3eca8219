//! Tokenizers for the trainer: a [`ChatCodec`](hir_core::instruct::ChatCodec) over a Hugging
//! Face `tokenizers::Tokenizer` plus a chat template (built-in ChatML or a real model's Jinja
//! template), tokenizers built from a GGUF file's metadata or a Hugging Face directory, and the
//! byte-level BPE trainer that builds the built-in suite's `tokenizer.json`.

mod bpe_trainer;
mod chat_template;
mod codec;
mod error;
mod from_gguf;
mod hf_config;
mod jinja;

pub use bpe_trainer::{train_byte_level_bpe, SPECIAL_TOKENS};
pub use chat_template::{ChatMessage, ChatTemplate};
pub use codec::{read_tokenizer_file, HfChatCodec};
pub use error::TokenizerError;
pub use from_gguf::{tokenizer_from_gguf, tokenizer_json_from_gguf};
pub use hf_config::TokenizerConfig;
pub use jinja::JinjaTemplate;
