//! The `repeat:*` constraints: repeat the request with a new first word, repeat a fixed
//! sentence, copy a span of words.

use super::pystr::{lower, py_slice, split_ws, strip};
use super::{kwargs_of, nonblank};
use crate::constraint::args::Args;
use crate::constraint::{Constraint, ConstraintError, Kwargs};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

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

/// `repeat:repeat_change`: the response is `prompt_to_repeat` with a different first word
/// (compared word by word after the first; an identical response fails).
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

fn tail_words(s: &str) -> Vec<&str> {
    split_ws(s).into_iter().skip(1).collect()
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
            && tail_words(&self.prompt_to_repeat) == tail_words(r)
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
/// end excluded) of `prompt_to_repeat`, ignoring case. `n_start = 0` is taken literally
/// (the official code would draw a random start).
#[derive(Debug, Clone)]
pub struct RepeatSpan {
    prompt_to_repeat: String,
    n_start: i64,
    n_end: i64,
}

impl RepeatSpan {
    /// Builds from `prompt_to_repeat`, `n_start` and `n_end`.
    pub fn new(args: &Args) -> Result<Self, ConstraintError> {
        Ok(Self {
            prompt_to_repeat: required_prompt(args, "repeat:repeat_span")?,
            n_start: args.int("n_start")?,
            n_end: args.int("n_end")?,
        })
    }
}

impl Constraint for RepeatSpan {
    fn id(&self) -> &str {
        "repeat:repeat_span"
    }
    fn kwargs(&self) -> Kwargs {
        kwargs_of(&[
            ("n_start", self.n_start.into()),
            ("n_end", self.n_end.into()),
            ("prompt_to_repeat", self.prompt_to_repeat.as_str().into()),
        ])
    }
    fn describe(&self) -> String {
        format!(
            "Copy the span of words that lies between (and including) index {} and {}, the indices are character indices!",
            self.n_start, self.n_end
        )
    }
    fn check(&self, r: &str) -> bool {
        if !nonblank(r) {
            return false;
        }
        let got = lower(strip(r));
        let src = lower(strip(&self.prompt_to_repeat));
        let src_words = split_ws(&src);
        let span = py_slice(src_words.len(), self.n_start, self.n_end);
        split_ws(&got) == src_words[span]
    }
}
