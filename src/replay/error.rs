//! Errors of `hir replay`: each names the file, the line and the field, and what was expected.

use crate::io::data::LineError;
use std::path::PathBuf;

/// Why `hir replay` could not produce its output.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The input file cannot be read (missing, not a regular file, too large, a line too
    /// long, not UTF-8).
    #[error("--input: {0}")]
    Input(#[from] crate::io::input_file::InputError),
    /// A line of the input is not a valid rollout group.
    #[error(transparent)]
    Line(#[from] LineError),
    /// A selection parameter is out of range.
    #[error("{0}")]
    Config(String),
}
