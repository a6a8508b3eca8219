//! `instructions_util.split_into_sentences` as of IFBench commit 8a66c06: the regex-based
//! splitter of Google's IFEval utilities (not NLTK Punkt), reproduced substitution by
//! substitution, with the same `<prd>` / `<stop>` markers (so a response that itself
//! contains those strings is split exactly as in Python).

use crate::text::python::{is_space, strip};
use alloc::string::String;
use alloc::vec::Vec;

/// One `re.sub` pass: `m(chars, i)` returns the end of a match starting at `i` and its
/// replacement; scanning resumes after the match, as `re.sub` does.
fn sub(s: &[char], m: impl Fn(&[char], usize) -> Option<(usize, String)>) -> Vec<char> {
    let mut out = Vec::with_capacity(s.len() + 16);
    let mut i = 0;
    while i < s.len() {
        match m(s, i) {
            Some((j, rep)) if j > i => {
                out.extend(rep.chars());
                i = j;
            }
            _ => {
                out.push(s[i]);
                i += 1;
            }
        }
    }
    out
}

/// The literal `lit` at `i`.
fn lit_at(s: &[char], i: usize, lit: &str) -> Option<usize> {
    let mut j = i;
    for c in lit.chars() {
        if s.get(j) != Some(&c) {
            return None;
        }
        j += 1;
    }
    Some(j)
}

/// The first alternative of `alts` matching at `i` (in order, as `re` alternation tries them),
/// with its end. A trailing `\s` in an alternative is written as a final `' '` marker flag.
fn alt_at(s: &[char], i: usize, alts: &[(&str, bool)]) -> Option<(usize, String)> {
    alts.iter().find_map(|&(word, ws)| {
        let mut j = lit_at(s, i, word)?;
        if ws {
            if !s.get(j).is_some_and(|&c| is_space(c)) {
                return None;
            }
            j += 1;
        }
        Some((j, s[i..j].iter().collect()))
    })
}

const STARTERS: &[(&str, bool)] = &[
    ("Mr", false),
    ("Mrs", false),
    ("Ms", false),
    ("Dr", false),
    ("Prof", false),
    ("Capt", false),
    ("Cpt", false),
    ("Lt", false),
    ("He", true),
    ("She", true),
    ("It", true),
    ("They", true),
    ("Their", true),
    ("Our", true),
    ("We", true),
    ("But", true),
    ("However", true),
    ("That", true),
    ("This", true),
    ("Wherever", false),
];

const PREFIXES: &[(&str, bool)] = &[
    ("Mr", false),
    ("St", false),
    ("Mrs", false),
    ("Ms", false),
    ("Dr", false),
];
const SUFFIXES: &[(&str, bool)] = &[
    ("Inc", false),
    ("Ltd", false),
    ("Jr", false),
    ("Sr", false),
    ("Co", false),
];
const WEBSITES: &[(&str, bool)] = &[
    ("com", false),
    ("net", false),
    ("org", false),
    ("io", false),
    ("gov", false),
    ("edu", false),
    ("me", false),
];

fn letter(s: &[char], i: usize) -> bool {
    s.get(i).is_some_and(char::is_ascii_alphabetic)
}
fn upper(s: &[char], i: usize) -> bool {
    s.get(i).is_some_and(char::is_ascii_uppercase)
}
fn dot(s: &[char], i: usize) -> bool {
    s.get(i) == Some(&'.')
}

/// `str.replace(old, new)` on chars.
fn replace(s: &[char], old: &str, new: &str) -> Vec<char> {
    sub(s, |s, i| lit_at(s, i, old).map(|j| (j, String::from(new))))
}

/// `(?:alt)[.]` at `i` with prefix string `pre` and a replacement for the dot.
fn word_dot(s: &[char], i: usize, alts: &[(&str, bool)], dot_rep: &str) -> Option<(usize, String)> {
    // Each alternative is tried with the dot; a failing dot falls back to the next one.
    alts.iter().find_map(|&(w, _)| {
        let j = lit_at(s, i, w)?;
        dot(s, j).then(|| (j + 1, alloc::format!("{w}{dot_rep}")))
    })
}

/// `([A-Z][.][A-Z][.](?:[A-Z][.])?)` at `i`: the possible ends, longest first.
fn acronym_ends(s: &[char], i: usize) -> Vec<usize> {
    let mut ends = Vec::new();
    if upper(s, i) && dot(s, i + 1) && upper(s, i + 2) && dot(s, i + 3) {
        if upper(s, i + 4) && dot(s, i + 5) {
            ends.push(i + 6);
        }
        ends.push(i + 4);
    }
    ends
}

