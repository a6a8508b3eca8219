//! Python's argument-less `str.strip()`, `str.rstrip()` and `str.split()`, which cut at
//! `str.isspace()` characters ([`super::is_space`]).

use super::classes::is_space;
use alloc::vec::Vec;

/// Python `s.strip()` with no argument.
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// Python `s.rstrip()` with no argument.
pub fn rstrip(s: &str) -> &str {
    s.trim_end_matches(is_space)
}

/// Python `s.split()` with no argument: runs of `str.isspace()` characters separate fields,
/// and empty fields are dropped.
pub fn split(s: &str) -> Vec<&str> {
    s.split(is_space).filter(|f| !f.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_python() {
        assert_eq!(strip("  a b \n\t"), "a b");
        assert_eq!(strip("\u{1c}x\u{a0}"), "x");
        assert_eq!(strip(""), "");
        assert_eq!(rstrip(" a \u{3000}"), " a");
        assert_eq!(split(" a\u{1c}b  c "), ["a", "b", "c"]);
        assert_eq!(split(" a\u{a0}b\n\nc "), ["a", "b", "c"]);
    }
}
