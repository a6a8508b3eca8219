//! Python's `str.isupper()` and `str.islower()` for whole strings, from CPython's per-character
//! tables ([`crate::text::charclass`]).

use crate::text::charclass::{py_lower, py_upper};

/// Titlecase letters (general category `Lt`), which make both `isupper` and `islower` false.
fn is_titlecase(c: char) -> bool {
    matches!(c as u32,
        0x1c5 | 0x1c8 | 0x1cb | 0x1f2 | 0x1f88..=0x1f8f | 0x1f98..=0x1f9f | 0x1fa8..=0x1faf
        | 0x1fbc | 0x1fcc | 0x1ffc)
}

/// Python's `s.isupper()`: no lowercase or titlecase character and at least one uppercase one.
pub fn is_upper(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if py_lower(c) || is_titlecase(c) {
            return false;
        }
        if py_upper(c) {
            cased = true;
        }
    }
    cased
}

/// Python's `s.islower()`: no uppercase or titlecase character and at least one lowercase one.
pub fn is_lower(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if py_upper(c) || is_titlecase(c) {
            return false;
        }
        if py_lower(c) {
            cased = true;
        }
    }
    cased
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_python() {
        assert!(is_upper("HELLO, WORLD 1"));
        assert!(!is_upper("123 ,."));
        assert!(!is_upper("HELLo"));
        assert!(!is_upper("ǅ"));
        assert!(is_lower("hello 1"));
        assert!(!is_lower(""));
        assert!(!is_lower("hEllo"));
        assert!(is_upper("ÉCOLE"));
        // U+00AA (ª) is Lowercase (Other_Lowercase) in Unicode, as in Python.
        assert!(is_lower("ª"));
    }
}
