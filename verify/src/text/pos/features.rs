//! Feature extraction of NLTK's `PerceptronTagger` (`normalize` and `_get_features`).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::text::python;

/// `PerceptronTagger.START`.
pub const START: [&str; 2] = ["-START-", "-START2-"];
/// `PerceptronTagger.END`.
pub const END: [&str; 2] = ["-END-", "-END2-"];

/// `PerceptronTagger.normalize`: `!HYPHEN`, `!YEAR`, `!DIGITS` or the lower-cased word.
pub fn normalize(word: &str) -> String {
    let first = word.chars().next();
    if word.contains('-') && first != Some('-') {
        return String::from("!HYPHEN");
    }
    if word.chars().count() == 4 && word.chars().all(python::is_digit) {
        return String::from("!YEAR");
    }
    if first.is_some_and(python::is_digit) {
        return String::from("!DIGITS");
    }
    word.to_lowercase()
}

/// Python `s[-3:]`.
fn suffix3(s: &str) -> &str {
    match s.char_indices().rev().nth(2) {
        Some((i, _)) => &s[i..],
        None => s,
    }
}

/// `_get_features(i, word, context, prev, prev2)`, in insertion order (every value is 1).
/// `context` is `START + normalized tokens + END`; `i` indexes the tokens.
pub fn features(i: usize, word: &str, context: &[String], prev: &str, prev2: &str) -> Vec<String> {
    let i = i + START.len();
    let pref1: &str = match word.chars().next() {
        Some(c) => &word[..c.len_utf8()],
        None => "",
    };
    alloc::vec![
        String::from("bias"),
        format!("i suffix {}", suffix3(word)),
        format!("i pref1 {pref1}"),
        format!("i-1 tag {prev}"),
        format!("i-2 tag {prev2}"),
        format!("i tag+i-2 tag {prev} {prev2}"),
        format!("i word {}", context[i]),
        format!("i-1 tag+i word {prev} {}", context[i]),
        format!("i-1 word {}", context[i - 1]),
        format!("i-1 suffix {}", suffix3(&context[i - 1])),
        format!("i-2 word {}", context[i - 2]),
        format!("i+1 word {}", context[i + 1]),
        format!("i+1 suffix {}", suffix3(&context[i + 1])),
        format!("i+2 word {}", context[i + 2]),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization() {
        assert_eq!(normalize("well-known"), "!HYPHEN");
        assert_eq!(normalize("-5"), "-5");
        assert_eq!(normalize("1999"), "!YEAR");
        assert_eq!(normalize("19999"), "!DIGITS");
        assert_eq!(normalize("3rd"), "!DIGITS");
        assert_eq!(normalize("Hello"), "hello");
        assert_eq!(suffix3("ab"), "ab");
        assert_eq!(suffix3("naïve"), "ïve");
    }
}
