//! One JSON object → one [`Instruction`], in either of the two row styles hir reads:
//!
//! - **HIR style** (rewritable): `{"task", "constraints": [{"instruction_id", "kwargs"?,
//!   "text"?, "suite"?}], "layout"?, "suite"?}` — the task text and each constraint's prompt
//!   text are separate (the text defaults to the verifier's own description), so the
//!   hindsight rewrite can re-render the prompt with only the kept constraints. `layout` is
//!   1-6 or a name (spec §4; default 1). This is also `hir replay`'s instruction format.
//! - **IFEval format**: `{"prompt", "instruction_id_list", "kwargs"}` as in the official
//!   `input_data.jsonl` files — the prompt states its constraints in its own words, so it is
//!   used verbatim ([`Layout::Embedded`]) and never rewritten.
//!
//! Constraint ids are looked up in the IFEval registry, then IFBench's, unless `"suite":
//! "ifeval" | "ifbench"` says which (per row or per constraint).

use super::jsonl::{get, LineError, Loc};
use hir_core::constraint::registry::{self, Suite};
use hir_core::constraint::{Constraint, Kwargs};
use hir_core::instruct::{Instruction, InstructionConstraint, Layout};
use serde_json::{Map, Value};
use std::sync::Arc;

/// Parses a row of either style (HIR style when it has `constraints`, IFEval format when it
/// has `instruction_id_list`).
pub fn parse_instruction(obj: &Map<String, Value>, at: &Loc) -> Result<Instruction, LineError> {
    if obj.contains_key("constraints") {
        parse_hir_style(obj, at)
    } else if obj.contains_key("instruction_id_list") {
        parse_ifeval_style(obj, at)
    } else {
        Err(at.err(
            "expected either `task` + `constraints` (HIR style) or `prompt` + \
             `instruction_id_list` + `kwargs` (IFEval format)"
                .into(),
        ))
    }
}

/// Parses a HIR-style row: `task`, `constraints`, optional `layout` and `suite`.
pub fn parse_hir_style(obj: &Map<String, Value>, at: &Loc) -> Result<Instruction, LineError> {
    let task = match obj.get("task") {
        None => return Err(at.missing("task", "the task text")),
        Some(Value::String(s)) => s.clone(),
        Some(other) => return Err(at.wrong("task", "a string (the task text)", other)),
    };
    let layout = parse_layout(obj, at)?;
    let row_suite = parse_suite(obj, "suite", at)?;
    let constraints = match obj.get("constraints") {
        None => return Err(at.missing("constraints", "a list of constraint objects")),
        Some(Value::Array(a)) => a,
        Some(other) => return Err(at.wrong("constraints", "a list of constraint objects", other)),
    };
    let constraints = constraints
        .iter()
        .enumerate()
        .map(|(i, c)| parse_constraint(c, i, row_suite, &task, at))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Instruction {
        task,
        constraints,
        layout,
    })
}

/// Parses an IFEval-format row: `prompt`, `instruction_id_list`, `kwargs` (one object per id;
/// null values are unset parameters, as in the Hugging Face copies of the benchmarks).
pub fn parse_ifeval_style(obj: &Map<String, Value>, at: &Loc) -> Result<Instruction, LineError> {
    let prompt = match obj.get("prompt") {
        None => return Err(at.missing("prompt", "the prompt text")),
        Some(Value::String(s)) => s.clone(),
        Some(other) => return Err(at.wrong("prompt", "a string (the prompt text)", other)),
    };
    let ids = match obj.get("instruction_id_list") {
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(at.wrong("instruction_id_list", "a list of instruction ids", other))
        }
        None => return Err(at.missing("instruction_id_list", "a list of instruction ids")),
    };
    let kwargs = match get(obj, "kwargs") {
        Some(Value::Array(a)) => a.clone(),
        None => vec![Value::Object(Map::new()); ids.len()],
        Some(other) => return Err(at.wrong("kwargs", "a list of objects (one per id)", other)),
    };
    if kwargs.len() != ids.len() {
        return Err(at.err(format!(
            "field `kwargs` has {} entries but `instruction_id_list` has {} (expected one \
             kwargs object per instruction id)",
            kwargs.len(),
            ids.len()
        )));
    }
    let row_suite = parse_suite(obj, "suite", at)?;
    let mut constraints = Vec::with_capacity(ids.len());
    for (i, (id, kw)) in ids.iter().zip(&kwargs).enumerate() {
        let id_field = format!("instruction_id_list[{i}]");
        let Value::String(id) = id else {
            return Err(at.wrong(&id_field, "a string", id));
        };
        let kw: Kwargs = match kw {
            Value::Object(m) => m
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            Value::Null => Kwargs::new(),
            other => return Err(at.wrong(&format!("kwargs[{i}]"), "an object", other)),
        };
        let c = build(
            id,
            &kw,
            row_suite,
            &prompt,
            &id_field,
            &format!("kwargs[{i}]"),
            at,
        )?;
        constraints.push(InstructionConstraint::new(c));
    }
    Ok(Instruction {
        task: prompt,
        constraints,
        layout: Layout::Embedded,
    })
}

/// An optional `layout`: a number 1-6 or a name.
fn parse_layout(obj: &Map<String, Value>, at: &Loc) -> Result<Layout, LineError> {
    Ok(match get(obj, "layout") {
        None => Layout::default(),
        Some(Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| {
                at.err(format!(
                    "field `layout`: {}",
                    hir_core::instruct::LayoutError(n.to_string())
                ))
            })
            .and_then(|n| {
                Layout::from_number(n).map_err(|e| at.err(format!("field `layout`: {e}")))
            })?,
        Some(Value::String(s)) => {
            Layout::from_name(s).map_err(|e| at.err(format!("field `layout`: {e}")))?
        }
        Some(other) => return Err(at.wrong("layout", "a layout number 1-6 or name", other)),
    })
}

/// An optional `"suite": "ifeval" | "ifbench"` field.
fn parse_suite(
    obj: &Map<String, Value>,
    field: &str,
    at: &Loc,
) -> Result<Option<Suite>, LineError> {
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

/// Builds constraint `id` (errors name `id_field` / `field`).
fn build(
    id: &str,
    kwargs: &Kwargs,
    forced: Option<Suite>,
    prompt: &str,
    id_field: &str,
    field: &str,
    at: &Loc,
) -> Result<Arc<dyn Constraint>, LineError> {
    let suite = suite_of(id, forced).ok_or_else(|| {
        at.err(format!(
            "field `{id_field}`: unknown instruction id `{id}` (not an IFEval or IFBench id){}",
            hir_core::constraint::suggest::unknown_id_note(id)
        ))
    })?;
    let built: Box<dyn Constraint> = registry::build(suite, id, kwargs, prompt).map_err(|e| {
        let which = match suite {
            Suite::IfEval => "IFEval",
            Suite::IfBench => "IFBench",
        };
        at.err(format!("field `{field}` ({which}): {e}"))
    })?;
    Ok(Arc::from(built))
}

fn parse_constraint(
    v: &Value,
    i: usize,
    row_suite: Option<Suite>,
    task: &str,
    at: &Loc,
) -> Result<InstructionConstraint, LineError> {
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
    let kwargs: Kwargs = match get(obj, "kwargs") {
        None => Kwargs::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(other) => return Err(at.wrong(&format!("{field}.kwargs"), "an object", other)),
    };
    let forced = parse_suite(obj, &format!("{field}.suite"), at)?.or(row_suite);
    // The registry's `prompt` argument: no checker reads it today; the task text stands in.
    let constraint = build(id, &kwargs, forced, task, &id_field, &field, at)?;
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
