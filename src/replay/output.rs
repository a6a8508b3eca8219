//! `hir replay`'s output: one JSON line per response.

use serde::Serialize;
use serde_json::Value;

/// One output line, fields in the documented order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseRow {
    /// The group's `id`, as given.
    pub id: Value,
    /// The response's 0-based index within its group.
    pub index: usize,
    /// 1.0 when every constraint holds (strict), else 0.0.
    pub sparse: f64,
    /// The fraction of constraints that hold.
    pub dense: f64,
    /// Per constraint, whether it holds (strict).
    pub judge: Vec<bool>,
    /// `F_div + λ_s·F_int` for eligible responses (`0 < dense < 1`), else `null`.
    pub score: Option<f64>,
    /// Whether the response is replayed.
    pub selected: bool,
    /// The prompt text of `q'` (no chat template) for selected responses, else `null`.
    pub rewritten_prompt: Option<String>,
    /// The indices of the constraints `q'` keeps, for selected responses, else `null`.
    pub kept: Option<Vec<usize>>,
}

impl ResponseRow {
    /// The row as one line of compact JSON (no trailing newline).
    pub fn to_json_line(&self) -> String {
        // Serializing plain data with string keys cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}
