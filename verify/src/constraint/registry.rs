//! The registry: instruction id + official kwargs → [`Constraint`], per benchmark suite.

use super::{Constraint, ConstraintError, Kwargs};
use alloc::boxed::Box;
use alloc::string::ToString;

/// A benchmark whose instruction ids the registry knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Suite {
    /// IFEval (google-research `instruction_following_eval`, 25 ids).
    IfEval,
    /// IFBench (allenai/IFBench, 58 ids).
    IfBench,
}

/// Builds constraint `id` of `suite` from its official `kwargs`; `prompt` is the prompt the
/// instruction belongs to (some IFBench checkers need it). Ids the suite does not have are
/// [`ConstraintError::UnknownId`].
pub fn build(
    suite: Suite,
    id: &str,
    kwargs: &Kwargs,
    prompt: &str,
) -> Result<Box<dyn Constraint>, ConstraintError> {
    let built = match suite {
        Suite::IfEval => super::ifeval::build(id, kwargs, prompt),
        Suite::IfBench => super::ifbench::build(id, kwargs, prompt),
    };
    built.unwrap_or_else(|| Err(ConstraintError::UnknownId { id: id.to_string() }))
}

/// Every instruction id of `suite`.
pub fn ids(suite: Suite) -> &'static [&'static str] {
    match suite {
        Suite::IfEval => super::ifeval::IDS,
        Suite::IfBench => super::ifbench::IDS,
    }
}
