//! Argument validation shared by every op (the same checks and messages as the CPU
//! reference): turns a size mismatch into a
//! [`BackendError::Shape`] that names the op, the argument and what was expected.

use hir_core::backend::{BackendError, Result};

/// A shape error for `op` with the given explanation.
pub(crate) fn err(op: &'static str, detail: String) -> BackendError {
    BackendError::Shape { op, detail }
}

/// Checks that argument `what` of `op` has exactly `expected` elements.
pub(crate) fn check_len(op: &'static str, what: &str, len: usize, expected: usize) -> Result<()> {
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
pub(crate) fn rows_of(op: &'static str, what: &str, len: usize, cols: usize) -> Result<usize> {
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
pub(crate) fn mul(op: &'static str, dims: &[usize]) -> Result<usize> {
    dims.iter().try_fold(1usize, |acc, &d| {
        acc.checked_mul(d)
            .ok_or_else(|| err(op, format!("the dimensions {dims:?} overflow usize")))
    })
}

/// Checks that every id of `ids` (argument `what`) is below `bound` (the size of the table
/// dimension named `of`).
pub(crate) fn check_ids(
    op: &'static str,
    what: &str,
    ids: &[u32],
    bound: usize,
    of: &str,
) -> Result<()> {
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

/// `n` as a `u32` for a kernel parameter, or a shape error naming `what` when it does not fit.
pub(crate) fn to_u32(op: &'static str, what: &str, n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| {
        err(
            op,
            format!("`{what}` = {n} exceeds the 32-bit range of the GPU kernels"),
        )
    })
}
