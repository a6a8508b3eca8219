//! JSON Lines plumbing shared by every JSONL reader: one object per non-blank line, and error
//! messages that name the file, the line and the field, and say what was expected.

use crate::io::input_file::{InputError, JsonlLines};
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
        if let Some(row) = parse_line(path, i + 1, raw, what)? {
            out.push(row);
        }
    }
    Ok(out)
}

/// Streams the JSON objects of the non-blank lines of the file `path` into `f`, one line in
/// memory at a time (see [`JsonlLines`]: regular files only, each line and the file capped).
/// `file_what` names the file in errors ("training data"), `line_what` one line's content.
pub fn for_each_object<E>(
    path: &Path,
    file_what: &'static str,
    line_what: &str,
    mut f: impl FnMut(Map<String, Value>, Loc) -> Result<(), E>,
) -> Result<(), E>
where
    E: From<InputError> + From<LineError>,
{
    for line in JsonlLines::open(path, file_what)? {
        let (n, raw) = line?;
        if let Some((obj, at)) = parse_line(path, n, &raw, line_what)? {
            f(obj, at)?;
        }
    }
    Ok(())
}

/// One line (1-based number `line`) as a JSON object; `None` for a blank line.
pub fn parse_line(
    path: &Path,
    line: usize,
    raw: &str,
    what: &str,
) -> Result<Option<Row>, LineError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let at = Loc {
        path: path.to_path_buf(),
        line,
    };
    match serde_json::from_str::<Value>(raw) {
        Ok(Value::Object(obj)) => Ok(Some((obj, at))),
        Ok(other) => Err(at.err(format!(
            "expected a JSON object ({what}), found {}",
            kind_of(&other)
        ))),
        Err(e) => {
            // serde_json appends " at line 1 column N"; within one line only the column
            // means anything.
            let msg = e.to_string();
            let msg = msg.rfind(" at line ").map_or(msg.as_str(), |i| &msg[..i]);
            Err(at.err(format!(
                "malformed JSON at column {}: {msg} (expected one JSON object per line)",
                e.column()
            )))
        }
    }
}
