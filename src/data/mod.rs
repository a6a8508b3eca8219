//! Training data: JSONL files of instructions, one per line, in HIR style or IFEval format
//! (see [`instruction`] for both), and the project's own generated training prompts
//! ([`generated`]).
//!
//! ```text
//! {"task": "Write a short story about a lighthouse keeper.", "layout": 3,
//!  "constraints": [{"instruction_id": "length_constraints:number_words",
//!                   "kwargs": {"relation": "less than", "num_words": 120}},
//!                  {"instruction_id": "change_case:english_lowercase"}]}
//! {"prompt": "Write a haiku about rain. Do not use any commas.",
//!  "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}
//! ```

pub mod generated;
pub mod instruction;
pub mod jsonl;

pub use instruction::{parse_hir_style, parse_ifeval_style, parse_instruction};
pub use jsonl::{LineError, Loc};

use hir_core::instruct::Instruction;
use std::path::{Path, PathBuf};

/// Why a training-data file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be read.
    #[error("cannot read training data `{}`: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A line is not a valid instruction.
    #[error(transparent)]
    Line(#[from] LineError),
    /// The file holds no instruction.
    #[error("training data `{}` holds no instruction (expected one JSON object per line)", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
}

/// Reads every non-blank line of `path` as an instruction (HIR style or IFEval format).
pub fn read_instructions(path: &Path) -> Result<Vec<Instruction>, DataError> {
    let text = std::fs::read_to_string(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_instructions(path, &text)
}

/// Parses JSONL `text` (read from `path`, named in errors) as instructions.
pub fn parse_instructions(path: &Path, text: &str) -> Result<Vec<Instruction>, DataError> {
    let rows = jsonl::objects(path, text, "one instruction per line")?;
    if rows.is_empty() {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(rows
        .iter()
        .map(|(obj, at)| parse_instruction(obj, at))
        .collect::<Result<Vec<_>, _>>()?)
}
