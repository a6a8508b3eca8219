//! Errors of `hir eval`: each names the file, the line and what was expected.

use hir_core::constraint::ConstraintError;
use std::path::PathBuf;

/// Why an evaluation could not be completed.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A line is not what the format requires.
    #[error("{path}:{line}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A prompt's instruction could not be built (unknown id, missing or bad argument).
    #[error("{path}:{line}: {error}")]
    Instruction {
        /// The prompts file.
        path: PathBuf,
        /// 1-based line number of the prompt.
        line: usize,
        /// The registry's error (names the id and argument).
        error: ConstraintError,
    },
    /// A prompt has no response in the responses file.
    #[error(
        "{responses}: no response for the prompt with key {key} ({prompts}:{line}): {prompt:?}"
    )]
    MissingResponse {
        /// The responses file.
        responses: PathBuf,
        /// The prompts file.
        prompts: PathBuf,
        /// 1-based line number of the prompt.
        line: usize,
        /// The prompt's `key`, as JSON.
        key: String,
        /// The prompt text (shortened when long).
        prompt: String,
    },
    /// The prompts file holds no prompt.
    #[error("{path}: no prompts (expected one JSON object per line)")]
    Empty {
        /// The prompts file.
        path: PathBuf,
    },
}
