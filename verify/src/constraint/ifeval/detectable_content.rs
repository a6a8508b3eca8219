//! `detectable_content:*`: placeholders and postscripts.

use super::pyre::{Flags, PyRegex, PY_S};
use crate::constraint::args::Args;
use crate::constraint::params::{bad_arg, non_negative_int};
use crate::constraint::{Constraint, ConstraintError, Kwargs};
use crate::text::python::strip;
use alloc::format;
use alloc::string::{String, ToString};
use serde_json::Value;

/// `detectable_content:number_placeholders`: at least `num_placeholders` matches of
/// `\[.*?\]`.
#[derive(Debug, Clone)]
pub struct Placeholders {
    num_placeholders: i64,
    regex: PyRegex,
}

impl Placeholders {
    /// The official id.
    pub const ID: &'static str = "detectable_content:number_placeholders";

    /// Builds from kwargs `num_placeholders`.
    pub fn from_args(args: &Args<'_>) -> Result<Self, ConstraintError> {
        Ok(Self {
            num_placeholders: non_negative_int(args, Self::ID, "num_placeholders")?,
            regex: PyRegex::fixed(r"\[.*?\]", Flags::default()),
        })
    }
}

impl Constraint for Placeholders {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        let mut k = Kwargs::new();
        k.insert(
            "num_placeholders".into(),
            Value::from(self.num_placeholders),
        );
        k
    }
    fn describe(&self) -> String {
        format!(
            "The response must contain at least {} placeholders represented by square \
             brackets, such as [address].",
            self.num_placeholders
        )
    }
    fn check(&self, response: &str) -> bool {
        (self.regex.count(response) as i128) >= i128::from(self.num_placeholders)
    }
}

/// `detectable_content:postscript`: a line of the lowercased response contains the marker
/// (`P.S.` and `P.P.S` have their own tolerant patterns; other markers are used as a Python
/// pattern, as the official code does).
#[derive(Debug, Clone)]
pub struct Postscript {
    marker: String,
    regex: PyRegex,
}

impl Postscript {
    /// The official id.
    pub const ID: &'static str = "detectable_content:postscript";

    /// Builds from kwargs `postscript_marker` (stripped).
    pub fn from_args(args: &Args<'_>) -> Result<Self, ConstraintError> {
        let marker = strip(&args.string("postscript_marker")?).to_string();
        let pattern = match marker.as_str() {
            "P.P.S" => format!(r"{PY_S}*p\.{PY_S}?p\.{PY_S}?s.*$"),
            "P.S." => format!(r"{PY_S}*p\.{PY_S}?s\..*$"),
            other => format!(r"{PY_S}*{}.*$", other.to_lowercase()),
        };
        let flags = Flags {
            ignore_case: false,
            multi_line: true,
        };
        let regex = PyRegex::new(&pattern, flags).map_err(|e| {
            let expected = format!("a marker usable as a regular expression ({e})");
            bad_arg(Self::ID, "postscript_marker", &expected, &marker)
        })?;
        Ok(Self { marker, regex })
    }
}

impl Constraint for Postscript {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        let mut k = Kwargs::new();
        k.insert(
            "postscript_marker".into(),
            Value::String(self.marker.clone()),
        );
        k
    }
    fn describe(&self) -> String {
        format!(
            "At the end of your response, please explicitly add a postscript starting with {}",
            self.marker
        )
    }
    fn check(&self, response: &str) -> bool {
        self.regex.is_match(&response.to_lowercase())
    }
}
