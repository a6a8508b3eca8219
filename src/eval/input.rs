//! Reading the official JSONL inputs: prompts (`input_data`) and responses
//! (`input_response_data`).

use super::error::EvalError;
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

/// A JSON object and the 1-based number of the line it was on.
type NumberedObject = (usize, Map<String, Value>);

/// The non-blank lines of `path` with their 1-based numbers, each parsed as a JSON object.
fn json_objects(path: &Path) -> Result<Vec<NumberedObject>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|source| EvalError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let malformed = |message: String| EvalError::Malformed {
            path: path.to_path_buf(),
            line,
            message,
        };
        match serde_json::from_str::<Value>(raw) {
            Ok(Value::Object(obj)) => out.push((line, obj)),
            Ok(other) => {
                let kind = kind_of(&other);
                return Err(malformed(format!("expected a JSON object, found {kind}")));
            }
            Err(e) => return Err(malformed(format!("expected a JSON object: {e}"))),
        }
    }
    Ok(out)
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

/// Reads the prompts file (`key`, `prompt`, `instruction_id_list`, `kwargs` per line).
pub fn read_prompt_list(path: &Path) -> Result<Vec<InputExample>, EvalError> {
    let mut out = Vec::new();
    for (line, obj) in json_objects(path)? {
        let key = field(&obj, "key", path, line)?.clone();
        if !(key.is_i64() || key.is_u64() || key.is_string()) {
            return Err(wrong(path, line, "key", "an integer or a string", &key));
        }
        let prompt = string_field(&obj, "prompt", path, line)?;
        let ids_value = field(&obj, "instruction_id_list", path, line)?;
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
        let kwargs_value = field(&obj, "kwargs", path, line)?;
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
        out.push(InputExample {
            key,
            instruction_id_list: ids,
            prompt,
            kwargs,
            line,
        });
    }
    if out.is_empty() {
        return Err(EvalError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(out)
}

/// Reads the responses file (`prompt`, `response` per line) into a prompt → response map;
/// as in the official `read_prompt_to_response_dict`, a later line for the same prompt wins.
pub fn read_prompt_to_response(path: &Path) -> Result<HashMap<String, String>, EvalError> {
    let mut out = HashMap::new();
    for (line, obj) in json_objects(path)? {
        let prompt = string_field(&obj, "prompt", path, line)?;
        let response = string_field(&obj, "response", path, line)?;
        out.insert(prompt, response);
    }
    Ok(out)
}
