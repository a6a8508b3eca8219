//! # hir
//!
//! The std-side of hir: model, tokenizer and data files, the engines that train and evaluate
//! on them, and the command-line interface. Three layers, each importing only the ones
//! below it:
//!
//! ```text
//!   cli/                          command-line arguments and dispatch, one file per subcommand
//!    │
//!   compare/                      `hir compare`: many training jobs, paired statistics
//!    │
//!   run/  eval/  replay/          engines: training jobs and run directories, IFEval/IFBench
//!   demo_world/  plot/            scoring, hindsight replay of files, the built-in demo world
//!   backend_choice                and its warm start, SVG plots, the CPU/GPU backend choice
//!    │
//!   io/                           file formats: GGUF, safetensors and Hugging Face
//!                                 directories, tokenizers and chat templates, instruction
//!                                 files, untrusted-input reading, atomic writes
//! ```
//!
//! [`io`] imports nothing from the engines or [`cli`]; the engines import [`io`] and each
//! other, never [`cli`]; nothing imports [`cli`] (only the `hir` binary does). All of them
//! build on [`hir_core`] (re-exported as [`core`]) and the two backends.
pub use hir_core as core;

pub mod backend_choice;
pub mod cli;
pub mod compare;
pub mod demo_world;
pub mod eval;
pub mod io;
pub mod plot;
pub mod replay;
pub mod run;
pub mod stats;

/// Compiles the README's Rust examples as doc-tests, so the README stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
