//! The IO layer: model, tokenizer and data files, read and written, and nothing else.
//!
//! Every model, tokenizer and data file format hir reads or writes is here, and this layer
//! imports nothing from the engines (`run`, `eval`, `replay`, `demo_world`, `plot`) or the
//! CLI (`cli`), not even in a doc link:
//!
//! - [`input_file`]: opening untrusted inputs (regular files only, size caps, stdin `-`) and
//!   mapping large model files;
//! - [`host_model`]: [`HostModel`](host_model::HostModel), the in-memory model every model
//!   reader produces;
//! - [`gguf`]: llama.cpp's GGUF files (read, dequantized), the Llama-family model and the
//!   tokenizer they carry;
//! - [`model`]: safetensors files, Hugging Face model directories, loading either kind of
//!   model path, and the atomic file writer;
//! - [`tokenizer`]: Hugging Face tokenizers, tokenizers built from GGUF metadata, chat
//!   templates (ChatML, Jinja) and the byte-level BPE trainer;
//! - [`pretrained`]: a model as the user names it (a GGUF file or a Hugging Face directory)
//!   with its tokenizer and chat template;
//! - [`adapter`]: PEFT LoRA adapter directories (`adapter_config.json` +
//!   `adapter_model.safetensors`), read and written;
//! - [`data`]: instruction files (JSONL in hir, IFEval or verl style) and generated data sets;
//! - [`fingerprint`]: the size and CRC-32 of a model's weight files.
//!
//! Inside the layer, [`gguf`] and [`model`] meet only in [`host_model`]: [`model`] loads a
//! GGUF file through [`gguf`], never the other way round, and [`tokenizer`] reads a GGUF
//! file's [`GgufVocab`](gguf::GgufVocab) without the GGUF reader knowing tokenizers.

pub mod adapter;
pub mod data;
pub mod fingerprint;
pub mod gguf;
pub mod host_model;
pub mod input_file;
pub mod model;
pub mod pretrained;
pub mod tokenizer;
pub mod weights;
