//! Argument conventions shared by the IFEval and IFBench checkers: where the official code
//! would draw a random value (missing, negative or zero argument) we report an error instead.

use crate::constraint::args::Args;
use crate::constraint::ConstraintError;

/// Reads a required integer that the official code would replace by a random value when
/// negative: here a negative value is an error (we never pick values at random).
pub fn non_negative_int(args: &Args<'_>, id: &str, name: &str) -> Result<i64, ConstraintError> {
    let v = args.int(name)?;
    if v < 0 {
        return Err(bad_arg(
            id,
            name,
            "a non-negative integer",
            &alloc::format!("{v}"),
        ));
    }
    Ok(v)
}

/// A [`ConstraintError::BadArg`] for argument `name` of instruction `id`.
pub fn bad_arg(id: &str, name: &str, expected: &str, found: &str) -> ConstraintError {
    ConstraintError::BadArg {
        id: id.into(),
        arg: name.into(),
        expected: expected.into(),
        found: found.into(),
    }
}

/// Reads a required integer that must be `>= 1` (the official code divides by it, or treats 0
/// as absent and draws a random value): anything smaller is an error.
pub fn positive_int(args: &Args<'_>, id: &str, name: &str) -> Result<i64, ConstraintError> {
    let v = args.int(name)?;
    if v < 1 {
        return Err(bad_arg(
            id,
            name,
            "a positive integer",
            &alloc::format!("{v}"),
        ));
    }
    Ok(v)
}
