//! The building blocks of argument validation: each turns a size mismatch into a
//! [`BackendError::Shape`] that names the op, the argument and what was expected.
//!
//! The op contracts' `check` functions (one per op family, in the sibling modules) are made
//! of these, and every backend calls those checks, so a shape error reads the same on the CPU
//! reference and on a GPU. A backend uses these directly only for limits of its own (e.g. the
//! 32-bit sizes of the GPU kernels).

use alloc::format;
use alloc::string::String;

use super::{BackendError, Result};

/// A shape error for `op` with the given explanation.
pub fn err(op: &'static str, detail: String) -> BackendError {
    BackendError::Shape { op, detail }
}

/// Checks that argument `what` of `op` has exactly `expected` elements.
pub fn check_len(op: &'static str, what: &str, len: usize, expected: usize) -> Result<()> {
    if len == expected {
        Ok(())
    } else {
        Err(err(
            op,
            format!("`{what}` has {len} elements, expected {expected}"),
        ))
    }
}

/// The number of rows of a `[rows, cols]` argument `what` holding `len` elements.
///
/// Fails when `cols` is zero or does not divide `len`.
pub fn rows_of(op: &'static str, what: &str, len: usize, cols: usize) -> Result<usize> {
    if cols == 0 {
        return Err(err(op, format!("the row length of `{what}` must be > 0")));
    }
    if !len.is_multiple_of(cols) {
        return Err(err(
            op,
            format!("`{what}` has {len} elements, not a whole number of rows of {cols}"),
        ));
    }
    Ok(len / cols)
}

/// `a * b`, or a shape error when the product overflows `usize`.
pub fn mul(op: &'static str, dims: &[usize]) -> Result<usize> {
    dims.iter().try_fold(1usize, |acc, &d| {
        acc.checked_mul(d)
            .ok_or_else(|| err(op, format!("the dimensions {dims:?} overflow usize")))
    })
}

/// Checks that every id of `ids` (argument `what`) is below `bound` (the size of the table
/// dimension named `of`).
pub fn check_ids(op: &'static str, what: &str, ids: &[u32], bound: usize, of: &str) -> Result<()> {
    match ids.iter().position(|&id| id as usize >= bound) {
        None => Ok(()),
        Some(i) => Err(err(
            op,
            format!(
                "`{what}[{i}]` = {} is out of range for {of} = {bound}",
                ids[i]
            ),
        )),
    }
}
