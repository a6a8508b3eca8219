//! The language machinery the official IFEval / IFBench checkers lean on, reproduced so that
//! the Rust verifiers decide exactly what the Python ones decide.

pub mod charclass;
mod charclass_tables;
pub mod punkt;
pub mod py;
pub mod pyre;
pub mod treebank;
pub mod words;
