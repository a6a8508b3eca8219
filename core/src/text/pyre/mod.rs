//! Python `re` / `str` character semantics for the official IFBench checkers.
//!
//! The IFBench checkers use a handful of tiny regular expressions (`\bword\b`, `\d+`,
//! `\W*[aA]...`) and `str` predicates (`isdigit`, `isalpha`, `islower`). Python's classes are
//! Unicode-aware and differ from Rust's (`\w` is `isalnum() or '_'`, `\d` is category Nd,
//! `isalpha` is the letter categories only), so this module mirrors them with tables generated
//! from Python's own `unicodedata` (`gen_tables.py`), plus hand-written matchers for the
//! patterns the checkers actually use. No general regex engine is needed.

mod tables;

pub mod classes;
pub mod word_bound;

pub use classes::{
    decimal_value, is_alpha, is_decimal, is_digit, is_lower_str, is_title, is_upper_str, is_word,
};
pub use word_bound::{count_bounded, search_bounded};
