//! The Python `str` operations the IFBench checkers are written with, reproduced exactly:
//! `string.punctuation` removal and stripping, `lower()`, `len()`, `count()`, and Python's
//! negative-index and slice rules. Whitespace `strip()` / `split()` and the character classes
//! are shared with IFEval in [`crate::text::python`].

use alloc::string::String;

/// Python's `string.punctuation`: the 32 ASCII punctuation characters.
pub const PUNCTUATION: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/// Whether `c` is in `string.punctuation`.
pub fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
}

/// Whether `c` is in `string.punctuation + ' '` (the set many checkers strip).
pub fn is_punct_or_space(c: char) -> bool {
    c == ' ' || is_punct(c)
}

/// `s.translate(str.maketrans('', '', string.punctuation))`.
pub fn remove_punct(s: &str) -> String {
    s.chars().filter(|&c| !is_punct(c)).collect()
}

/// `s.strip(''.join(string.punctuation) + ' ')`.
pub fn strip_punct_space(s: &str) -> &str {
    s.trim_matches(is_punct_or_space)
}

/// Python `s.lower()` (full Unicode lowercase mapping, final sigma included).
pub fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// The number of code points, Python's `len(s)`.
pub fn py_len(s: &str) -> usize {
    s.chars().count()
}

/// Python's `seq[i]` index rule: negative counts from the end; `None` = IndexError.
pub fn py_index(len: usize, i: i64) -> Option<usize> {
    let len_i = i64::try_from(len).ok()?;
    let j = if i < 0 { i + len_i } else { i };
    (0..len_i).contains(&j).then_some(j as usize)
}

/// Python's `seq[start:end]` bounds (step 1), clamped as Python clamps them.
pub fn py_slice(len: usize, start: i64, end: i64) -> core::ops::Range<usize> {
    let len_i = i64::try_from(len).unwrap_or(i64::MAX);
    let fix = |x: i64| -> usize {
        let y = if x < 0 {
            (x + len_i).max(0)
        } else {
            x.min(len_i)
        };
        y as usize
    };
    let (a, b) = (fix(start), fix(end));
    a..b.max(a)
}

/// Python `s.count(sub)`: non-overlapping occurrences; an empty `sub` counts `len(s) + 1`.
pub fn count_occurrences(s: &str, sub: &str) -> usize {
    if sub.is_empty() {
        py_len(s) + 1
    } else {
        s.matches(sub).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_str_ops() {
        assert_eq!(PUNCTUATION.len(), 32);
        assert!(PUNCTUATION.chars().all(is_punct));
        assert_eq!(remove_punct("a,b.c!"), "abc");
        assert_eq!(strip_punct_space(" ..hi! \n"), "hi! \n");
        assert_eq!(py_index(3, -1), Some(2));
        assert_eq!(py_index(3, 3), None);
        assert_eq!(py_slice(5, 1, 3), 1..3);
        assert_eq!(py_slice(5, 4, 2), 4..4);
        assert_eq!(py_slice(5, -2, 10), 3..5);
        assert_eq!(count_occurrences("aaaa", "aa"), 2);
        assert_eq!(count_occurrences("ab", ""), 3);
    }
}