/// `instructions_util.split_into_sentences(text)` (IFBench 8a66c06 / Google IFEval).
pub fn split_into_sentences(text: &str) -> Vec<String> {
    let mut s: Vec<char> = Vec::with_capacity(text.len() + 3);
    s.push(' ');
    s.extend(text.chars().map(|c| if c == '\n' { ' ' } else { c }));
    s.extend([' ', ' ']);
    // _PREFIXES: (Mr|St|Mrs|Ms|Dr)[.] -> \1<prd>
    s = sub(&s, |s, i| word_dot(s, i, PREFIXES, "<prd>"));
    // _WEBSITES: [.](com|net|org|io|gov|edu|me) -> <prd>\1
    s = sub(&s, |s, i| {
        if !dot(s, i) {
            return None;
        }
        let (j, w) = alt_at(s, i + 1, WEBSITES)?;
        Some((j, alloc::format!("<prd>{w}")))
    });
    // _DIGITS [.] _DIGITS -> \1<prd>\2
    s = sub(&s, |s, i| {
        let d = |k: usize| s.get(k).is_some_and(char::is_ascii_digit);
        (d(i) && dot(s, i + 1) && d(i + 2))
            .then(|| (i + 3, alloc::format!("{}<prd>{}", s[i], s[i + 2])))
    });
    // _MULTIPLE_DOTS \.{2,} -> "<prd>" * n + "<stop>"
    s = sub(&s, |s, i| {
        let n = s[i..].iter().take_while(|&&c| c == '.').count();
        (n >= 2).then(|| (i + n, "<prd>".repeat(n) + "<stop>"))
    });
    if lit_search(&s, "Ph.D") {
        s = replace(&s, "Ph.D.", "Ph<prd>D<prd>");
    }
    // \s _ALPHABETS [.] ' ' -> ' ' \1 <prd> ' '
    s = sub(&s, |s, i| {
        (is_space(s[i]) && letter(s, i + 1) && dot(s, i + 2) && s.get(i + 3) == Some(&' '))
            .then(|| (i + 4, alloc::format!(" {}<prd> ", s[i + 1])))
    });
    // _ACRONYMS ' ' _STARTERS -> \1<stop> \2
    s = sub(&s, |s, i| {
        acronym_ends(s, i).into_iter().find_map(|e| {
            if s.get(e) != Some(&' ') {
                return None;
            }
            let (j, starter) = alt_at(s, e + 1, STARTERS)?;
            let acr: String = s[i..e].iter().collect();
            Some((j, alloc::format!("{acr}<stop> {starter}")))
        })
    });
    // L.L.L. -> L<prd>L<prd>L<prd>
    s = sub(&s, |s, i| {
        (letter(s, i)
            && dot(s, i + 1)
            && letter(s, i + 2)
            && dot(s, i + 3)
            && letter(s, i + 4)
            && dot(s, i + 5))
        .then(|| {
            (
                i + 6,
                alloc::format!("{}<prd>{}<prd>{}<prd>", s[i], s[i + 2], s[i + 4]),
            )
        })
    });
    // L.L. -> L<prd>L<prd>
    s = sub(&s, |s, i| {
        (letter(s, i) && dot(s, i + 1) && letter(s, i + 2) && dot(s, i + 3))
            .then(|| (i + 4, alloc::format!("{}<prd>{}<prd>", s[i], s[i + 2])))
    });
    // ' ' _SUFFIXES [.] ' ' _STARTERS -> ' ' \1<stop> ' ' \2
    s = sub(&s, |s, i| {
        if s[i] != ' ' {
            return None;
        }
        SUFFIXES.iter().find_map(|&(w, _)| {
            let j = lit_at(s, i + 1, w)?;
            if !(dot(s, j) && s.get(j + 1) == Some(&' ')) {
                return None;
            }
            let (k, starter) = alt_at(s, j + 2, STARTERS)?;
            Some((k, alloc::format!(" {w}<stop> {starter}")))
        })
    });
    // ' ' _SUFFIXES [.] -> ' ' \1<prd>
    s = sub(&s, |s, i| {
        if s[i] != ' ' {
            return None;
        }
        word_dot(s, i + 1, SUFFIXES, "<prd>").map(|(j, r)| (j, alloc::format!(" {r}")))
    });
    // ' ' _ALPHABETS [.] -> ' ' \1<prd>
    s = sub(&s, |s, i| {
        (s[i] == ' ' && letter(s, i + 1) && dot(s, i + 2))
            .then(|| (i + 3, alloc::format!(" {}<prd>", s[i + 1])))
    });
    if s.contains(&'\u{201d}') {
        s = replace(&s, ".\u{201d}", "\u{201d}.");
    }
    if s.contains(&'"') {
        s = replace(&s, ".\"", "\".");
    }
    if s.contains(&'!') {
        s = replace(&s, "!\"", "\"!");
    }
    if s.contains(&'?') {
        s = replace(&s, "?\"", "\"?");
    }
    s = replace(&s, ".", ".<stop>");
    s = replace(&s, "?", "?<stop>");
    s = replace(&s, "!", "!<stop>");
    s = replace(&s, "<prd>", ".");
    let joined: String = s.into_iter().collect();
    let mut sentences: Vec<String> = joined
        .split("<stop>")
        .map(|x| String::from(strip(x)))
        .collect();
    if sentences.last().is_some_and(String::is_empty) {
        sentences.pop();
    }
    sentences
}

fn lit_search(s: &[char], lit: &str) -> bool {
    (0..s.len()).any(|i| lit_at(s, i, lit).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_ifeval() {
        assert_eq!(
            split_into_sentences("Hello there. How are you? Fine!"),
            ["Hello there.", "How are you?", "Fine!"]
        );
        assert_eq!(
            split_into_sentences("Mr. Smith went to Washington. He left."),
            ["Mr. Smith went to Washington.", "He left."]
        );
        assert_eq!(split_into_sentences("Wait... what"), ["Wait...", "what"]);
        assert_eq!(
            split_into_sentences("It is 3.5 m. Visit a.com now."),
            ["It is 3.5 m. Visit a.com now."]
        );
        assert_eq!(
            split_into_sentences("He said \"stop.\" Then"),
            ["He said \"stop\".", "Then"]
        );
        assert_eq!(split_into_sentences("U.S. He went."), ["U.S.", "He went."]);
        assert_eq!(split_into_sentences(""), Vec::<String>::new());
        assert_eq!(split_into_sentences("a<stop>b"), ["a", "b"]);
    }
}
