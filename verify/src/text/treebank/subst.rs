//! A tiny `re.sub` engine: scan left to right, replace non-overlapping matches.
//!
//! Every NLTK substitution is written as a matcher `f(text, i) -> Option<(len, replacement)>`
//! that looks at the *input* text (so look-behinds see the original, as in Python), and
//! [`sub`] applies it the way `Pattern.sub` does.

use alloc::string::String;

/// A matcher at byte offset `i`: `Some((match length in bytes, replacement))`.
pub type Matcher<'a> = dyn Fn(&str, usize) -> Option<(usize, String)> + 'a;

/// `pattern.sub(repl, text)` for a matcher that never matches the empty string.
pub fn sub(text: &str, matcher: &Matcher<'_>) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut i = 0;
    while i < text.len() {
        if let Some((len, rep)) = matcher(text, i) {
            out.push_str(&rep);
            i += len.max(1);
            continue;
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// `re.sub(r"[set]", r" \g<0> ", text)`: pad every character of a set with spaces.
pub fn pad_chars(text: &str, set: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if set(c) {
            out.push(' ');
            out.push(c);
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// `re.sub(literal, replacement, text)` for a literal pattern.
pub fn replace_literal(text: &str, pat: &str, rep: &str) -> String {
    text.replace(pat, rep)
}

/// The character at byte offset `i`, if any.
pub fn char_at(s: &str, i: usize) -> Option<char> {
    s.get(i..).and_then(|r| r.chars().next())
}

/// The character before byte offset `i`, if any.
pub fn char_before(s: &str, i: usize) -> Option<char> {
    s.get(..i).and_then(|r| r.chars().next_back())
}

/// Match `word` (ASCII, lower case) case-insensitively at `i`; `extra_folds` lists the
/// non-ASCII characters the engine also accepts for a letter (e.g. `ſ` for `s`).
/// Returns the byte length matched.
pub fn match_ci(
    s: &str,
    i: usize,
    word: &str,
    extra_folds: &dyn Fn(char, char) -> bool,
) -> Option<usize> {
    let mut chars = s.get(i..)?.char_indices();
    for w in word.chars() {
        let (_, c) = chars.next()?;
        if !(c.to_ascii_lowercase() == w && c.is_ascii() || extra_folds(w, c)) {
            return None;
        }
    }
    Some(chars.next().map_or(s.len() - i, |(k, _)| k))
}
