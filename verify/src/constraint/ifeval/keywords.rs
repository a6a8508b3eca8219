//! `keywords:*`: existence, frequency, forbidden words and letter frequency.

use super::pyre::{is_literal, Flags, PyRegex};
use super::pyrepr::repr_list;
use super::relation::Relation;
use crate::constraint::args::Args;
use crate::constraint::params::{bad_arg, non_negative_int};
use crate::constraint::{Constraint, ConstraintError, Kwargs};
use crate::text::python::search_bounded;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::Value;

const IGNORE_CASE: Flags = Flags {
    ignore_case: true,
    multi_line: false,
};

/// Compiles a keyword the way `re.search(keyword, value, flags=re.IGNORECASE)` uses it.
fn keyword_regex(id: &str, arg: &str, pattern: &str) -> Result<PyRegex, ConstraintError> {
    PyRegex::new(pattern, IGNORE_CASE).map_err(|e| {
        bad_arg(
            id,
            arg,
            &format!("a valid regular expression ({e})"),
            pattern,
        )
    })
}

/// `keywords:existence`: every keyword (a Python regex, searched case-insensitively) occurs.
#[derive(Debug, Clone)]
pub struct KeywordExistence {
    keywords: Vec<String>,
    regexes: Vec<PyRegex>,
}

impl KeywordExistence {
    /// The official id.
    pub const ID: &'static str = "keywords:existence";

    /// Builds from kwargs `keywords` (a non-empty list; kept sorted, as the official code does).
    pub fn from_args(args: &Args<'_>) -> Result<Self, ConstraintError> {
        let mut keywords = args.strings("keywords")?;
        if keywords.is_empty() {
            return Err(bad_arg(
                Self::ID,
                "keywords",
                "a non-empty list of strings",
                "[]",
            ));
        }
        keywords.sort();
        let regexes = keywords
            .iter()
            .map(|k| keyword_regex(Self::ID, "keywords", k))
            .collect::<Result<_, _>>()?;
        Ok(Self { keywords, regexes })
    }
}

impl Constraint for KeywordExistence {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        let mut k = Kwargs::new();
        let list = self.keywords.iter().cloned().map(Value::String).collect();
        k.insert("keywords".into(), Value::Array(list));
        k
    }
    fn describe(&self) -> String {
        format!(
            "Include keywords {} in the response.",
            repr_list(&self.keywords)
        )
    }
    fn check(&self, response: &str) -> bool {
        self.regexes.iter().all(|r| r.is_match(response))
    }
}

/// `keywords:frequency`: the keyword occurs (non-overlapping, case-insensitive) less than /
/// at least `frequency` times.
#[derive(Debug, Clone)]
pub struct KeywordFrequency {
    keyword: String,
    frequency: i64,
    relation: Relation,
    regex: PyRegex,
}

impl KeywordFrequency {
    /// The official id.
    pub const ID: &'static str = "keywords:frequency";

    /// Builds from kwargs `keyword` (stripped), `frequency`, `relation`.
    pub fn from_args(args: &Args<'_>) -> Result<Self, ConstraintError> {
        let keyword = crate::text::python::strip(&args.string("keyword")?).to_string();
        if keyword.is_empty() {
            return Err(bad_arg(Self::ID, "keyword", "a non-empty string", "\"\""));
        }
        let frequency = non_negative_int(args, Self::ID, "frequency")?;
        let relation = Relation::from_args(args, "relation")?;
        let regex = keyword_regex(Self::ID, "keyword", &keyword)?;
        Ok(Self {
            keyword,
            frequency,
            relation,
            regex,
        })
    }
}

impl Constraint for KeywordFrequency {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        let mut k = Kwargs::new();
        k.insert("keyword".into(), Value::String(self.keyword.clone()));
        k.insert("frequency".into(), Value::from(self.frequency));
        k.insert(
            "relation".into(),
            Value::String(self.relation.as_str().into()),
        );
        k
    }
    fn describe(&self) -> String {
        format!(
            "In your response, the word {} should appear {} {} times.",
            self.keyword,
            self.relation.as_str(),
            self.frequency
        )
    }
    fn check(&self, response: &str) -> bool {
        self.relation
            .holds(self.regex.count(response), self.frequency)
    }
}

