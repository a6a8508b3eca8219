//! Reading `hir replay`'s input: one JSON object per prompt group and line,
//! `{"id", "task", "layout"?, "suite"?, "constraints": [{"instruction_id", "kwargs"?, "text"?,
//! "suite"?}], "responses": [{"text", "entropy"}]}`.

use super::error::ReplayError;
use hir_core::constraint::registry::{self, Suite};
use hir_core::constraint::{Constraint, Kwargs};
use hir_core::instruct::{Instruction, InstructionConstraint, Layout};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
pub fn read_groups(path: &Path) -> Result<Vec<GroupInput>, ReplayError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReplayError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let at = Loc {
            path: path.to_path_buf(),
            line: i + 1,
        };
        let obj = match serde_json::from_str::<Value>(raw) {
            Ok(Value::Object(obj)) => obj,
            Ok(other) => {
                return Err(at.err(format!(
                    "expected a JSON object (one prompt group per line), found {}",
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
        };
        out.push(parse_group(&obj, &at)?);
    }
    Ok(out)
}

/// Where in the input a value came from.
struct Loc {
    path: PathBuf,
    line: usize,
}

impl Loc {
    fn err(&self, message: String) -> ReplayError {
        ReplayError::Malformed {
            path: self.path.clone(),
            line: self.line,
            message,
        }
    }

    fn wrong(&self, field: &str, expected: &str, found: &Value) -> ReplayError {
        self.err(format!(
            "field `{field}` should be {expected}, found {}",
            kind_of(found)
        ))
    }

    fn missing(&self, field: &str, expected: &str) -> ReplayError {
        self.err(format!("missing field `{field}` ({expected})"))
    }
}

fn kind_of(v: &Value) -> String {
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
fn get<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.get(name).filter(|v| !v.is_null())
}

fn parse_group(obj: &Map<String, Value>, at: &Loc) -> Result<GroupInput, ReplayError> {
    let id = match obj.get("id") {
        None => return Err(at.missing("id", "a string or a number")),
        Some(v @ (Value::String(_) | Value::Number(_))) => v.clone(),
        Some(other) => return Err(at.wrong("id", "a string or a number", other)),
    };
    let task = match obj.get("task") {
        None => return Err(at.missing("task", "the task text")),
        Some(Value::String(s)) => s.clone(),
        Some(other) => return Err(at.wrong("task", "a string (the task text)", other)),
    };
    let layout = match get(obj, "layout") {
        None => Layout::default(),
        Some(Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| {
                at.err(format!(
                    "field `layout`: unknown layout `{n}`: expected 1-6"
                ))
            })
            .and_then(|n| {
                Layout::from_number(n).map_err(|e| at.err(format!("field `layout`: {e}")))
            })?,
        Some(Value::String(s)) => {
            Layout::from_name(s).map_err(|e| at.err(format!("field `layout`: {e}")))?
        }
        Some(other) => return Err(at.wrong("layout", "a layout number 1-6 or name", other)),
    };
    let group_suite = parse_suite(obj, "suite", at)?;
    let constraints = match obj.get("constraints") {
        None => return Err(at.missing("constraints", "a list of constraint objects")),
        Some(Value::Array(a)) => a,
        Some(other) => return Err(at.wrong("constraints", "a list of constraint objects", other)),
    };
    let constraints = constraints
        .iter()
        .enumerate()
        .map(|(i, c)| parse_constraint(c, i, group_suite, &task, at))
        .collect::<Result<Vec<_>, _>>()?;
    let responses = match obj.get("responses") {
        None => return Err(at.missing("responses", "a list of response objects")),
        Some(Value::Array(a)) => a,
        Some(other) => return Err(at.wrong("responses", "a list of response objects", other)),
    };
    let responses = responses
        .iter()
        .enumerate()
        .map(|(i, r)| parse_response(r, i, at))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(GroupInput {
        id,
        instruction: Instruction {
            task,
            constraints,
            layout,
        },
        responses,
        line: at.line,
    })
}

/// An optional `"suite": "ifeval" | "ifbench"` field.
fn parse_suite(
    obj: &Map<String, Value>,
    field: &str,
    at: &Loc,
) -> Result<Option<Suite>, ReplayError> {
    match get(obj, "suite") {
        None => Ok(None),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("ifeval") => Ok(Some(Suite::IfEval)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("ifbench") => Ok(Some(Suite::IfBench)),
        Some(other) => Err(at.wrong(field, "\"ifeval\" or \"ifbench\"", other)),
    }
}

/// Which registry an id belongs to: the forced suite, else IFEval if it has the id, else
/// IFBench. (No id is in both registries today; should one ever be, IFEval, the older
/// benchmark, wins unless `"suite"` says otherwise.)
fn suite_of(id: &str, forced: Option<Suite>) -> Option<Suite> {
    forced.or_else(|| {
        [Suite::IfEval, Suite::IfBench]
            .into_iter()
            .find(|&s| registry::ids(s).contains(&id))
    })
}

fn parse_constraint(
    v: &Value,
    i: usize,
    group_suite: Option<Suite>,
    task: &str,
    at: &Loc,
) -> Result<InstructionConstraint, ReplayError> {
    let field = format!("constraints[{i}]");
    let obj = v
        .as_object()
        .ok_or_else(|| at.wrong(&field, "an object with `instruction_id`", v))?;
    let id_field = format!("{field}.instruction_id");
    let id = match obj.get("instruction_id") {
        None => return Err(at.missing(&id_field, "an IFEval or IFBench instruction id")),
        Some(Value::String(s)) => s.as_str(),
        Some(other) => return Err(at.wrong(&id_field, "a string", other)),
    };
    let kwargs_field = format!("{field}.kwargs");
    let kwargs: Kwargs = match get(obj, "kwargs") {
        None => Kwargs::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(other) => return Err(at.wrong(&kwargs_field, "an object", other)),
    };
    let forced = parse_suite(obj, &format!("{field}.suite"), at)?.or(group_suite);
    let suite = suite_of(id, forced).ok_or_else(|| {
        at.err(format!(
            "field `{id_field}`: unknown instruction id `{id}` (not an IFEval or IFBench id; \
             see `hir_core::constraint::registry::ids`)"
        ))
    })?;
    // The registry's `prompt` argument: no checker reads it today; the task text stands in.
    let built: Box<dyn Constraint> = registry::build(suite, id, &kwargs, task).map_err(|e| {
        let which = match suite {
            Suite::IfEval => "IFEval",
            Suite::IfBench => "IFBench",
        };
        at.err(format!("field `{field}` ({which}): {e}"))
    })?;
    let constraint: Arc<dyn Constraint> = Arc::from(built);
    match get(obj, "text") {
        None => Ok(InstructionConstraint::new(constraint)),
        Some(Value::String(t)) if !t.is_empty() => {
            Ok(InstructionConstraint::with_text(constraint, t.clone()))
        }
        Some(other) => Err(at.wrong(
            &format!("{field}.text"),
            "a non-empty string (the constraint's prompt text)",
            other,
        )),
    }
}

fn parse_response(v: &Value, i: usize, at: &Loc) -> Result<ResponseInput, ReplayError> {
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
