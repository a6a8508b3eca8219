//! `startend:*`: ending with a phrase, and wrapping in double quotes.

use crate::constraint::args::Args;
use crate::constraint::{Constraint, ConstraintError, Kwargs};
use crate::text::python::strip;
use alloc::format;
use alloc::string::{String, ToString};
use serde_json::Value;

/// `startend:end_checker`: the response, stripped of whitespace then of `"`, lowercased, ends
/// with the lowercased phrase.
#[derive(Debug, Clone)]
pub struct EndChecker {
    end_phrase: String,
    /// `end_phrase.strip().lower()`, precomputed.
    needle: String,
}

impl EndChecker {
    /// The official id.
    pub const ID: &'static str = "startend:end_checker";

    /// Builds from kwargs `end_phrase` (stripped).
    pub fn from_args(args: &Args<'_>) -> Result<Self, ConstraintError> {
        let end_phrase = strip(&args.string("end_phrase")?).to_string();
        let needle = strip(&end_phrase).to_lowercase();
        Ok(Self { end_phrase, needle })
    }
}

impl Constraint for EndChecker {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        let mut k = Kwargs::new();
        k.insert("end_phrase".into(), Value::String(self.end_phrase.clone()));
        k
    }
    fn describe(&self) -> String {
        format!(
            "Finish your response with this exact phrase {}. No other words should follow this \
             phrase.",
            self.end_phrase
        )
    }
    fn check(&self, response: &str) -> bool {
        strip(response)
            .trim_matches('"')
            .to_lowercase()
            .ends_with(&self.needle)
    }
}

/// `startend:quotation`: the stripped response is longer than one character and starts and
/// ends with `"`.
#[derive(Debug, Clone, Default)]
pub struct Quotation;

impl Quotation {
    /// The official id.
    pub const ID: &'static str = "startend:quotation";
}

impl Constraint for Quotation {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        Kwargs::new()
    }
    fn describe(&self) -> String {
        "Wrap your entire response with double quotation marks.".into()
    }
    fn check(&self, response: &str) -> bool {
        let v = strip(response);
        v.chars().nth(1).is_some() && v.starts_with('"') && v.ends_with('"')
    }
}
