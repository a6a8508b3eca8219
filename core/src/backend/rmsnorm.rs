//! RMSNorm: `rmsnorm`, `rmsnorm_backward` and the fused residual add `add_rmsnorm`.
//!
//! Contract:
//! - `rmsnorm(x, w, dim, eps)`: `y[r] = x[r] * rstd[r] * w` with
//!   `rstd[r] = 1 / sqrt(mean(x[r]²) + eps)`, for `x: [rows, dim]`, `w: [dim]`; returns
//!   `(y: [rows, dim], rstd: [rows])`.
//! - `rmsnorm_backward(dy, x, w, rstd, dw, dim)`: returns `dx` and adds the weight gradient
//!   into `dw`. `rstd` is the one returned by the forward pass. With `x̂ = x · rstd`:
//!   `dx = rstd · (dy·w − x̂ · mean(dy·w·x̂))` per row and `dw += Σ_rows dy · x̂`.
//! - `add_rmsnorm(x, delta, w, dim, eps)`: the residual add of a block followed by the next
//!   norm, in one op: `delta` becomes `x1 = x + delta` (in place, as `axpy(1.0, x, delta)`
//!   does) and the result is `rmsnorm(x1, w, dim, eps)`, i.e. `(h: [rows, dim], rstd: [rows])`,
//!   for `x, delta: [rows, dim]`, `w: [dim]`. The values are those of `axpy` followed by
//!   `rmsnorm` (a backend may compute them in one pass; the CPU backend runs exactly that
//!   pair, so its results are bit-identical to it). On a shape error `delta` is unchanged.

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

/// Checks `add_rmsnorm`'s `x, delta: [rows, dim]` and `w: [dim]`.
pub fn check_add_forward(x: usize, delta: usize, w: usize, dim: usize) -> Result<Rows> {
    const OP: &str = "add_rmsnorm";
    let rows = rows_of(OP, "x", x, dim)?;
    check_len(OP, "delta", delta, x)?;
    check_len(OP, "w", w, dim)?;
    Ok(Rows { rows, cols: dim })
}
