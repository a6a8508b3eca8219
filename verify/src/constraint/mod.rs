//! Constraints: atomic, checkable parts of an instruction, and their verifiers.
//!
//! A [`Constraint`] is built from an official instruction id and its `kwargs` (the names used
//! in the IFEval / IFBench JSONL files) by the [`registry`]. It can describe itself (the text a
//! prompt carries, needed by the hindsight rewrite) and check a response, strictly or loosely
//! ([`check_loose`], the official eight response variants).

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

pub mod args;
pub mod error;
pub mod ifbench;
pub mod ifeval;
pub mod loose;
pub mod params;
pub mod registry;
pub mod suggest;

pub use error::ConstraintError;
pub use loose::{check_loose, loose_variants};

/// The `kwargs` of one instruction, as found in the official JSONL files.
pub type Kwargs = serde_json::Map<String, serde_json::Value>;

/// One atomic, verifiable constraint of an instruction.
///
/// Implementations are immutable after construction and cheap to check; `check` never panics,
/// whatever the response (empty, huge, arbitrary Unicode).
pub trait Constraint: Send + Sync + core::fmt::Debug {
    /// The official instruction id, e.g. `"keywords:existence"`.
    fn id(&self) -> &str;
    /// The parameters under their official `kwargs` names (only those this constraint uses).
    fn kwargs(&self) -> Kwargs;
    /// The instruction text a prompt carries for this constraint (deterministic).
    fn describe(&self) -> String;
    /// Whether `response` follows the constraint (the official *strict* verdict).
    fn check(&self, response: &str) -> bool;
}

/// A list of constraints, checked together.
pub type ConstraintList = Vec<Box<dyn Constraint>>;

/// Boxes a constraint just built from kwargs, as the registries' `build` functions return it.
pub(crate) fn boxed<C: Constraint + 'static>(
    c: Result<C, ConstraintError>,
) -> Result<Box<dyn Constraint>, ConstraintError> {
    c.map(|c| Box::new(c) as Box<dyn Constraint>)
}
