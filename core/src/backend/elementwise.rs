//! Elementwise ops: `axpy`, `scale`, `add_bias`, `bias_backward_acc`, `gather_rows`.
//!
//! Contract:
//! - `axpy(alpha, x, y)`: `y += alpha * x` (same length).
//! - `scale(x, alpha)`: `x *= alpha`.
//! - `add_bias(x, bias, cols)`: `x[r, c] += bias[c]` for `x: [rows, cols]`, `bias: [cols]`.
//! - `bias_backward_acc(dy, dbias, cols)`: `dbias[c] += Σ_r dy[r, c]` for `dy: [rows, cols]`
//!   (the backward of `add_bias`; accumulates into `dbias`).
//! - `gather_rows(x, rows, cols)`: rows `rows[i]` of `x: [*, cols]` gathered into a new
//!   `[rows.len(), cols]` tensor. A row index past the end of `x` is a shape error.

use super::shape::{check_ids, check_len, rows_of};
use super::Result;

/// The validated sizes of a `[rows, cols]` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rows {
    /// Number of rows.
    pub rows: usize,
    /// Row length.
    pub cols: usize,
}

/// Checks `axpy`'s `x: [len]` against `y: [len]`; returns `len`.
pub fn check_axpy(x: usize, y: usize) -> Result<usize> {
    check_len("axpy", "x", x, y)?;
    Ok(y)
}

/// Checks `add_bias`'s `x: [rows, cols]` and `bias: [cols]`.
pub fn check_add_bias(x: usize, bias: usize, cols: usize) -> Result<Rows> {
    let rows = rows_of("add_bias", "x", x, cols)?;
    check_len("add_bias", "bias", bias, cols)?;
    Ok(Rows { rows, cols })
}

/// Checks `bias_backward_acc`'s `dy: [rows, cols]` and `dbias: [cols]`.
pub fn check_bias_backward(dy: usize, dbias: usize, cols: usize) -> Result<Rows> {
    const OP: &str = "bias_backward_acc";
    let rows = rows_of(OP, "dy", dy, cols)?;
    check_len(OP, "dbias", dbias, cols)?;
    Ok(Rows { rows, cols })
}

/// Checks `gather_rows`' `x: [*, cols]` and the row indices; returns the size of `x`.
pub fn check_gather_rows(x: usize, rows: &[u32], cols: usize) -> Result<Rows> {
    let n_rows = rows_of("gather_rows", "x", x, cols)?;
    check_ids("gather_rows", "rows", rows, n_rows, "the row count of `x`")?;
    Ok(Rows { rows: n_rows, cols })
}
