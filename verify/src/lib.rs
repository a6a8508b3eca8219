//! # hir-verify
//!
//! The instruction verifiers of **hir** (Hindsight instruction Replay), usable on their own: every
//! IFEval and IFBench instruction id, built from its official `kwargs` and checked strictly or
//! loosely with the verdicts of the official Python checkers, and the language machinery those
//! checkers lean on, reproduced so that the Rust verifiers decide exactly what the Python ones
//! decide.
//!
//! - [`constraint`]: the [`Constraint`](constraint::Constraint) trait (one atomic, checkable part
//!   of an instruction), the IFEval ([`constraint::ifeval`]) and IFBench
//!   ([`constraint::ifbench`]) verifiers, the [`registry`](constraint::registry) that builds them
//!   from an id and `kwargs`, and the official loose mode ([`constraint::check_loose`]);
//! - [`text`]: Python `str` / `re` character semantics, Punkt sentence splitting, Treebank word
//!   tokenization, NLTK stopwords, and (behind features) language detection, POS tagging,
//!   emoji and syllable counting.
//!
//! ## Example
//!
//! Verify a response against instructions given as the official JSONL files give them (an
//! instruction id and its `kwargs`):
//!
//! ```
//! use hir_verify::constraint::registry::{build, Suite};
//! use hir_verify::constraint::{check_loose, Kwargs};
//!
//! let kwargs = |json: &str| -> Kwargs { serde_json::from_str(json).unwrap() };
//! let response = "**Apples** are red, and pears are green.";
//!
//! // IFEval: `punctuation:no_comma` (no kwargs) and `keywords:existence`.
//! let no_comma = build(Suite::IfEval, "punctuation:no_comma", &kwargs("{}"), "").unwrap();
//! assert!(!no_comma.check(response));
//! let keywords = kwargs(r#"{"keywords": ["pears"]}"#);
//! let has_pears = build(Suite::IfEval, "keywords:existence", &keywords, "").unwrap();
//! assert!(has_pears.check(response));
//!
//! // IFBench: `count:word_count_range`, strict and loose (the official eight variants).
//! let range = kwargs(r#"{"min_words": 5, "max_words": 10}"#);
//! let words = build(Suite::IfBench, "count:word_count_range", &range, "").unwrap();
//! assert!(words.check(response) && check_loose(words.as_ref(), response));
//! assert_eq!(words.describe(), "The response must contain between 5 and 10 words.");
//!
//! // An id the suite does not have is an error, not a panic.
//! assert!(build(Suite::IfEval, "no:such_id", &kwargs("{}"), "").is_err());
//! ```
//!
//! ## Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `std` | yes | `std::error::Error` for the errors; langdetect's `random.gauss` calls the platform libm as CPython does (bit-identical to Python on the same platform; without `std` the pure-Rust `libm`, within one ulp) |
//! | `langdetect` | yes | [`text::langdetect`] (55 language profiles, ~1.2 MB): IFEval's `language:response_language`, `change_case:english_capital`, `change_case:english_lowercase` |
//! | `pos-tagger` | yes | [`text::pos`] (NLTK's perceptron tagger, 1.3 MB): IFBench's `words:start_verb` |
//! | `emoji` | yes | [`text::emoji`] (the emoji package's keys): IFBench's `format:emoji` |
//! | `syllables` | yes | [`text::syllables`] (syllapy's dictionary): IFBench's `words:odd_even_syllables` |
//!
//! With a language feature off, the ids that need it are left out of the id lists and the
//! registry answers them as unknown ids.
//!
//! ## Design
//!
//! **No dependency on the rest of hir.** Checking a response against IFEval/IFBench is a job of
//! its own: an evaluator, a data filter or a reward function needs it without the model, the
//! trainer, a GPU backend or a tokenizer. So this crate depends on nothing of hir, and on no
//! dependency heavier than `regex-automata`, `serde_json` and a few small `no_std` crates.
//!
//! **Where the [`Constraint`](constraint::Constraint) trait lives.** About 110 verifier types in
//! this crate implement it, and the registry hands them out as `Box<dyn Constraint>`, so the
//! trait must be visible here. `hir-core` (the model, the RL math, the hindsight rewrite and
//! replay, the trainer) depends on this crate, not the reverse, and re-exports [`constraint`]
//! and [`text`] at their old paths (`hir_core::constraint`, `hir_core::text`), so for a user of
//! hir-core the trait is still `hir_core::constraint::Constraint`. The traits that are about
//! training rather than checking (the hindsight rewrite, the dual-preference loss) stay in
//! hir-core. The other direction (the trait in hir-core and the verifiers depending on it)
//! would make every user of the verifiers build the model and the trainer.
//!
//! **`no_std` + `alloc`.** Like hir-core, the crate needs only an allocator: it builds for
//! bare-metal targets (`thumbv7em-none-eabihf`), with or without the language features. The
//! `std` feature (on by default) only adds `std::error::Error` impls and the platform libm.
#![no_std]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod constraint;
pub mod text;
