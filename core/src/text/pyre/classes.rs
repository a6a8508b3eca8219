//! Character classes of Python's `re` (`\w`, `\d`) and `str` predicates.

use super::tables;

fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let cp = c as u32;
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                core::cmp::Ordering::Less
            } else if lo > cp {
                core::cmp::Ordering::Greater
            } else {
                core::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Python `re` `\w` for a `str` pattern: `c.isalnum() or c == '_'`.
pub fn is_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    in_table(tables::WORD, c)
}

/// Python `re` `\d` for a `str` pattern, and `str.isdecimal()`: general category Nd.
pub fn is_decimal(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    in_table(tables::DECIMAL, c)
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

/// Python `str.isdigit()` for one character (Numeric_Type Digit or Decimal).
pub fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    in_table(tables::DIGIT, c)
}

/// Python `str.isalpha()` for one character (general categories Lu, Ll, Lt, Lm, Lo).
pub fn is_alpha(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    in_table(tables::ALPHA, c)
}

/// Whether `c` is a titlecase letter (general category Lt).
pub fn is_title(c: char) -> bool {
    !c.is_ascii() && in_table(tables::TITLE, c)
}

/// Python `str.islower()`: at least one cased character, and no uppercase or titlecase one.
pub fn is_lower_str(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if c.is_uppercase() || is_title(c) {
            return false;
        }
        if c.is_lowercase() {
            cased = true;
        }
    }
    cased
}

/// Python `str.isupper()`: at least one cased character, and no lowercase or titlecase one.
pub fn is_upper_str(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if c.is_lowercase() || is_title(c) {
            return false;
        }
        if c.is_uppercase() {
            cased = true;
        }
    }
    cased
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
        assert_eq!(decimal_value('٣'), Some(3));
        assert_eq!(decimal_value('𝟗'), Some(9));
        assert_eq!(decimal_value('x'), None);
        assert!(is_alpha('ß') && !is_alpha('Ⅳ') && !is_alpha('1'));
        assert!(is_lower_str("abc1") && !is_lower_str("1") && !is_lower_str("aB"));
        assert!(is_upper_str("AB1") && !is_upper_str("ǅ"));
    }
}
