//! `length_constraints:*`: sentences, paragraphs, words, and the first word of a paragraph.

use super::pyre::{Flags, PyRegex, PY_S};
use super::relation::Relation;
use crate::constraint::args::Args;
use crate::constraint::params::non_negative_int;
use crate::constraint::{Constraint, ConstraintError, Kwargs};
use crate::text::python::{is_space, strip};
use alloc::format;
use alloc::string::{String, ToString};
use serde_json::Value;

/// `length_constraints:number_sentences`: the NLTK Punkt sentence count is less than / at
/// least `num_sentences`.
#[derive(Debug, Clone)]
pub struct NumberOfSentences {
    num_sentences: i64,
    relation: Relation,
}

impl NumberOfSentences {
    /// The official id.
    pub const ID: &'static str = "length_constraints:number_sentences";

    /// Builds from kwargs `num_sentences`, `relation`.
    pub fn from_args(args: &Args<'_>) -> Result<Self, ConstraintError> {
        Ok(Self {
            num_sentences: non_negative_int(args, Self::ID, "num_sentences")?,
            relation: Relation::from_args(args, "relation")?,
        })
    }
}

impl Constraint for NumberOfSentences {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        let mut k = Kwargs::new();
        k.insert("num_sentences".into(), Value::from(self.num_sentences));
        k.insert(
            "relation".into(),
            Value::String(self.relation.as_str().into()),
        );
        k
    }
    fn describe(&self) -> String {
        format!(
            "Your response should contain {} {} sentences.",
            self.relation.as_str(),
            self.num_sentences
        )
    }
    fn check(&self, response: &str) -> bool {
        let n = super::machinery::sentences(response).len();
        self.relation.holds(n, self.num_sentences)
    }
}

/// `length_constraints:number_paragraphs`: exactly `num_paragraphs` paragraphs separated by
/// the markdown divider `***` (split on `\s?\*\*\*\s?`; an empty paragraph is allowed only
/// first or last).
#[derive(Debug, Clone)]
pub struct NumberOfParagraphs {
    num_paragraphs: i64,
    divider: PyRegex,
}

impl NumberOfParagraphs {
    /// The official id.
    pub const ID: &'static str = "length_constraints:number_paragraphs";

    /// Builds from kwargs `num_paragraphs`.
    pub fn from_args(args: &Args<'_>) -> Result<Self, ConstraintError> {
        let divider = PyRegex::fixed(&format!(r"{PY_S}?\*\*\*{PY_S}?"), Flags::default());
        Ok(Self {
            num_paragraphs: non_negative_int(args, Self::ID, "num_paragraphs")?,
            divider,
        })
    }
}

impl Constraint for NumberOfParagraphs {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        let mut k = Kwargs::new();
        k.insert("num_paragraphs".into(), Value::from(self.num_paragraphs));
        k
    }
    fn describe(&self) -> String {
        format!(
            "There should be {} paragraphs. Paragraphs are separated with the markdown divider: ***",
            self.num_paragraphs
        )
    }
    fn check(&self, response: &str) -> bool {
        let paragraphs = self.divider.split(response);
        let last = paragraphs.len() - 1;
        let mut n = paragraphs.len() as i64;
        for (i, p) in paragraphs.iter().enumerate() {
            if strip(p).is_empty() {
                if i == 0 || i == last {
                    n -= 1;
                } else {
                    return false;
                }
            }
        }
        n == self.num_paragraphs
    }
}

/// `length_constraints:number_words`: the `\w+` word count is less than / at least
/// `num_words`.
#[derive(Debug, Clone)]
pub struct NumberOfWords {
    num_words: i64,
    relation: Relation,
}

impl NumberOfWords {
    /// The official id.
    pub const ID: &'static str = "length_constraints:number_words";

