//! JSON Lines plumbing shared by every JSONL reader: one object per non-blank line, and error
//! messages that name the file, the line and the field, and say what was expected.

use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// A line of a JSONL file that is not what the reader expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {message}", path.display())]
pub struct LineError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// The field at fault and what was expected.
    pub message: String,
}

/// Where in a JSONL file a value came from.
#[derive(Debug, Clone)]
pub struct Loc {
    /// The file.
    pub path: PathBuf,
    /// 1-based line number.
    pub line: usize,
}

impl Loc {
    /// An error at this line.
    pub fn err(&self, message: String) -> LineError {
        LineError {
            path: self.path.clone(),
            line: self.line,
            message,
        }
    }

    /// Field `field` holds `found` where `expected` was expected.
    pub fn wrong(&self, field: &str, expected: &str, found: &Value) -> LineError {
        self.err(format!(
            "field `{field}` should be {expected}, found {}",
            kind_of(found)
        ))
    }

    /// Field `field` is absent.
    pub fn missing(&self, field: &str, expected: &str) -> LineError {
        self.err(format!("missing field `{field}` ({expected})"))
    }
}

/// A short description of a JSON value for error messages ("an array", "the string \"x\"").
pub fn kind_of(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// A present, non-null field.
pub fn get<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.get(name).filter(|v| !v.is_null())
}

/// One line's JSON object and where it came from.
pub type Row = (Map<String, Value>, Loc);

/// The JSON object of every non-blank line of `text` (read from `path`), with its location;
/// `what` names one line's content in errors (e.g. "one prompt group per line").
pub fn objects(path: &Path, text: &str, what: &str) -> Result<Vec<Row>, LineError> {
    let mut out = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let at = Loc {
            path: path.to_path_buf(),
            line: i + 1,
        };
        match serde_json::from_str::<Value>(raw) {
            Ok(Value::Object(obj)) => out.push((obj, at)),
            Ok(other) => {
                return Err(at.err(format!(
                    "expected a JSON object ({what}), found {}",
                    kind_of(&other)
                )))
            }
            Err(e) => {
                // serde_json appends " at line 1 column N"; within one line only the column
                // means anything.
                let msg = e.to_string();
                let msg = msg.rfind(" at line ").map_or(msg.as_str(), |i| &msg[..i]);
                return Err(at.err(format!(
                    "malformed JSON at column {}: {msg} (expected one JSON object per line)",
                    e.column()
                )));
            }
        }
    }
    Ok(out)
}
