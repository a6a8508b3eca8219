//! The language machinery the official IFEval / IFBench checkers lean on, reproduced so that
//! the Rust verifiers decide exactly what the Python ones decide.

pub mod charclass;
mod charclass_tables;
#[cfg(feature = "emoji")]
pub mod emoji;
#[cfg(feature = "langdetect")]
pub mod langdetect;
pub mod punkt;
pub mod py;
pub mod py_decimal;
#[cfg(feature = "syllables")]
pub mod syllables;
pub mod treebank;
pub mod words;
