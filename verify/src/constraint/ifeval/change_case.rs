//! `change_case:*`: counts of all-capital words, and all-capital / all-lowercase English (the
//! last two need langdetect: they exist with the `langdetect` feature, on by default).

#[cfg(feature = "langdetect")]
use super::machinery::detect_language;
use super::relation::Relation;
use crate::constraint::args::Args;
use crate::constraint::{Constraint, ConstraintError, Kwargs};
#[cfg(feature = "langdetect")]
use crate::text::python::is_lower_str;
use crate::text::python::is_upper_str;
use alloc::format;
use alloc::string::String;
use serde_json::Value;

/// `change_case:capital_word_frequency`: the number of NLTK `word_tokenize` tokens for which
/// Python's `str.isupper()` holds is less than / at least `capital_frequency`.
#[derive(Debug, Clone)]
pub struct CapitalWordFrequency {
    frequency: i64,
    relation: Relation,
}

impl CapitalWordFrequency {
    /// The official id.
    pub const ID: &'static str = "change_case:capital_word_frequency";

    /// Builds from kwargs `capital_frequency`, `capital_relation`.
    pub fn from_args(args: &Args<'_>) -> Result<Self, ConstraintError> {
        // The official code accepts any integer here (no check for negative values).
        let frequency = args.int("capital_frequency")?;
        let relation = Relation::from_args(args, "capital_relation")?;
        Ok(Self {
            frequency,
            relation,
        })
    }
}

impl Constraint for CapitalWordFrequency {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        let mut k = Kwargs::new();
        k.insert("capital_frequency".into(), Value::from(self.frequency));
        k.insert(
            "capital_relation".into(),
            Value::String(self.relation.as_str().into()),
        );
        k
    }
    fn describe(&self) -> String {
        format!(
            "In your response, words with all capital letters should appear {} {} times.",
            self.relation.as_str(),
            self.frequency
        )
    }
    fn check(&self, response: &str) -> bool {
        let words = super::machinery::treebank_words(response);
        let n = words.iter().filter(|w| is_upper_str(w)).count();
        self.relation.holds(n, self.frequency)
    }
}

/// `change_case:english_capital`: `str.isupper()` and langdetect says English (a response
/// langdetect cannot classify counts as following once `isupper` holds).
#[cfg(feature = "langdetect")]
#[derive(Debug, Clone, Default)]
pub struct EnglishCapital;

#[cfg(feature = "langdetect")]
impl EnglishCapital {
    /// The official id.
    pub const ID: &'static str = "change_case:english_capital";
}

#[cfg(feature = "langdetect")]
impl Constraint for EnglishCapital {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        Kwargs::new()
    }
    fn describe(&self) -> String {
        "Your entire response should be in English, and in all capital letters.".into()
    }
    fn check(&self, response: &str) -> bool {
        is_upper_str(response) && detect_language(response).is_none_or(|l| l == "en")
    }
}

/// `change_case:english_lowercase`: `str.islower()` and langdetect says English (a response
/// langdetect cannot classify counts as following once `islower` holds).
#[cfg(feature = "langdetect")]
#[derive(Debug, Clone, Default)]
pub struct EnglishLowercase;

#[cfg(feature = "langdetect")]
impl EnglishLowercase {
    /// The official id.
    pub const ID: &'static str = "change_case:english_lowercase";
}

#[cfg(feature = "langdetect")]
impl Constraint for EnglishLowercase {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        Kwargs::new()
    }
    fn describe(&self) -> String {
        "Your entire response should be in English, and in all lowercase letters. No capital \
         letters are allowed."
            .into()
    }
    fn check(&self, response: &str) -> bool {
        is_lower_str(response) && detect_language(response).is_none_or(|l| l == "en")
    }
}
