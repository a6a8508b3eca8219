//! The language machinery the official IFEval / IFBench checkers lean on, reproduced so that
//! the Rust verifiers decide exactly what the Python ones decide.

#[cfg(feature = "emoji")]
pub mod emoji;
#[cfg(feature = "langdetect")]
pub mod langdetect;
pub mod py;
pub mod py_decimal;
#[cfg(feature = "syllables")]
pub mod syllables;
