//! Loose evaluation: the official eight response variants.
//!
//! The official checkers (IFEval `test_instruction_following_loose`, the same in IFBench) try
//! the response, the response without its first line, without its last line, without both
//! (those three `strip()`ped), and each of those four with every `*` removed; the constraint
//! passes if any variant that is not blank passes.

use super::Constraint;
use crate::text::python::strip;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

/// The eight variants of `response` the official loose mode checks, in the official order:
/// `[r, r*, r−first, r−last, r−both, (r−first)*, (r−last)*, (r−both)*]` where `*` means with
/// all asterisks removed. Lines are split on `"\n"` as Python's `str.split("\n")` does.
pub fn loose_variants(response: &str) -> Vec<String> {
    let lines: Vec<&str> = response.split('\n').collect();
    let n = lines.len(); // always >= 1, as in Python
    let remove_first = strip(&lines[1..].join("\n")).to_string();
    let remove_last = strip(&lines[..n - 1].join("\n")).to_string();
    let remove_both = if n >= 2 {
        strip(&lines[1..n - 1].join("\n")).to_string()
    } else {
        String::new()
    };
    let starless = |s: &str| s.replace('*', "");
    vec![
        response.to_string(),
        starless(response),
        remove_first.clone(),
        remove_last.clone(),
        remove_both.clone(),
        starless(&remove_first),
        starless(&remove_last),
        starless(&remove_both),
    ]
}

/// The official *loose* verdict: does any non-blank variant of `response` pass?
pub fn check_loose(c: &dyn Constraint, response: &str) -> bool {
    loose_variants(response)
        .iter()
        .any(|r| !strip(r).is_empty() && c.check(r))
}
