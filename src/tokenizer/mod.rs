//! Tokenizers for the trainer: a [`ChatCodec`](hir_core::instruct::ChatCodec) over a Hugging
//! Face `tokenizers::Tokenizer` plus a chat template, and the byte-level BPE trainer that builds
//! the built-in suite's `tokenizer.json`.

mod chat_template;
mod codec;
mod error;
mod gguf_vocab;
mod train;

pub use chat_template::ChatTemplate;
pub use codec::HfChatCodec;
pub use error::TokenizerError;
pub use gguf_vocab::GgufVocab;
pub use train::{train_byte_level_bpe, SPECIAL_TOKENS};
