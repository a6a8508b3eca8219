//! # hir
//!
//! The std-side of hir: model and tokenizer IO, datasets, run directories, and the CLI glue.
pub use hir_core as core;

pub mod cli;
pub mod data;
pub mod eval;
pub mod gguf;
pub mod input_file;
pub mod model_io;
pub mod plot;
pub mod pretrained;
pub mod replay;
pub mod run;
pub mod suite;
pub mod tokenizer;

/// Compiles the README's Rust examples as doc-tests, so the README stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
