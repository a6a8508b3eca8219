//! `\w+` word runs, as IFEval's `count_words` and friends find them.
//!
//! Two engines disagree on `\w`: Python's `re` (`str.isalnum()` or `_`) and the `regex`
//! engine NLTK compiles its patterns with (which also counts combining marks, so e.g. Hindi
//! words with vowel signs stay whole). Use the one the checker being ported uses.

use alloc::vec::Vec;

use crate::text::{python, rx};

/// The maximal runs of characters satisfying `member`, left to right: Python's
/// `re.findall(r"X+", text)` for a one-character class `X` (e.g. `\w`, `\d`).
pub fn runs(text: &str, member: impl Fn(char) -> bool) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match (member(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(&text[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// Python `re.findall(r"\w+", text)` (Unicode `str` semantics of the `re` module).
pub fn word_regex_tokens(text: &str) -> Vec<&str> {
    runs(text, python::is_word)
}

/// `nltk.tokenize.RegexpTokenizer(r"\w+").tokenize(text)` as of NLTK 3.10, which compiles
/// the pattern with the `regex` engine (`nltk.redos`); this is IFEval's `count_words`.
pub fn nltk_regexp_word_tokens(text: &str) -> Vec<&str> {
    runs(text, rx::is_word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_runs() {
        assert_eq!(
            word_regex_tokens("Hi, it's 2nd_place! ²"),
            ["Hi", "it", "s", "2nd_place", "²"]
        );
        // U+0301 COMBINING ACUTE ACCENT: not `re` \w, but `regex` \w.
        assert_eq!(word_regex_tokens("cafe\u{301} x"), ["cafe", "x"]);
        assert_eq!(
            nltk_regexp_word_tokens("cafe\u{301} x"),
            ["cafe\u{301}", "x"]
        );
        assert!(word_regex_tokens("").is_empty());
    }
}
