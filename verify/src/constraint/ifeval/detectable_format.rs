//! `detectable_format:*`: bullet lists, fixed answers, highlights, sections, JSON, titles.

use super::pyjson::loads_ok;
use super::pyre::{Flags, PyRegex, PY_S};
use super::pyrepr::repr_tuple;
use crate::constraint::args::Args;
use crate::constraint::params::{bad_arg, non_negative_int};
use crate::constraint::{Constraint, ConstraintError, Kwargs};
use crate::text::python::strip;
use alloc::format;
use alloc::string::{String, ToString};
use serde_json::Value;

const MULTI_LINE: Flags = Flags {
    ignore_case: false,
    multi_line: true,
};

/// `detectable_format:number_bullet_lists`: exactly `num_bullets` lines matching
/// `^\s*\*[^\*].*$` or `^\s*-.*$` (Python `re.MULTILINE`, `findall` counts).
#[derive(Debug, Clone)]
pub struct BulletLists {
    num_bullets: i64,
    star: PyRegex,
    dash: PyRegex,
}

impl BulletLists {
    /// The official id.
    pub const ID: &'static str = "detectable_format:number_bullet_lists";

    /// Builds from kwargs `num_bullets`.
    pub fn from_args(args: &Args<'_>) -> Result<Self, ConstraintError> {
        Ok(Self {
            num_bullets: non_negative_int(args, Self::ID, "num_bullets")?,
            star: PyRegex::fixed(&format!(r"^{PY_S}*\*[^\*].*$"), MULTI_LINE),
            dash: PyRegex::fixed(&format!(r"^{PY_S}*-.*$"), MULTI_LINE),
        })
    }
}

impl Constraint for BulletLists {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        let mut k = Kwargs::new();
        k.insert("num_bullets".into(), Value::from(self.num_bullets));
        k
    }
    fn describe(&self) -> String {
        format!(
            "Your answer must contain exactly {} bullet points. Use the markdown bullet points \
             such as:\n* This is point 1. \n* This is point 2",
            self.num_bullets
        )
    }
    fn check(&self, response: &str) -> bool {
        let n = self.star.count(response) + self.dash.count(response);
        n as i128 == i128::from(self.num_bullets)
    }
}

/// The official `_CONSTRAINED_RESPONSE_OPTIONS`.
pub const CONSTRAINED_RESPONSE_OPTIONS: [&str; 3] = [
    "My answer is yes.",
    "My answer is no.",
    "My answer is maybe.",
];

/// `detectable_format:constrained_response`: the response contains one of the fixed answers.
#[derive(Debug, Clone, Default)]
pub struct ConstrainedResponse;

impl ConstrainedResponse {
    /// The official id.
    pub const ID: &'static str = "detectable_format:constrained_response";
}

impl Constraint for ConstrainedResponse {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        Kwargs::new()
    }
    fn describe(&self) -> String {
        format!(
            "Answer with one of the following options: {}",
            repr_tuple(&CONSTRAINED_RESPONSE_OPTIONS)
        )
    }
    fn check(&self, response: &str) -> bool {
        let value = strip(response);
        CONSTRAINED_RESPONSE_OPTIONS
            .iter()
            .any(|o| value.contains(o))
    }
}

/// `detectable_format:number_highlighted_sections`: at least `num_highlights` non-blank
/// `*single*` plus `**double**` highlights (each counted by its own `findall`).
#[derive(Debug, Clone)]
pub struct Highlights {
    num_highlights: i64,
    single: PyRegex,
    double: PyRegex,
}

impl Highlights {
    /// The official id.
    pub const ID: &'static str = "detectable_format:number_highlighted_sections";

    /// Builds from kwargs `num_highlights`.
    pub fn from_args(args: &Args<'_>) -> Result<Self, ConstraintError> {
        Ok(Self {
            num_highlights: non_negative_int(args, Self::ID, "num_highlights")?,
            single: PyRegex::fixed(r"\*[^\n\*]*\*", Flags::default()),
            double: PyRegex::fixed(r"\*\*[^\n\*]*\*\*", Flags::default()),
        })
    }
}

