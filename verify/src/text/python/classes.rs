//! One-character Python predicates: `re`'s `\w`, `\s`, `\d` and the `str.is*()` methods.

use super::tables;
use crate::text::ranges::contains;

/// `\w` of Python's `re` for a `str` pattern: `c.isalnum() or c == '_'`.
pub fn is_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    contains(tables::WORD, c)
}

/// Python `str.isspace()` for one character, which is also `re`'s `\s`: Unicode White_Space
/// plus the information separators `\x1c`–`\x1f`.
pub fn is_space(c: char) -> bool {
    if c.is_ascii() {
        return matches!(c, '\t'..='\r' | '\u{1c}'..='\u{1f}' | ' ');
    }
    contains(tables::SPACE, c)
}

/// Python `str.isdecimal()` for one character, which is also `re`'s `\d`: category Nd.
pub fn is_decimal(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    contains(tables::DECIMAL, c)
}

/// The value Python's `int()` gives a decimal digit (`None` if `c` is not category Nd).
pub fn decimal_value(c: char) -> Option<u32> {
    if c.is_ascii_digit() {
        return Some(c as u32 - '0' as u32);
    }
    let cp = c as u32;
    // Every Nd block is a run of complete 0..9 sequences, so the offset gives the value.
    tables::DECIMAL
        .iter()
        .find(|&&(lo, hi)| lo <= cp && cp <= hi)
        .map(|&(lo, _)| (cp - lo) % 10)
}

/// Python `str.isdigit()` for one character (Numeric_Type Digit or Decimal, e.g. `²`).
pub fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    contains(tables::DIGIT, c)
}

/// Python `str.isalpha()` for one character (general categories Lu, Ll, Lt, Lm, Lo).
pub fn is_alpha(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    contains(tables::ALPHA, c)
}

/// Python `str.isupper()` for one character (Unicode 14's Uppercase property).
pub fn is_upper(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_uppercase();
    }
    contains(tables::UPPER, c)
}

/// Python `str.islower()` for one character (Unicode 14's Lowercase property).
pub fn is_lower(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_lowercase();
    }
    contains(tables::LOWER, c)
}

/// Whether `c` is a titlecase letter (general category Lt), which Python's `str.isupper()`
/// and `str.islower()` reject.
pub fn is_title(c: char) -> bool {
    !c.is_ascii() && contains(tables::TITLE, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_like_python() {
        // Devanagari vowel sign: alphabetic for Rust, not `\w` for Python.
        assert!(!is_word('\u{093E}'));
        assert!('\u{093E}'.is_alphabetic());
        assert!(is_word('é') && is_word('_') && is_word('²') && !is_word('-'));
        assert!(is_decimal('٣') && !is_decimal('²') && is_digit('²') && !is_digit('½'));
        assert!(is_decimal('\u{ff19}') && is_decimal('\u{1d7ce}') && is_decimal('\u{1d7ff}'));
        assert!(!is_decimal('\u{2167}'));
        assert_eq!(decimal_value('٣'), Some(3));
        assert_eq!(decimal_value('𝟗'), Some(9));
        assert_eq!(decimal_value('x'), None);
        assert!(is_alpha('ß') && !is_alpha('Ⅳ') && !is_alpha('1'));
        assert!(is_space('\u{1c}') && is_space('\u{a0}') && is_space('\u{3000}'));
        assert!(!is_space('\u{200b}') && !is_space('\u{180e}'));
        assert!(is_upper('\u{c9}') && is_lower('\u{e9}') && !is_upper('1'));
        assert!(is_title('ǅ') && !is_upper('ǅ') && !is_lower('ǅ'));
    }
}
