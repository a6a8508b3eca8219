//! `punctuation:no_comma`.

use crate::constraint::{Constraint, Kwargs};
use alloc::string::String;

/// `punctuation:no_comma`: the response contains no `,` (U+002C only).
#[derive(Debug, Clone, Default)]
pub struct NoComma;

impl NoComma {
    /// The official id.
    pub const ID: &'static str = "punctuation:no_comma";
}

impl Constraint for NoComma {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        Kwargs::new()
    }
    fn describe(&self) -> String {
        "In your entire response, refrain from the use of any commas.".into()
    }
    fn check(&self, response: &str) -> bool {
        !response.contains(',')
    }
}
