//! Python's `str.isupper()` and `str.islower()` for whole strings, from CPython's
//! per-character tables ([`super::classes`]), not Rust's (whose Unicode version is newer).

use super::classes::{is_lower, is_title, is_upper};

/// Python `s.islower()`: no uppercase or titlecase character and at least one lowercase one.
pub fn is_lower_str(s: &str) -> bool {
    cased_as(s, is_lower, is_upper)
}

/// Python `s.isupper()`: no lowercase or titlecase character and at least one uppercase one.
pub fn is_upper_str(s: &str) -> bool {
    cased_as(s, is_upper, is_lower)
}

/// CPython's loop behind `islower` / `isupper`: false at the first `opposite` or titlecase
/// character, else whether some character is `wanted`.
fn cased_as(s: &str, wanted: fn(char) -> bool, opposite: fn(char) -> bool) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if opposite(c) || is_title(c) {
            return false;
        }
        cased |= wanted(c);
    }
    cased
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_python() {
        assert!(is_upper_str("HELLO, WORLD 1"));
        assert!(is_upper_str("ÉCOLE"));
        assert!(!is_upper_str("123 ,."));
        assert!(!is_upper_str("HELLo"));
        assert!(!is_upper_str("ǅ"));
        assert!(is_lower_str("hello 1") && is_lower_str("abc1"));
        assert!(!is_lower_str("") && !is_lower_str("1"));
        assert!(!is_lower_str("hEllo") && !is_lower_str("aB"));
        // U+00AA (ª) is Lowercase (Other_Lowercase) in Unicode, as in Python.
        assert!(is_lower_str("ª"));
        // U+A7CB (Latin capital ramshorn) is uppercase only from Unicode 16 on; Python 3.11
        // (Unicode 14) sees no cased character at all.
        assert!(!is_upper_str("\u{a7cb}"));
    }
}
