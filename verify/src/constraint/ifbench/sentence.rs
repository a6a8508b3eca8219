//! The `sentence:*` constraints: growing alliteration, a keyword in the N-th sentence, growing
//! word counts.

use super::count::int_constraint;
use super::pystr::{is_punct_or_space, lower, py_index, remove_punct};
use super::{kwargs_of, nlp, nonblank};
use crate::constraint::args::Args;
use crate::constraint::params::non_negative_int;
use crate::constraint::{Constraint, ConstraintError, Kwargs};
use crate::text::python::{self, strip};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

fixed_constraint!(
    /// `sentence:alliteration_increment`: each sentence scores more than the previous one,
    /// where a run of k words sharing their first character scores k.
    AlliterationIncrement,
    "sentence:alliteration_increment",
    "Each sentence must have a longer sequence of consecutive alliterative words than the previous one.",
    |r| {
        let mut prev: i64 = -1;
        for s in nlp::sentences(r) {
            let low = lower(&s);
            let words: Vec<&str> = python::split(&low)
                .into_iter()
                .map(|w| w.trim_start_matches(is_punct_or_space))
                .filter(|w| !w.is_empty())
                .collect();
            let mut score: i64 = 0;
            let mut in_run = false;
            for p in words.windows(2) {
                if p[0].chars().next() == p[1].chars().next() {
                    score += if in_run { 1 } else { 2 };
                    in_run = true;
                } else {
                    in_run = false;
                }
            }
            if score <= prev {
                return false;
            }
            prev = score;
        }
        true
    }
);

/// `sentence:keyword`: the `N`-th sentence contains `word` (a case-insensitive substring test
/// at commit 8a66c06, so `eat` is found in `eating`). As in the official code, `N = 0` means the
/// last sentence (Python index `-1`).
#[derive(Debug, Clone)]
pub struct Keyword {
    word: String,
    n: i64,
}

impl Keyword {
    /// Builds from `word` (non-empty) and `N` (`>= 0`).
    pub fn new(args: &Args) -> Result<Self, ConstraintError> {
        const ID: &str = "sentence:keyword";
        let word = args.string("word")?;
        if word.is_empty() {
            return Err(ConstraintError::MissingArg {
                id: ID.into(),
                arg: "word".into(),
                expected: "a non-empty string".into(),
            });
        }
        Ok(Self {
            word,
            n: non_negative_int(args, ID, "N")?,
        })
    }
}

impl Constraint for Keyword {
    fn id(&self) -> &str {
        "sentence:keyword"
    }
    fn kwargs(&self) -> Kwargs {
        kwargs_of(&[("word", self.word.as_str().into()), ("N", self.n.into())])
    }
    fn describe(&self) -> String {
        format!(
            "The response must include keyword \"{}\" in the {}-th sentence.",
            self.word, self.n
        )
    }
    fn check(&self, r: &str) -> bool {
        if !nonblank(r) {
            return false;
        }
        let s = nlp::sentences(r);
        if (s.len() as i64) < self.n {
            return false;
        }
        py_index(s.len(), self.n - 1).is_some_and(|i| lower(&s[i]).contains(&lower(&self.word)))
    }
}

int_constraint!(
    /// `sentence:increment`: each sentence has exactly `small_n` more words (punctuation
    /// removed, whitespace split) than the previous one.
    Increment, "sentence:increment", "small_n", non_negative_int,
    "Each sentence must contain exactly {} more words than the previous one.",
    |r, n| {
        let counts: Vec<i64> = nlp::sentences(r)
            .iter()
            .map(|s| python::split(strip(&remove_punct(s))).len() as i64)
            .collect();
        // The official code indexes `sentences[0]` (an IndexError when there is none).
        !counts.is_empty() && counts.windows(2).all(|p| p[1] == p[0] + n)
    }
);