/// `keywords:forbidden_words`: no forbidden word occurs as a whole word (`\bword\b`,
/// case-insensitive).
#[derive(Debug, Clone)]
pub struct ForbiddenWords {
    words: Vec<String>,
    /// Per word: `None` for a literal word (searched with [`search_bounded`], Python's exact
    /// `\b` and `re.IGNORECASE`), else the compiled `\bword\b` pattern.
    regexes: Vec<Option<PyRegex>>,
}

impl ForbiddenWords {
    /// The official id.
    pub const ID: &'static str = "keywords:forbidden_words";

    /// Builds from kwargs `forbidden_words` (a non-empty list; deduplicated and sorted, as the
    /// official code does).
    pub fn from_args(args: &Args<'_>) -> Result<Self, ConstraintError> {
        let mut words = args.strings("forbidden_words")?;
        if words.is_empty() {
            return Err(bad_arg(
                Self::ID,
                "forbidden_words",
                "a non-empty list of strings",
                "[]",
            ));
        }
        words.sort();
        words.dedup();
        let regexes = words
            .iter()
            .map(|w| {
                if is_literal(w) {
                    Ok(None)
                } else {
                    keyword_regex(Self::ID, "forbidden_words", &format!(r"\b{w}\b")).map(Some)
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { words, regexes })
    }
}

impl Constraint for ForbiddenWords {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        let mut k = Kwargs::new();
        let list = self.words.iter().cloned().map(Value::String).collect();
        k.insert("forbidden_words".into(), Value::Array(list));
        k
    }
    fn describe(&self) -> String {
        format!(
            "Do not include keywords {} in the response.",
            repr_list(&self.words)
        )
    }
    fn check(&self, response: &str) -> bool {
        !self.words.iter().zip(&self.regexes).any(|(w, r)| match r {
            Some(r) => r.is_match(response),
            None => search_bounded(response, w, true),
        })
    }
}

/// `keywords:letter_frequency`: the letter occurs in the lowercased response less than / at
/// least `let_frequency` times.
#[derive(Debug, Clone)]
pub struct LetterFrequency {
    letter: char,
    frequency: i64,
    relation: Relation,
}

impl LetterFrequency {
    /// The official id.
    pub const ID: &'static str = "keywords:letter_frequency";

    /// Builds from kwargs `letter` (one character, lowercased), `let_frequency`,
    /// `let_relation`. The official code replaces a `letter` that is not an ASCII letter (the
    /// IFEval data has `"#"`) by a random one; here the character given is counted, which is
    /// what such prompts ask for.
    pub fn from_args(args: &Args<'_>) -> Result<Self, ConstraintError> {
        let raw = args.string("letter")?;
        let mut chars = raw.chars();
        let letter = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                let mut lower = c.to_lowercase();
                match (lower.next(), lower.next()) {
                    (Some(l), None) => Some(l),
                    _ => Some(c),
                }
            }
            _ => None,
        };
        let letter = letter.ok_or_else(|| {
            bad_arg(
                Self::ID,
                "letter",
                "a single character",
                &format!("{raw:?}"),
            )
        })?;
        let frequency = non_negative_int(args, Self::ID, "let_frequency")?;
        let relation = Relation::from_args(args, "let_relation")?;
        Ok(Self {
            letter,
            frequency,
            relation,
        })
    }
}

impl Constraint for LetterFrequency {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        let mut k = Kwargs::new();
        k.insert("letter".into(), Value::String(self.letter.to_string()));
        k.insert("let_frequency".into(), Value::from(self.frequency));
        k.insert(
            "let_relation".into(),
            Value::String(self.relation.as_str().into()),
        );
        k
    }
    fn describe(&self) -> String {
        format!(
            "In your response, the letter {} should appear {} {} times.",
            self.letter,
            self.relation.as_str(),
            self.frequency
        )
    }
    fn check(&self, response: &str) -> bool {
        let n = response
            .to_lowercase()
            .chars()
            .filter(|&c| c == self.letter)
            .count();
        self.relation.holds(n, self.frequency)
    }
}
