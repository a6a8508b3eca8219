//! Python's `repr()` of strings, lists and tuples of strings, as `str.format` renders them in
//! the official `build_description` texts (e.g. `Include keywords ['a', 'b'] in the response.`).

use alloc::string::String;
use core::fmt::Write;

/// Whether Python's `str.isprintable()` is false for `c` (control, format, separator other
/// than the ASCII space, surrogate or private use; unassigned code points are not tracked).
fn is_unprintable(c: char) -> bool {
    let u = c as u32;
    matches!(u,
        0x00..=0x1f | 0x7f..=0xa0 | 0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f
        | 0x1680 | 0x180e | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x2064
        | 0x2066..=0x206f | 0x3000 | 0xe000..=0xf8ff | 0xfeff | 0xfff9..=0xfffb
        | 0xf0000..=0x10ffff)
}

/// Python's `repr(s)` for a `str`.
pub fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_unprintable(c) => {
                let u = c as u32;
                // Writing to a String cannot fail.
                let _ = if u < 0x100 {
                    write!(out, "\\x{u:02x}")
                } else if u < 0x10000 {
                    write!(out, "\\u{u:04x}")
                } else {
                    write!(out, "\\U{u:08x}")
                };
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `repr()` of a list of `str`: `['a', 'b']`.
pub fn repr_list<S: AsRef<str>>(items: &[S]) -> String {
    wrap('[', items, ']')
}

/// Python's `repr()` of a tuple of two or more `str`: `('a', 'b')`.
pub fn repr_tuple<S: AsRef<str>>(items: &[S]) -> String {
    wrap('(', items, ')')
}

fn wrap<S: AsRef<str>>(open: char, items: &[S], close: char) -> String {
    let mut out = String::new();
    out.push(open);
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&repr_str(s.as_ref()));
    }
    out.push(close);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_python() {
        assert_eq!(repr_str("abc"), "'abc'");
        assert_eq!(repr_str("it's"), "\"it's\"");
        assert_eq!(repr_str("it's \"x\""), "'it\\'s \"x\"'");
        assert_eq!(repr_str("a\\b\n\u{1}"), "'a\\\\b\\n\\x01'");
        assert_eq!(repr_str("é\u{2028}"), "'é\\u2028'");
        assert_eq!(repr_list(&["a", "b"]), "['a', 'b']");
        assert_eq!(repr_list::<&str>(&[]), "[]");
        assert_eq!(repr_tuple(&["x", "y"]), "('x', 'y')");
    }
}