impl Constraint for Highlights {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        let mut k = Kwargs::new();
        k.insert("num_highlights".into(), Value::from(self.num_highlights));
        k
    }
    fn describe(&self) -> String {
        format!(
            "Highlight at least {} sections in your answer with markdown, i.e. *highlighted \
             section*.",
            self.num_highlights
        )
    }
    fn check(&self, response: &str) -> bool {
        let single = self
            .single
            .find_all(response)
            .into_iter()
            .filter(|h| !strip(h.trim_matches('*')).is_empty())
            .count();
        let double = self
            .double
            .find_all(response)
            .into_iter()
            .filter(|h| {
                let inner = h.strip_prefix("**").unwrap_or(h);
                let inner = inner.strip_suffix("**").unwrap_or(inner);
                !strip(inner).is_empty()
            })
            .count();
        (single + double) as i128 >= i128::from(self.num_highlights)
    }
}

/// `detectable_format:multiple_sections`: at least `num_sections` section headers
/// (`\s?` + splitter + `\s?\d+\s?`, the splitter used as a Python pattern).
#[derive(Debug, Clone)]
pub struct Sections {
    splitter: String,
    num_sections: i64,
    regex: PyRegex,
}

impl Sections {
    /// The official id.
    pub const ID: &'static str = "detectable_format:multiple_sections";

    /// Builds from kwargs `section_spliter` (sic; stripped) and `num_sections`.
    pub fn from_args(args: &Args<'_>) -> Result<Self, ConstraintError> {
        let splitter = strip(&args.string("section_spliter")?).to_string();
        let num_sections = non_negative_int(args, Self::ID, "num_sections")?;
        let pattern = format!(r"{PY_S}?{splitter}{PY_S}?\d+{PY_S}?");
        let regex = PyRegex::new(&pattern, Flags::default()).map_err(|e| {
            let expected = format!("a splitter usable as a regular expression ({e})");
            bad_arg(Self::ID, "section_spliter", &expected, &splitter)
        })?;
        Ok(Self {
            splitter,
            num_sections,
            regex,
        })
    }
}

impl Constraint for Sections {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        let mut k = Kwargs::new();
        k.insert(
            "section_spliter".into(),
            Value::String(self.splitter.clone()),
        );
        k.insert("num_sections".into(), Value::from(self.num_sections));
        k
    }
    fn describe(&self) -> String {
        let s = &self.splitter;
        format!(
            "Your response must have {} sections. Mark the beginning of each section with {s} \
             X, such as:\n{s} 1\n[content of section 1]\n{s} 2\n[content of section 2]",
            self.num_sections
        )
    }
    fn check(&self, response: &str) -> bool {
        // len(re.split(...)) - 1 is the number of matches.
        self.regex.count(response) as i128 >= i128::from(self.num_sections)
    }
}

/// `detectable_format:json_format`: after stripping and removing one leading
/// ```` ```json ````/```` ```Json ````/```` ```JSON ````/```` ``` ```` fence (each tried in
/// turn) and one trailing ```` ``` ````, Python's `json.loads` accepts the text.
#[derive(Debug, Clone, Default)]
pub struct JsonFormat;

impl JsonFormat {
    /// The official id.
    pub const ID: &'static str = "detectable_format:json_format";
}

impl Constraint for JsonFormat {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        Kwargs::new()
    }
    fn describe(&self) -> String {
        "Entire output should be wrapped in JSON format. You can use markdown ticks such as ```."
            .into()
    }
    fn check(&self, response: &str) -> bool {
        let mut v = strip(response);
        for prefix in ["```json", "```Json", "```JSON", "```"] {
            v = v.strip_prefix(prefix).unwrap_or(v);
        }
        v = v.strip_suffix("```").unwrap_or(v);
        loads_ok(strip(v))
    }
}

/// `detectable_format:title`: some `<<...>>` on one line has a non-blank inside.
#[derive(Debug, Clone)]
pub struct Title {
    regex: PyRegex,
}

impl Default for Title {
    fn default() -> Self {
        Self {
            regex: PyRegex::fixed(r"<<[^\n]+>>", Flags::default()),
        }
    }
}

impl Title {
    /// The official id.
    pub const ID: &'static str = "detectable_format:title";
}

impl Constraint for Title {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        Kwargs::new()
    }
    fn describe(&self) -> String {
        "Your answer must contain a title, wrapped in double angular brackets, such as <<poem \
         of joy>>."
            .into()
    }
    fn check(&self, response: &str) -> bool {
        self.regex
            .find_all(response)
            .into_iter()
            .any(|t| !strip(t.trim_start_matches('<').trim_end_matches('>')).is_empty())
    }
}
