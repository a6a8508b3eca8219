//! Python `str` / `re` character semantics, as the official IFEval / IFBench checkers and the
//! Python side of NLTK see them.
//!
//! Python's classes are Unicode-aware and differ from Rust's `char` methods (`\w` is
//! `str.isalnum()` or `_`, `\d` is category Nd, `isalpha` is the letter categories only,
//! `isspace` includes `\x1c`–`\x1f`) and from the `regex` engine NLTK compiles its own
//! patterns with (`text::rx`, which documents and tests the differences; this module does not
//! depend on it). The per-character tables are measured by brute force over every code point
//! in the reference interpreter (Python 3.11.7, Unicode 14.0.0) by
//! `verify/data/unicode/gen_char_tables.py`; the rest is built on them:
//!
//! - [`classes`]: one-character predicates (`\w`, `\s`, `\d`, `isdigit`, `isalpha`, ...);
//! - [`case`]: whole-string `str.isupper()` / `str.islower()`;
//! - [`strip`](mod@strip): argument-less `str.strip()`, `str.rstrip()`, `str.split()`;
//! - [`word_bound`]: `re.search(r'\b' + re.escape(word) + r'\b', ...)` and its `findall`.

#[rustfmt::skip]
mod tables;

pub mod case;
pub mod classes;
pub mod strip;
pub mod word_bound;

pub use case::{is_lower_str, is_upper_str};
pub use classes::{
    decimal_value, is_alpha, is_decimal, is_digit, is_lower, is_space, is_title, is_upper, is_word,
};
pub use strip::{rstrip, split, strip};
pub use word_bound::{count_bounded, search_bounded};
