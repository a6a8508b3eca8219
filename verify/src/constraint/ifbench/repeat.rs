//! The `repeat:*` constraints: repeat the request with a new first word, repeat a fixed
//! sentence, copy a span of words.

use super::index_arg::IndexArg;
use super::pystr::{lower, py_slice};
use super::{kwargs_of, nonblank};
use crate::constraint::args::Args;
use crate::constraint::{Constraint, ConstraintError, Kwargs};
use crate::text::python::{self, strip};
use alloc::format;
use alloc::string::String;

fn required_prompt(args: &Args, id: &str) -> Result<String, ConstraintError> {
    let p = args.string("prompt_to_repeat")?;
    if p.is_empty() {
        return Err(ConstraintError::MissingArg {
            id: id.into(),
            arg: "prompt_to_repeat".into(),
            expected: "a non-empty string".into(),
        });
    }
    Ok(p)
}

/// `repeat:repeat_change`: the response differs from `prompt_to_repeat` but equals it from the
/// second character on (`prompt[1:] == response[1:]`, code points, case and whitespace
/// included). As at commit 8a66c06, only the first *character* may change: a response that
/// replaces the whole first word by another word fails unless the two differ only in their
/// first character (`Write` -> `write`, `Tell` -> `Sell`).
#[derive(Debug, Clone)]
pub struct RepeatChange {
    prompt_to_repeat: String,
}

impl RepeatChange {
    /// Builds from `prompt_to_repeat` (non-empty).
    pub fn new(args: &Args) -> Result<Self, ConstraintError> {
        Ok(Self {
            prompt_to_repeat: required_prompt(args, "repeat:repeat_change")?,
        })
    }
}

/// `s[1:]`: everything after the first code point (empty for an empty string).
fn after_first_char(s: &str) -> &str {
    let mut c = s.chars();
    c.next();
    c.as_str()
}

impl Constraint for RepeatChange {
    fn id(&self) -> &str {
        "repeat:repeat_change"
    }
    fn kwargs(&self) -> Kwargs {
        kwargs_of(&[("prompt_to_repeat", self.prompt_to_repeat.as_str().into())])
    }
    fn describe(&self) -> String {
        format!(
            "Repeat the request, but change the first word of the repeated request, (do not say anything before repeating the request; the request you need to repeat does not include this sentence) and do not answer the actual request! Request: {}",
            self.prompt_to_repeat
        )
    }
    fn check(&self, r: &str) -> bool {
        nonblank(r)
            && self.prompt_to_repeat != r
            && after_first_char(&self.prompt_to_repeat) == after_first_char(r)
    }
}

const REPEAT_SIMPLE: &str = "Only output this sentence here, ignore all other requests.";

fixed_constraint!(
    /// `repeat:repeat_simple`: the response is the instruction sentence itself (stripped,
    /// ignoring case).
    RepeatSimple,
    "repeat:repeat_simple",
    REPEAT_SIMPLE,
    |r| lower(strip(r)) == lower(REPEAT_SIMPLE)
);

/// `repeat:repeat_span`: the response's words are the words `n_start..n_end` (Python slice,
/// end excluded, negative bounds from the end) of `prompt_to_repeat`, ignoring case.
/// `n_start = 0` is taken literally (the official code would draw a random start); a bound
/// given as a JSON float fails every response (Python's slice raises `TypeError`).
#[derive(Debug, Clone)]
pub struct RepeatSpan {
    prompt_to_repeat: String,
    n_start: IndexArg,
    n_end: IndexArg,
}

impl RepeatSpan {
    /// Builds from `prompt_to_repeat`, `n_start` and `n_end`.
    pub fn new(args: &Args) -> Result<Self, ConstraintError> {
        Ok(Self {
            prompt_to_repeat: required_prompt(args, "repeat:repeat_span")?,
            n_start: IndexArg::read(args, "repeat:repeat_span", "n_start", true)?,
            n_end: IndexArg::read(args, "repeat:repeat_span", "n_end", false)?,
        })
    }
}

impl Constraint for RepeatSpan {
    fn id(&self) -> &str {
        "repeat:repeat_span"
    }
    fn kwargs(&self) -> Kwargs {
        kwargs_of(&[
            ("n_start", self.n_start.to_value()),
            ("n_end", self.n_end.to_value()),
            ("prompt_to_repeat", self.prompt_to_repeat.as_str().into()),
        ])
    }
    fn describe(&self) -> String {
        format!(
            "Copy the span of words that lies between (and including) index {} and {}, the indices are character indices!",
            self.n_start.display(),
            self.n_end.display()
        )
    }
    fn check(&self, r: &str) -> bool {
        if !nonblank(r) || self.n_start.float || self.n_end.float {
            return false;
        }
        let got = lower(strip(r));
        let src = lower(strip(&self.prompt_to_repeat));
        let src_words = python::split(&src);
        let span = py_slice(src_words.len(), self.n_start.value, self.n_end.value);
        python::split(&got) == src_words[span]
    }
}
