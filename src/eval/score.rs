//! Scoring one prompt's response, strictly and loosely (the official
//! `test_instruction_following_strict` / `_loose`).

use super::error::EvalError;
use super::input::InputExample;
use hir_core::constraint::registry::{self, Suite};
use hir_core::constraint::{check_loose, ConstraintList};
use hir_core::text::py::strip;
use std::path::Path;

/// The verdicts on one prompt (the official `OutputExample`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputExample {
    /// The instruction ids, in order.
    pub instruction_id_list: Vec<String>,
    /// The prompt text.
    pub prompt: String,
    /// The response scored.
    pub response: String,
    /// Whether every instruction is followed.
    pub follow_all_instructions: bool,
    /// One verdict per instruction id.
    pub follow_instruction_list: Vec<bool>,
}

/// Which of the official two modes to score in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The response as it is (and it must not be blank).
    Strict,
    /// The official eight variants of the response; any non-blank one may pass.
    Loose,
}

/// Builds the constraints of `inp` (errors name the prompts file and line).
pub fn constraints(
    suite: Suite,
    inp: &InputExample,
    prompts_path: &Path,
) -> Result<ConstraintList, EvalError> {
    inp.instruction_id_list
        .iter()
        .zip(&inp.kwargs)
        .map(|(id, kwargs)| {
            registry::build(suite, id, kwargs, &inp.prompt).map_err(|error| {
                EvalError::Instruction {
                    path: prompts_path.to_path_buf(),
                    line: inp.line,
                    error: Box::new(error),
                }
            })
        })
        .collect()
}

/// Scores `response` against the built `constraints` of `inp` in `mode`.
pub fn score(
    inp: &InputExample,
    constraints: &ConstraintList,
    response: &str,
    mode: Mode,
) -> OutputExample {
    let follow_instruction_list: Vec<bool> = constraints
        .iter()
        .map(|c| match mode {
            Mode::Strict => !strip(response).is_empty() && c.check(response),
            Mode::Loose => check_loose(c.as_ref(), response),
        })
        .collect();
    OutputExample {
        instruction_id_list: inp.instruction_id_list.clone(),
        prompt: inp.prompt.clone(),
        response: response.to_string(),
        follow_all_instructions: follow_instruction_list.iter().all(|&b| b),
        follow_instruction_list,
    }
}
