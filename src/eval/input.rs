//! Reading the official JSONL inputs: prompts (`input_data`) and responses
//! (`input_response_data`).

use super::error::EvalError;
use crate::io::input_file::JsonlLines;
use hir_core::constraint::Kwargs;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::Path;

/// One prompt of the benchmark (the official `InputExample`).
#[derive(Debug, Clone, PartialEq)]
pub struct InputExample {
    /// The prompt's `key` (an integer in IFEval, a string in IFBench), as found.
    pub key: Value,
    /// The instruction ids, in order.
    pub instruction_id_list: Vec<String>,
    /// The prompt text.
    pub prompt: String,
    /// One kwargs map per instruction id.
    pub kwargs: Vec<Kwargs>,
    /// 1-based line number in the prompts file.
    pub line: usize,
}

/// Streams the JSON objects of the non-blank lines of `path` into `f` with their 1-based
/// line numbers, one line in memory at a time (regular files only, each line and the file
/// capped: see [`JsonlLines`]).
fn for_each_object(
    path: &Path,
    flag: &'static str,
    mut f: impl FnMut(usize, Map<String, Value>) -> Result<(), EvalError>,
) -> Result<(), EvalError> {
    let input = |source| EvalError::Input { flag, source };
    for line in JsonlLines::open(path, flag).map_err(input)? {
        let (line, raw) = line.map_err(input)?;
        if let Some(obj) = parse_object(path, line, &raw)? {
            f(line, obj)?;
        }
    }
    Ok(())
}

/// One line as a JSON object (`None` when blank).
fn parse_object(
    path: &Path,
    line: usize,
    raw: &str,
) -> Result<Option<Map<String, Value>>, EvalError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let malformed = |message: String| EvalError::Malformed {
        path: path.to_path_buf(),
        line,
        message,
    };
    match serde_json::from_str::<Value>(raw) {
        Ok(Value::Object(obj)) => Ok(Some(obj)),
        Ok(other) => {
            let kind = kind_of(&other);
            Err(malformed(format!("expected a JSON object, found {kind}")))
        }
        Err(e) => Err(malformed(format!("expected a JSON object: {e}"))),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn field<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
    path: &Path,
    line: usize,
) -> Result<&'a Value, EvalError> {
    obj.get(name).ok_or_else(|| EvalError::Malformed {
        path: path.to_path_buf(),
        line,
        message: format!("missing field `{name}`"),
    })
}

fn wrong(path: &Path, line: usize, name: &str, expected: &str, found: &Value) -> EvalError {
    EvalError::Malformed {
        path: path.to_path_buf(),
        line,
        message: format!(
            "field `{name}` should be {expected}, found {}",
            kind_of(found)
        ),
    }
}

fn string_field(
    obj: &Map<String, Value>,
    name: &str,
    path: &Path,
    line: usize,
) -> Result<String, EvalError> {
    match field(obj, name, path, line)? {
        Value::String(s) => Ok(s.clone()),
        other => Err(wrong(path, line, name, "a string", other)),
    }
}

/// Reads the prompts file (`key`, `prompt`, `instruction_id_list`, `kwargs` per line),
/// streaming it one line at a time.
pub fn read_prompt_list(path: &Path) -> Result<Vec<InputExample>, EvalError> {
    let mut out = Vec::new();
    for_each_object(path, "--input_data", |line, obj| {
        out.push(prompt_example(&obj, path, line)?);
        Ok(())
    })?;
    if out.is_empty() {
        return Err(EvalError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(out)
}

/// One line of a prompts file (`raw`, line `line` of `path`), or `None` when blank.
pub fn parse_prompt_line(
    path: &Path,
    line: usize,
    raw: &str,
) -> Result<Option<InputExample>, EvalError> {
    parse_object(path, line, raw)?
        .map(|obj| prompt_example(&obj, path, line))
        .transpose()
}

fn prompt_example(
    obj: &Map<String, Value>,
    path: &Path,
    line: usize,
) -> Result<InputExample, EvalError> {
    let key = field(obj, "key", path, line)?.clone();
    if !(key.is_i64() || key.is_u64() || key.is_string()) {
        return Err(wrong(path, line, "key", "an integer or a string", &key));
    }
    let prompt = string_field(obj, "prompt", path, line)?;
    let ids_value = field(obj, "instruction_id_list", path, line)?;
    let ids: Vec<String> = ids_value
        .as_array()
        .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect())
        .ok_or_else(|| {
            wrong(
                path,
                line,
                "instruction_id_list",
                "a list of strings",
                ids_value,
            )
        })?;
    let kwargs_value = field(obj, "kwargs", path, line)?;
    let kwargs: Vec<Kwargs> = kwargs_value
        .as_array()
        .and_then(|a| a.iter().map(|v| v.as_object().cloned()).collect())
        .ok_or_else(|| wrong(path, line, "kwargs", "a list of objects", kwargs_value))?;
    if kwargs.len() != ids.len() {
        return Err(EvalError::Malformed {
            path: path.to_path_buf(),
            line,
            message: format!(
                "`kwargs` has {} entries but `instruction_id_list` has {} (expected one \
                 kwargs object per instruction)",
                kwargs.len(),
                ids.len()
            ),
        });
    }
    Ok(InputExample {
        key,
        instruction_id_list: ids,
        prompt,
        kwargs,
        line,
    })
}

/// Reads the responses file (`prompt`, `response` per line) into a prompt → response map;
/// as in the official `read_prompt_to_response_dict`, a later line for the same prompt wins.
pub fn read_prompt_to_response(path: &Path) -> Result<HashMap<String, String>, EvalError> {
    let mut out = HashMap::new();
    for_each_object(path, "--input_response_data", |line, obj| {
        let prompt = string_field(&obj, "prompt", path, line)?;
        let response = string_field(&obj, "response", path, line)?;
        out.insert(prompt, response);
        Ok(())
    })?;
    Ok(out)
}
