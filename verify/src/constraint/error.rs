//! Errors raised while building a constraint from an instruction id and its arguments.

use alloc::string::String;

/// Why a constraint could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConstraintError {
    /// The instruction id is not in the registry. The message names close matches (see
    /// [`super::suggest::unknown_id_note`]).
    #[error("unknown instruction id `{id}`{}", super::suggest::unknown_id_note(.id))]
    UnknownId {
        /// The id as given.
        id: String,
    },
    /// A required argument is absent (or `null`).
    #[error("instruction `{id}`: missing argument `{arg}` (expected {expected})")]
    MissingArg {
        /// The instruction id.
        id: String,
        /// The kwargs name.
        arg: String,
        /// What a valid value looks like.
        expected: String,
    },
    /// An argument has the wrong type or an invalid value.
    #[error("instruction `{id}`: argument `{arg}` should be {expected}, found {found}")]
    BadArg {
        /// The instruction id.
        id: String,
        /// The kwargs name.
        arg: String,
        /// What a valid value looks like.
        expected: String,
        /// The offending value, rendered as JSON.
        found: String,
    },
}
