//! Membership in a sorted table of inclusive code-point ranges, the form of the generated
//! character-class tables. A leaf: the `python` and `rx` classes build on it, it names neither.

use core::cmp::Ordering;

/// Whether `c` lies in one of the sorted, disjoint inclusive ranges of `table`.
pub(crate) fn contains(table: &[(u32, u32)], c: char) -> bool {
    let cp = c as u32;
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                Ordering::Less
            } else if lo > cp {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        })
        .is_ok()
}
