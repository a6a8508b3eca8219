//! Reading `hir replay`'s input: one JSON object per prompt group and line,
//! `{"id", "task", "layout"?, "suite"?, "constraints": [{"instruction_id", "kwargs"?, "text"?,
//! "suite"?}], "responses": [{"text", "entropy"}]}`.

use super::error::ReplayError;
use crate::io::data::jsonl::{for_each_object, objects, LineError, Loc};
use crate::io::data::parse_hir_style;
use hir_core::instruct::Instruction;
use serde_json::{Map, Value};
use std::path::Path;

/// One prompt group of the input.
#[derive(Debug, Clone)]
pub struct GroupInput {
    /// The group's `id`, echoed as given (a string or a number).
    pub id: Value,
    /// The instruction `q = (x, C)` built from `task`, `constraints` and `layout`.
    pub instruction: Instruction,
    /// The responses, in input order.
    pub responses: Vec<ResponseInput>,
    /// 1-based line number in the input file.
    pub line: usize,
}

/// One response of a group.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseInput {
    /// The response text `y`.
    pub text: String,
    /// Its mean token entropy under the behaviour policy (`F_div`).
    pub entropy: f32,
}

/// Reads every non-blank line of `path` as a prompt group.
/// The file is streamed one line at a time (regular files only, each line and the file
/// capped: see [`crate::io::input_file::JsonlLines`]).
pub fn read_groups(path: &Path) -> Result<Vec<GroupInput>, ReplayError> {
    let mut out = Vec::new();
    for_each_object(
        path,
        "replay input (--input)",
        "one prompt group per line",
        |obj, at| -> Result<(), ReplayError> {
            out.push(parse_group(&obj, &at)?);
            Ok(())
        },
    )?;
    Ok(out)
}

/// Parses the prompt groups of JSONL `text` (read from `path`, named in errors).
pub fn parse_groups(path: &Path, text: &str) -> Result<Vec<GroupInput>, ReplayError> {
    objects(path, text, "one prompt group per line")?
        .iter()
        .map(|(obj, at)| parse_group(obj, at))
        .collect()
}

/// One prompt group (a JSON object at `at`).
pub fn parse_group(obj: &Map<String, Value>, at: &Loc) -> Result<GroupInput, ReplayError> {
    let id = match obj.get("id") {
        None => return Err(at.missing("id", "a string or a number").into()),
        Some(v @ (Value::String(_) | Value::Number(_))) => v.clone(),
        Some(other) => return Err(at.wrong("id", "a string or a number", other).into()),
    };
    let instruction = parse_hir_style(obj, at)?;
    let responses = match obj.get("responses") {
        None => return Err(at.missing("responses", "a list of response objects").into()),
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(at
                .wrong("responses", "a list of response objects", other)
                .into())
        }
    };
    let responses = responses
        .iter()
        .enumerate()
        .map(|(i, r)| parse_response(r, i, at))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(GroupInput {
        id,
        instruction,
        responses,
        line: at.line,
    })
}

fn parse_response(v: &Value, i: usize, at: &Loc) -> Result<ResponseInput, LineError> {
    let field = format!("responses[{i}]");
    let obj = v
        .as_object()
        .ok_or_else(|| at.wrong(&field, "an object with `text` and `entropy`", v))?;
    let text_field = format!("{field}.text");
    let text = match obj.get("text") {
        None => return Err(at.missing(&text_field, "the response text")),
        Some(Value::String(s)) => s.clone(),
        Some(other) => return Err(at.wrong(&text_field, "a string", other)),
    };
    let entropy_field = format!("{field}.entropy");
    let expected = "a non-negative number (the mean token entropy)";
    let entropy = match obj.get("entropy") {
        None => return Err(at.missing(&entropy_field, expected)),
        Some(v @ Value::Number(n)) => match n.as_f64() {
            Some(e) if e >= 0.0 && (e as f32).is_finite() => e as f32,
            _ => return Err(at.wrong(&entropy_field, expected, v)),
        },
        Some(other) => return Err(at.wrong(&entropy_field, expected, other)),
    };
    Ok(ResponseInput { text, entropy })
}
