//! The language machinery the official IFEval / IFBench checkers lean on, reproduced so that
//! the Rust verifiers decide exactly what the Python ones decide.
//!
//! The character classes are layered one way: `ranges` (table lookup) is a leaf, [`python`]
//! (Python's `str` / `re`) builds on it, and [`rx`] (the `regex` engine NLTK uses) builds on it
//! and is documented and tested against [`python`].

#[cfg(feature = "emoji")]
pub mod emoji;
#[cfg(feature = "langdetect")]
pub mod langdetect;
#[cfg(feature = "pos-tagger")]
pub mod pos;
pub mod punkt;
pub mod python;
mod ranges;
pub mod rx;
pub mod stopwords;
#[cfg(feature = "syllables")]
pub mod syllables;
pub mod treebank;
pub mod words;
