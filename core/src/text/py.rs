//! Small pieces of Python `str` semantics the official checkers depend on.

/// Python's `str.isspace()` for one character (Unicode White_Space plus the ASCII separators
/// `\x1c`–`\x1f` that Python also counts).
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.strip()` with no argument.
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_like_python() {
        assert_eq!(strip("  a b \n\t"), "a b");
        assert_eq!(strip("\u{1c}x\u{a0}"), "x");
        assert_eq!(strip(""), "");
    }
}