    /// Builds from kwargs `num_words`, `relation`.
    pub fn from_args(args: &Args<'_>) -> Result<Self, ConstraintError> {
        Ok(Self {
            num_words: non_negative_int(args, Self::ID, "num_words")?,
            relation: Relation::from_args(args, "relation")?,
        })
    }
}

impl Constraint for NumberOfWords {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        let mut k = Kwargs::new();
        k.insert("num_words".into(), Value::from(self.num_words));
        k.insert(
            "relation".into(),
            Value::String(self.relation.as_str().into()),
        );
        k
    }
    fn describe(&self) -> String {
        format!(
            "Answer with {} {} words.",
            self.relation.as_str(),
            self.num_words
        )
    }
    fn check(&self, response: &str) -> bool {
        let n = super::machinery::count_words(response);
        self.relation.holds(n, self.num_words)
    }
}

/// `length_constraints:nth_paragraph_first_word`: exactly `num_paragraphs` paragraphs
/// separated by `"\n\n"`, and paragraph `nth_paragraph` starts with `first_word`.
#[derive(Debug, Clone)]
pub struct NthParagraphFirstWord {
    num_paragraphs: i64,
    nth_paragraph: i64,
    first_word: String,
}

impl NthParagraphFirstWord {
    /// The official id.
    pub const ID: &'static str = "length_constraints:nth_paragraph_first_word";

    /// Builds from kwargs `num_paragraphs`, `nth_paragraph` (1 ≤ nth ≤ num), `first_word`
    /// (lowercased, as the official code does).
    pub fn from_args(args: &Args<'_>) -> Result<Self, ConstraintError> {
        let num_paragraphs = non_negative_int(args, Self::ID, "num_paragraphs")?;
        let nth_paragraph = args.int("nth_paragraph")?;
        if nth_paragraph <= 0 || nth_paragraph > num_paragraphs {
            let expected = format!("an integer from 1 to num_paragraphs ({num_paragraphs})");
            let found = nth_paragraph.to_string();
            return Err(crate::constraint::params::bad_arg(
                Self::ID,
                "nth_paragraph",
                &expected,
                &found,
            ));
        }
        let first_word = args.string("first_word")?.to_lowercase();
        Ok(Self {
            num_paragraphs,
            nth_paragraph,
            first_word,
        })
    }
}

impl Constraint for NthParagraphFirstWord {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        let mut k = Kwargs::new();
        k.insert("num_paragraphs".into(), Value::from(self.num_paragraphs));
        k.insert("nth_paragraph".into(), Value::from(self.nth_paragraph));
        k.insert("first_word".into(), Value::String(self.first_word.clone()));
        k
    }
    fn describe(&self) -> String {
        format!(
            "There should be {} paragraphs. Paragraphs and only paragraphs are separated with \
             each other by two new lines as if it was '\\n\\n' in python. Paragraph {} must \
             start with word {}.",
            self.num_paragraphs, self.nth_paragraph, self.first_word
        )
    }
    fn check(&self, response: &str) -> bool {
        let paragraphs: alloc::vec::Vec<&str> = response.split("\n\n").collect();
        let blank = paragraphs.iter().filter(|p| strip(p).is_empty()).count();
        let num = (paragraphs.len() - blank) as i64;
        // As the official code: the nth paragraph is taken from the list *with* blank ones.
        if self.nth_paragraph > num {
            return false;
        }
        let paragraph = match paragraphs.get((self.nth_paragraph - 1) as usize) {
            Some(p) => strip(p),
            None => return false,
        };
        let Some(word) = paragraph.split(is_space).find(|w| !w.is_empty()) else {
            return false;
        };
        let word = word.trim_start_matches('\'').trim_start_matches('"');
        let mut first_word = String::new();
        for c in word.chars() {
            if matches!(c, '.' | ',' | '?' | '!' | '\'' | '"') {
                break;
            }
            first_word.extend(c.to_lowercase());
        }
        num == self.num_paragraphs && first_word == self.first_word
    }
}
