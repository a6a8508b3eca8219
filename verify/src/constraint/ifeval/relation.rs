//! The comparison relations of the official checkers: `"less than"` and `"at least"`.

use crate::constraint::args::Args;
use crate::constraint::ConstraintError;

/// The official `_COMPARISON_RELATION` values, in their official order.
pub const RELATIONS: [&str; 2] = ["less than", "at least"];

/// How an observed count is compared with a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// `"less than"`: the count must be strictly below the threshold.
    LessThan,
    /// `"at least"`: the count must be at or above the threshold.
    AtLeast,
}

impl Relation {
    /// Reads the required relation argument `name` (one of [`RELATIONS`]).
    pub fn from_args(args: &Args<'_>, name: &str) -> Result<Self, ConstraintError> {
        let s = args.choice(name, &RELATIONS)?;
        Ok(if s == RELATIONS[0] {
            Relation::LessThan
        } else {
            Relation::AtLeast
        })
    }

    /// The official spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::LessThan => RELATIONS[0],
            Relation::AtLeast => RELATIONS[1],
        }
    }

    /// Whether `count` satisfies the relation against `threshold`.
    pub fn holds(self, count: usize, threshold: i64) -> bool {
        let count = count as i128;
        let threshold = i128::from(threshold);
        match self {
            Relation::LessThan => count < threshold,
            Relation::AtLeast => count >= threshold,
        }
    }
}
