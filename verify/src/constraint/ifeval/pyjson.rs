//! Whether Python's `json.loads` accepts a string (CPython's C scanner, `strict=True`).
//!
//! Differences from RFC 8259 that Python has and this reproduces: `NaN`, `Infinity` and
//! `-Infinity` are values; a leading U+FEFF is rejected; an integer literal longer than
//! 4300 digits is rejected (CPython ≥ 3.11 `int` conversion limit, a `ValueError`).
//! Nesting depth is unbounded here: where Python raises `RecursionError` (≈1000 levels, not a
//! `ValueError`, so the official checker would crash) this accepts the document.

use alloc::vec::Vec;

/// CPython's default `sys.get_int_max_str_digits()`.
const INT_MAX_STR_DIGITS: usize = 4300;

/// `True` iff `json.loads(s)` returns without raising `ValueError`.
pub fn loads_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut p = Parser { b, i: 0 };
    p.ws();
    if !p.value() {
        return false;
    }
    p.ws();
    p.i == b.len()
}

#[derive(Clone, Copy)]
enum Frame {
    Array,
    Object,
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Python's `WHITESPACE = r'[ \t\n\r]*'`.
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn lit(&mut self, word: &[u8]) -> bool {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            true
        } else {
            false
        }
    }

    /// One value, with containers handled by an explicit stack.
    fn value(&mut self) -> bool {
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            // Parse a value start.
            match self.peek() {
                Some(b'[') => {
                    self.i += 1;
                    self.ws();
                    if self.peek() == Some(b']') {
                        self.i += 1;
                    } else {
                        stack.push(Frame::Array);
                        continue;
                    }
                }
                Some(b'{') => {
                    self.i += 1;
                    self.ws();
                    if self.peek() == Some(b'}') {
                        self.i += 1;
                    } else {
                        if !self.key() {
                            return false;
                        }
                        stack.push(Frame::Object);
                        continue;
                    }
                }
                _ => {
                    if !self.scalar() {
                        return false;
                    }
                }
            }
            // A value is complete: close containers or move to the next element.
            loop {
                let Some(&top) = stack.last() else {
                    return true;
                };
                self.ws();
                match (top, self.peek()) {
                    (Frame::Array, Some(b']')) | (Frame::Object, Some(b'}')) => {
                        self.i += 1;
                        stack.pop();
                    }
                    (Frame::Array, Some(b',')) => {
                        self.i += 1;
                        self.ws();
                        break;
                    }
                    (Frame::Object, Some(b',')) => {
                        self.i += 1;
                        self.ws();
                        if !self.key() {
                            return false;
                        }
                        break;
                    }
                    _ => return false,
                }
            }
        }
    }

    /// `"key" ws ':' ws`, leaving the cursor on the value.
    fn key(&mut self) -> bool {
        if self.peek() != Some(b'"') || !self.string() {
            return false;
        }
        self.ws();
        if self.peek() != Some(b':') {
            return false;
        }
        self.i += 1;
        self.ws();
        true
    }

    fn scalar(&mut self) -> bool {
        match self.peek() {
            Some(b'"') => self.string(),
            Some(b'n') => self.lit(b"null"),
            Some(b't') => self.lit(b"true"),
            Some(b'f') => self.lit(b"false"),
            Some(b'N') => self.lit(b"NaN"),
            Some(b'I') => self.lit(b"Infinity"),
            Some(b'-') if self.b[self.i..].starts_with(b"-Infinity") => self.lit(b"-Infinity"),
            Some(_) => self.number(),
            None => false,
        }
    }

    /// A string in strict mode: no raw control characters, only the JSON escapes.
    fn string(&mut self) -> bool {
        self.i += 1; // opening quote
        loop {
            let Some(c) = self.peek() else {
                return false;
            };
            self.i += 1;
            match c {
                b'"' => return true,
                b'\\' => {
                    let Some(e) = self.peek() else {
                        return false;
                    };
                    self.i += 1;
                    match e {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => {
                            let hex = self.b.get(self.i..self.i + 4);
                            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                                return false;
                            }
                            self.i += 4;
                        }
                        _ => return false,
                    }
                }
                c if c < 0x20 => return false,
                _ => {}
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    /// CPython's `_match_number_unicode`: backs off an incomplete fraction or exponent.
    fn number(&mut self) -> bool {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let int_digits = match self.peek() {
            Some(b'1'..=b'9') => self.digits(),
            Some(b'0') => {
                self.i += 1;
                1
            }
            _ => return false,
        };
        let mut is_float = false;
        if self.peek() == Some(b'.') && matches!(self.b.get(self.i + 1), Some(b'0'..=b'9')) {
            self.i += 1;
            self.digits();
            is_float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let e_start = self.i;
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() > 0 {
                is_float = true;
            } else {
                self.i = e_start;
            }
        }
        is_float || int_digits <= INT_MAX_STR_DIGITS
    }
}

#[cfg(test)]
mod tests {
    use super::loads_ok;

    #[test]
    fn accepts_what_python_accepts() {
        for ok in [
            "{}",
            "[]",
            " {\"a\": [1, 2.5e-3, -0, true, null, \"x\\u00e9\"]} ",
            "\"s\"",
            "12",
            "NaN",
            "[-Infinity, Infinity]",
            "{\"a\":{\"b\":[[]]}}",
            "1E+2",
            "\"\\ud800\"",
        ] {
            assert!(loads_ok(ok), "{ok}");
        }
    }

    #[test]
    fn rejects_what_python_rejects() {
        for bad in [
            "",
            " ",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "{'a': 1}",
            "01",
            "1.",
            "1e",
            "-",
            "+1",
            ".5",
            "\"\\x\"",
            "\"a\nb\"",
            "\u{feff}{}",
            "{} {}",
            "[1 2]",
            "{\"a\" 1}",
            "nul",
            "\"abc",
            "{\"a\":}",
            "[,1]",
            "\u{a0}1",
        ] {
            assert!(!loads_ok(bad), "{bad:?}");
        }
        let big = "1".repeat(4301);
        assert!(!loads_ok(&big));
        assert!(loads_ok(&"1".repeat(4300)));
    }
}
