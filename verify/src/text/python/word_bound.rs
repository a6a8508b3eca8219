//! `re.search(r'\b' + re.escape(word) + r'\b', text[, re.IGNORECASE])` and `re.findall` of it.

use super::classes::is_word;
use alloc::vec::Vec;

/// Python `sre`'s case-insensitive equality of two characters: equal lowercase forms, or one
/// of the extra equivalences `sre_compile` adds (`i`/`ı`, `s`/`ſ`, `µ`/`μ`, ...).
fn eq_ignore_case(a: char, b: char) -> bool {
    if a == b {
        return true;
    }
    let (la, lb) = (simple_lower(a), simple_lower(b));
    if la == lb {
        return true;
    }
    const FIXES: &[&[char]] = &[
        &['\u{69}', '\u{131}'],
        &['\u{73}', '\u{17f}'],
        &['\u{b5}', '\u{3bc}'],
        &['\u{345}', '\u{3b9}', '\u{1fbe}'],
        &['\u{390}', '\u{1fd3}'],
        &['\u{3b0}', '\u{1fe3}'],
        &['\u{3b2}', '\u{3d0}'],
        &['\u{3b5}', '\u{3f5}'],
        &['\u{3b8}', '\u{3d1}'],
        &['\u{3ba}', '\u{3f0}'],
        &['\u{3c0}', '\u{3d6}'],
        &['\u{3c1}', '\u{3f1}'],
        &['\u{3c2}', '\u{3c3}'],
        &['\u{3c6}', '\u{3d5}'],
        &['\u{1e61}', '\u{1e9b}'],
        &['\u{fb05}', '\u{fb06}'],
    ];
    FIXES
        .iter()
        .any(|set| set.contains(&la) && set.contains(&lb))
}

/// The single-character lowercase mapping (`Py_UNICODE_TOLOWER`); characters whose full
/// lowercase is several characters map to themselves, as in `sre`.
fn simple_lower(c: char) -> char {
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

fn boundary(prev: Option<char>, next: Option<char>) -> bool {
    prev.is_some_and(is_word) != next.is_some_and(is_word)
}

/// Start/end byte offsets of the non-overlapping matches of `\bNEEDLE\b` in `hay`, scanning
/// left to right as `re.finditer` does. An empty needle matches at every word boundary.
fn matches(hay: &str, needle: &str, ignore_case: bool, first_only: bool) -> Vec<(usize, usize)> {
    let pat: Vec<char> = needle.chars().collect();
    let chars: Vec<(usize, char)> = hay.char_indices().collect();
    let n = chars.len();
    let char_at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let byte_at = |i: usize| chars.get(i).map_or(hay.len(), |&(b, _)| b);
    let mut out = Vec::new();
    let mut i = 0;
    while i <= n {
        let prev = if i == 0 { None } else { char_at(i - 1) };
        if boundary(prev, char_at(i)) && i + pat.len() <= n {
            let ok = pat.iter().enumerate().all(|(k, &p)| {
                let c = chars[i + k].1;
                if ignore_case {
                    eq_ignore_case(c, p)
                } else {
                    c == p
                }
            });
            let j = i + pat.len();
            let end_prev = if j == 0 { None } else { char_at(j - 1) };
            if ok && boundary(end_prev, char_at(j)) {
                out.push((byte_at(i), byte_at(j)));
                if first_only {
                    return out;
                }
                // An empty match advances one position, as in `re`.
                i = if j == i { i + 1 } else { j };
                continue;
            }
        }
        i += 1;
    }
    out
}

/// `bool(re.search(r'\b%s\b' % re.escape(needle), hay, flags))`.
pub fn search_bounded(hay: &str, needle: &str, ignore_case: bool) -> bool {
    !matches(hay, needle, ignore_case, true).is_empty()
}

/// `len(re.findall(r'\b%s\b' % re.escape(needle), hay, flags))`.
pub fn count_bounded(hay: &str, needle: &str, ignore_case: bool) -> usize {
    matches(hay, needle, ignore_case, false).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_like_python() {
        assert!(search_bounded("Hi Emma!", "Emma", false));
        assert!(!search_bounded("Emmanuel", "Emma", false));
        assert!(!search_bounded("emma", "Emma", false));
        assert!(search_bounded("EMMA", "emma", true));
        assert!(!search_bounded("Emma_x", "Emma", false));
        assert!(!search_bounded("éEmma", "Emma", false));
        assert_eq!(count_bounded("cat cat concat cat.", "cat", false), 3);
        assert_eq!(count_bounded("a Kelvin \u{212a}elvin", "kelvin", true), 2);
        // Needle with non-word edges: `\b` before `-` needs a word character before it.
        assert!(search_bounded("x-y", "-y", false));
        assert!(!search_bounded(" -y", "-y", false));
    }
}
