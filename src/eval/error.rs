//! Errors of `hir eval`: each names the file, the line and what was expected.

use hir_core::constraint::ConstraintError;
use std::path::PathBuf;

/// Why an evaluation could not be completed.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An input file cannot be read (missing, not a regular file, too large, a line too
    /// long, not UTF-8).
    #[error("{flag}: {source}")]
    Input {
        /// The flag the file was given with (`--input_data`, `--input_response_data`).
        flag: &'static str,
        /// What is wrong with it.
        source: crate::io::input_file::InputError,
    },
    /// A line is not what the format requires.
    #[error("{}:{line}: {message}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A prompt's instruction could not be built (unknown id, missing or bad argument).
    #[error("{}:{line}: {error}", path.display())]
    Instruction {
        /// The prompts file.
        path: PathBuf,
        /// 1-based line number of the prompt.
        line: usize,
        /// The registry's error (names the id and argument).
        error: Box<ConstraintError>,
    },
    /// A prompt has no response in the responses file.
    #[error("{0}")]
    MissingResponse(Box<MissingResponse>),
    /// The prompts file holds no prompt.
    #[error("{}: no prompts (expected one JSON object per line)", path.display())]
    Empty {
        /// The prompts file.
        path: PathBuf,
    },
}

/// The details of [`EvalError::MissingResponse`].
#[derive(Debug, thiserror::Error)]
#[error(
    "{}: no response for the prompt with key {key} ({}:{line}): {prompt:?}",
    responses.display(),
    prompts.display()
)]
pub struct MissingResponse {
    /// The responses file.
    pub responses: PathBuf,
    /// The prompts file.
    pub prompts: PathBuf,
    /// 1-based line number of the prompt.
    pub line: usize,
    /// The prompt's `key`, as JSON.
    pub key: String,
    /// The prompt text (shortened when long).
    pub prompt: String,
}
