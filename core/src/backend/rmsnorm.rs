//! RMSNorm: `rmsnorm` and `rmsnorm_backward`.
//!
//! Contract:
//! - `rmsnorm(x, w, dim, eps)`: `y[r] = x[r] * rstd[r] * w` with
//!   `rstd[r] = 1 / sqrt(mean(x[r]²) + eps)`, for `x: [rows, dim]`, `w: [dim]`; returns
//!   `(y: [rows, dim], rstd: [rows])`.
//! - `rmsnorm_backward(dy, x, w, rstd, dw, dim)`: returns `dx` and adds the weight gradient
//!   into `dw`. `rstd` is the one returned by the forward pass. With `x̂ = x · rstd`:
//!   `dx = rstd · (dy·w − x̂ · mean(dy·w·x̂))` per row and `dw += Σ_rows dy · x̂`.

use super::elementwise::Rows;
use super::shape::{check_len, rows_of};
use super::Result;

/// Checks the forward's `x: [rows, dim]` and `w: [dim]`.
pub fn check_forward(x: usize, w: usize, dim: usize) -> Result<Rows> {
    let rows = rows_of("rmsnorm", "x", x, dim)?;
    check_len("rmsnorm", "w", w, dim)?;
    Ok(Rows { rows, cols: dim })
}

/// Checks the backward's `dy, x: [rows, dim]`, `w, dw: [dim]` and `rstd: [rows]`.
pub fn check_backward(
    dy: usize,
    x: usize,
    w: usize,
    rstd: usize,
    dw: usize,
    dim: usize,
) -> Result<Rows> {
    const OP: &str = "rmsnorm_backward";
    let rows = rows_of(OP, "x", x, dim)?;
    check_len(OP, "dy", dy, x)?;
    check_len(OP, "w", w, dim)?;
    check_len(OP, "dw", dw, dim)?;
    check_len(OP, "rstd", rstd, rows)?;
    Ok(Rows { rows, cols: dim })
}
