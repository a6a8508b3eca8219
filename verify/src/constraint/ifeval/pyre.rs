//! Python `re` as the official checkers use it, on top of `regex-automata`.
//!
//! The fixed patterns of the checkers are written here in Rust syntax with Python's meaning:
//! Python's `\s` (for `str`) is Unicode White_Space plus `\x1c`–`\x1f`, spelled [`PY_S`];
//! `.`, `^`/`$` under `MULTILINE`, `\d`, greedy and lazy quantifiers and leftmost-first
//! alternation mean the same in both engines. Patterns that come from kwargs (keywords,
//! section splitters, postscript markers) are passed through as written, as the official
//! code does; the syntax both engines share covers them (plain words and phrases).
//! Known differences, none reachable with the official data: empty matches right after a
//! non-empty one (Python 3.7+ `findall` keeps them, Rust skips them), and Python-only syntax
//! (look-around, back-references), which is reported as a bad argument.

use alloc::string::String;
use alloc::vec::Vec;
use regex_automata::meta::Regex;
use regex_automata::util::syntax;

/// Python's `\s` for `str` patterns, as a Rust character class.
pub const PY_S: &str = r"[\s\x1c-\x1f]";

/// A compiled pattern with Python `re` search semantics.
#[derive(Debug, Clone)]
pub struct PyRegex {
    re: Regex,
}

/// Flags of a [`PyRegex`], named after Python's.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flags {
    /// `re.IGNORECASE`.
    pub ignore_case: bool,
    /// `re.MULTILINE`.
    pub multi_line: bool,
}

impl PyRegex {
    /// Compiles `pattern`; the error is the engine's message.
    pub fn new(pattern: &str, flags: Flags) -> Result<Self, String> {
        let cfg = syntax::Config::new()
            .case_insensitive(flags.ignore_case)
            .multi_line(flags.multi_line)
            .unicode(true)
            .utf8(true);
        Regex::builder()
            .syntax(cfg)
            .build(pattern)
            .map(|re| Self { re })
            .map_err(|e| alloc::format!("{e}"))
    }

    /// Compiles one of the checkers' own patterns, known to be valid.
    pub fn fixed(pattern: &str, flags: Flags) -> Self {
        match Self::new(pattern, flags) {
            Ok(re) => re,
            // The fixed patterns are constants covered by the unit tests.
            Err(e) => panic!("invalid built-in pattern {pattern:?}: {e}"),
        }
    }

    /// `re.search(pattern, hay) is not None`.
    pub fn is_match(&self, hay: &str) -> bool {
        self.re.is_match(hay)
    }

    /// `len(re.findall(pattern, hay))`.
    pub fn count(&self, hay: &str) -> usize {
        self.re.find_iter(hay).count()
    }

    /// The matched substrings, as `re.findall` returns them for a pattern without groups.
    pub fn find_all<'h>(&self, hay: &'h str) -> Vec<&'h str> {
        self.re.find_iter(hay).map(|m| &hay[m.range()]).collect()
    }

    /// `re.split(pattern, hay)` for a pattern without groups.
    pub fn split<'h>(&self, hay: &'h str) -> Vec<&'h str> {
        let mut out = Vec::new();
        let mut last = 0;
        for m in self.re.find_iter(hay) {
            out.push(&hay[last..m.start()]);
            last = m.end();
        }
        out.push(&hay[last..]);
        out
    }
}

/// Whether `s` contains no character that is special in a Python pattern, so that searching
/// for it as a pattern is searching for it as text.
pub fn is_literal(s: &str) -> bool {
    !s.chars().any(|c| ".^$*+?{}[]\\|()".contains(c))
}
