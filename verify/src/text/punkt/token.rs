//! `PunktToken`: one word token with the annotations of sentence-boundary detection.

use alloc::string::String;

use crate::text::{python, rx};

/// A token and its annotations (NLTK `PunktToken`; `parastart`/`linestart` are omitted as
/// tokenization never reads them).
#[derive(Debug, Clone)]
pub struct PunktToken<'a> {
    /// The token text.
    pub tok: &'a str,
    /// Case-normalised type: `tok.lower()`, or `##number##` for numbers.
    pub typ: String,
    /// Whether the token ends in a period.
    pub period_final: bool,
    /// Marked as a sentence break.
    pub sentbreak: bool,
    /// Marked as an abbreviation.
    pub abbr: bool,
    /// Marked as an ellipsis.
    pub ellipsis: bool,
}

/// `^-?[\.,]?\d[\d,\.-]*\.?$` (NLTK `_RE_NUMERIC`, full match since nothing else can match).
fn is_numeric(s: &str) -> bool {
    let mut rest = s.strip_prefix('-').unwrap_or(s);
    rest = rest
        .strip_prefix('.')
        .or_else(|| rest.strip_prefix(','))
        .unwrap_or(rest);
    let mut chars = rest.chars();
    match chars.next() {
        Some(c) if rx::is_digit(c) => {}
        _ => return false,
    }
    chars.all(|c| rx::is_digit(c) || matches!(c, ',' | '.' | '-'))
}

impl<'a> PunktToken<'a> {
    /// Make an unannotated token.
    pub fn new(tok: &'a str) -> Self {
        let lower = tok.to_lowercase();
        let typ = if is_numeric(&lower) {
            String::from("##number##")
        } else {
            lower
        };
        PunktToken {
            tok,
            typ,
            period_final: tok.ends_with('.'),
            sentbreak: false,
            abbr: false,
            ellipsis: false,
        }
    }

    /// The type with its final period removed if it has one (and is longer than one char).
    pub fn type_no_period(&self) -> &str {
        if self.typ.chars().nth(1).is_some() && self.typ.ends_with('.') {
            &self.typ[..self.typ.len() - 1]
        } else {
            &self.typ
        }
    }

    /// The type with its final period removed if the token is marked as a sentence break.
    pub fn type_no_sentperiod(&self) -> &str {
        if self.sentbreak {
            self.type_no_period()
        } else {
            &self.typ
        }
    }

    /// Python `tok[0].isupper()`.
    pub fn first_upper(&self) -> bool {
        self.tok.chars().next().is_some_and(python::is_upper)
    }

    /// Python `tok[0].islower()`.
    pub fn first_lower(&self) -> bool {
        self.tok.chars().next().is_some_and(python::is_lower)
    }

    /// `\.\.+$`: two or more periods and nothing else.
    pub fn is_ellipsis(&self) -> bool {
        self.tok.len() >= 2 && self.tok.bytes().all(|b| b == b'.')
    }

    /// `[^\W\d]\.$`: one letter-like character followed by a period.
    pub fn is_initial(&self) -> bool {
        let mut chars = self.tok.chars();
        matches!(
            (chars.next(), chars.next(), chars.next()),
            (Some(c), Some('.'), None) if rx::is_word(c) && !rx::is_digit(c)
        )
    }

    /// Whether the type is `##number##`-prefixed.
    pub fn is_number(&self) -> bool {
        self.typ.starts_with("##number##")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_shapes() {
        assert_eq!(PunktToken::new("-3,5.").typ, "##number##");
        assert_eq!(PunktToken::new(".5").typ, "##number##");
        assert_eq!(PunktToken::new("--5").typ, "--5");
        assert_eq!(PunktToken::new("Dr.").type_no_period(), "dr");
        assert_eq!(PunktToken::new(".").type_no_period(), ".");
        assert!(PunktToken::new("J.").is_initial());
        assert!(!PunktToken::new("1.").is_initial());
        assert!(PunktToken::new("...").is_ellipsis());
        assert!(PunktToken::new("Élan").first_upper());
    }
}
