//! # hir-core
//!
//! The backend-agnostic heart of **hir** (Hindsight instruction Replay). It is `#![no_std]` with
//! `alloc` (the `std` feature, on by default, only adds `std::error::Error` impls and the like),
//! so the verifiers, the replay logic and the RL math can be embedded anywhere.
//!
//! What lives here:
//! - [`backend`]: the [`backend::Backend`] trait, the seam every compute backend implements;
//! - [`model`]: the Llama-family decoder (config with Hugging Face names, parameters, forward,
//!   backward written out layer by layer, KV-cache inference);
//! - [`optim`]: AdamW and global grad-norm clipping;
//! - [`rl`]: KL estimators, the PPO-clip token loss, advantages, loss aggregation (pure math);
//! - [`objective`]: the policy objectives over a batch (PPO-clip, pairwise dual preference),
//!   computed through the backend;
//! - [`train`]: the HiR trainer (rollout, verify, select + rewrite + replay, advantages, update);
//! - [`instruct`]: instructions (task + constraints), the prompt layouts, the tokenizer seam;
//! - [`hindsight`]: verification, selection, the hindsight rewrite and the replay plan of a step;
//! - [`rng`]: portable counter-based random numbers, identical on every backend.
//!
//! Re-exported from the **hir-verify** crate, at the paths they have always had here:
//! - [`constraint`]: the `Constraint` trait, the IFEval/IFBench verifiers and their registry;
//! - [`text`]: the language machinery the official checkers rely on (Punkt sentence
//!   splitting, Treebank word tokenization, language detection, POS tagging, syllables).
//!
//! The verifiers are a crate of their own so that checking responses needs neither the model
//! nor the trainer (see hir-verify's crate docs); hir-core depends on hir-verify, never the
//! reverse. Its `std` and language-tool features (`pos-tagger`, `langdetect`, `emoji`,
//! `syllables`) switch on the same-named features of hir-verify.
#![no_std]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod backend;
pub mod hindsight;
pub mod instruct;
pub mod model;
pub mod objective;
pub mod optim;
pub mod rl;
pub mod rng;
pub mod train;

pub use hir_verify::{constraint, text};
