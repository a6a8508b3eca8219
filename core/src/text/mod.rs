//! The language machinery the official IFEval / IFBench checkers lean on, reproduced so that
//! the Rust verifiers decide exactly what the Python ones decide.

pub mod charclass;
#[rustfmt::skip]
mod charclass_tables;
#[cfg(feature = "emoji")]
pub mod emoji;
#[cfg(feature = "langdetect")]
pub mod langdetect;
#[cfg(feature = "pos-tagger")]
pub mod pos;
pub mod punkt;
pub mod py;
pub mod py_decimal;
pub mod pyre;
pub mod stopwords;
#[cfg(feature = "syllables")]
pub mod syllables;
pub mod treebank;
pub mod words;
