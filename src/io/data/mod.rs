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
pub mod prompt_limit;

pub use instruction::{parse_hir_style, parse_ifeval_style, parse_instruction};
pub use jsonl::{LineError, Loc};
pub use prompt_limit::PromptLimit;

use crate::io::input_file::InputError;
use hir_core::instruct::Instruction;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Why a training-data file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be read (missing, not a regular file, too large, a line too long,
    /// not UTF-8).
    #[error(transparent)]
    Input(#[from] InputError),
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

/// Reads every non-blank line of `path` as an instruction (HIR style or IFEval format),
/// streaming the file one line at a time (regular files only, each line and the file capped:
/// see [`crate::io::input_file::JsonlLines`]).
pub fn read_instructions(path: &Path) -> Result<Vec<Instruction>, DataError> {
    read_instructions_limited(path, None)
}

/// [`read_instructions`]; with `limit`, a row whose prompt text cannot fit it is refused
/// before anything tokenizes it, naming the line and the field.
pub fn read_instructions_limited(
    path: &Path,
    limit: Option<&PromptLimit>,
) -> Result<Vec<Instruction>, DataError> {
    let mut out = Vec::new();
    jsonl::for_each_object(
        path,
        "training data",
        "one instruction per line",
        |obj, at| -> Result<(), DataError> {
            out.push(parse_limited(&obj, &at, limit)?);
            Ok(())
        },
    )?;
    if out.is_empty() {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(out)
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

/// [`parse_instruction`], refusing a prompt text longer than `limit`: the row's own text field
/// (`task` or `prompt`) first, then the whole rendered prompt (task and constraint texts).
pub fn parse_limited(
    obj: &Map<String, Value>,
    at: &Loc,
    limit: Option<&PromptLimit>,
) -> Result<Instruction, LineError> {
    if let Some(limit) = limit {
        for field in ["task", "prompt"] {
            if let Some(Value::String(s)) = obj.get(field) {
                limit
                    .check(&format!("field `{field}`"), s)
                    .map_err(|m| at.err(m))?;
            }
        }
    }
    let instruction = parse_instruction(obj, at)?;
    if let Some(limit) = limit {
        limit
            .check(
                "the prompt (field `task` with the constraint texts)",
                &instruction.render(),
            )
            .map_err(|m| at.err(m))?;
    }
    Ok(instruction)
}
