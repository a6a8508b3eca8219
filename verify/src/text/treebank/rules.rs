//! The substitution lists of `NLTKWordTokenizer`, as matchers.

use alloc::format;
use alloc::string::String;

use super::subst::{char_at, char_before, match_ci, pad_chars, replace_literal, sub};
use crate::text::{python, rx};

/// Case folds beyond ASCII that the `regex` engine's `(?i)` accepts for our letters.
fn rx_fold(w: char, c: char) -> bool {
    w == 's' && c == '\u{17f}'
}

/// Case folds beyond ASCII that Python `re`'s `(?i)` accepts for our letters.
fn re_fold(w: char, c: char) -> bool {
    (w == 's' && c == '\u{17f}') || (w == 'i' && (c == '\u{130}' || c == '\u{131}'))
}

/// `STARTING_QUOTES`.
pub fn starting_quotes(text: &str) -> String {
    // ([«“‘„]|[`]+) -> " \1 "
    let t = sub(text, &|s, i| match char_at(s, i)? {
        c @ ('\u{ab}' | '\u{201c}' | '\u{2018}' | '\u{201e}') => {
            Some((c.len_utf8(), format!(" {c} ")))
        }
        '`' => {
            let n = s[i..].bytes().take_while(|&b| b == b'`').count();
            Some((n, format!(" {} ", &s[i..i + n])))
        }
        _ => None,
    });
    // ^\" -> ``
    let t = match t.strip_prefix('"') {
        Some(rest) => format!("``{rest}"),
        None => t,
    };
    // (``) -> " \1 "
    let t = replace_literal(&t, "``", " `` ");
    // ([ \(\[{<])(\"|\'{2}) -> "\1 `` "
    let t = sub(&t, &|s, i| {
        let c = char_at(s, i)?;
        if !matches!(c, ' ' | '(' | '[' | '{' | '<') {
            return None;
        }
        let rest = &s[i + 1..];
        let q = if rest.starts_with('"') {
            1
        } else if rest.starts_with("''") {
            2
        } else {
            return None;
        };
        Some((1 + q, format!("{c} `` ")))
    });
    // (?i)(?<!\w)(\')(?!(?:re|ve|ll|m|t|s|d|n)\b)(?=\w) -> "\1 "
    sub(&t, &|s, i| {
        if char_at(s, i)? != '\'' || char_before(s, i).is_some_and(rx::is_word) {
            return None;
        }
        let j = i + 1;
        if !char_at(s, j).is_some_and(rx::is_word) {
            return None;
        }
        for clitic in ["re", "ve", "ll", "m", "t", "s", "d", "n"] {
            if let Some(n) = match_ci(s, j, clitic, &rx_fold) {
                if !char_at(s, j + n).is_some_and(rx::is_word) {
                    return None;
                }
            }
        }
        Some((1, String::from("' ")))
    })
}

fn is_close1(c: char) -> bool {
    matches!(
        c,
        ']' | ')' | '}' | '>' | '"' | '\'' | '\u{bb}' | '\u{201d}' | '\u{2019}' | ' '
    )
}

fn is_close2(c: char) -> bool {
    matches!(c, ']' | ')' | '}' | '>' | '"' | '\'')
}

/// `([^\.])(\.)(CLOSERS*)\s*$` -> `\1 \2<sep>\3 ` at the leftmost position where it matches.
fn final_period(text: &str, closer: fn(char) -> bool, sep: &str) -> String {
    // Start of the maximal run of whitespace at the end.
    let ws_tail = text.trim_end_matches(rx::is_space).len();
    for (i, c) in text.char_indices() {
        if c == '.' || !text[i + c.len_utf8()..].starts_with('.') {
            continue;
        }
        let p = i + c.len_utf8();
        let run_end = p
            + 1
            + text[p + 1..]
                .char_indices()
                .find(|&(_, x)| !closer(x))
                .map_or(text.len() - p - 1, |(k, _)| k);
        if run_end >= ws_tail {
            return format!("{}{c} .{sep}{} ", &text[..i], &text[p + 1..run_end]);
        }
    }
    String::from(text)
}

/// `PUNCTUATION`.
pub fn punctuation(text: &str) -> String {
    // Possessive closers including space: "\1 \2 \3 ".
    let t = final_period(text, is_close1, " ");
    // ([:,])([^\d]) -> " \1 \2"
    let t = sub(&t, &|s, i| {
        let c = char_at(s, i)?;
        if c != ':' && c != ',' {
            return None;
        }
        let d = char_at(s, i + 1)?;
        (!rx::is_digit(d)).then(|| (1 + d.len_utf8(), format!(" {c} {d}")))
    });
    // ([:,])$ -> " \1 "
    let t = colon_comma_at_end(t);
    // \.{2,} -> " \g<0> "
    let t = sub(&t, &|s, i| {
        let n = s[i..].bytes().take_while(|&b| b == b'.').count();
        (n >= 2).then(|| (n, format!(" {} ", &s[i..i + n])))
    });
    let t = pad_chars(&t, |c| matches!(c, ';' | '@' | '#' | '$' | '%' | '&'));
    let t = pad_chars(&t, |c| ('\u{2012}'..='\u{2015}').contains(&c));
    // Final period again, without the space and curly closers: "\1 \2\3 ".
    let t = final_period(&t, is_close2, "");
    let t = pad_chars(&t, |c| c == '?' || c == '!');
    // ([^'])' -> "\1 ' "
    let t = sub(&t, &|s, i| {
        let c = char_at(s, i)?;
        if c == '\'' || !s[i + c.len_utf8()..].starts_with("' ") {
            return None;
        }
        Some((c.len_utf8() + 2, format!("{c} ' ")))
    });
    pad_chars(&t, |c| c == '*')
}

/// `re.sub(r"([:,])$", r" \1 ", text)`: `$` is the end or just before a final newline.
fn colon_comma_at_end(t: String) -> String {
    let body = t.strip_suffix('\n');
    for (stem, tail) in [(Some(t.as_str()), ""), (body, "\n")] {
        let Some(stem) = stem else { continue };
        if let Some(c) = stem.chars().next_back().filter(|&c| c == ':' || c == ',') {
            return format!("{} {c} {tail}", &stem[..stem.len() - 1]);
        }
    }
    t
}

/// `PARENS_BRACKETS` and `DOUBLE_DASHES`.
pub fn parens_and_dashes(text: &str) -> String {
    let t = pad_chars(text, |c| {
        matches!(c, ']' | '[' | '(' | ')' | '{' | '}' | '<' | '>')
    });
    replace_literal(&t, "--", " -- ")
}

/// `ENDING_QUOTES` (applied to the text padded with a space on both sides).
pub fn ending_quotes(text: &str) -> String {
    let t = pad_chars(text, |c| matches!(c, '\u{bb}' | '\u{201d}' | '\u{2019}'));
    let t = replace_literal(&t, "''", " '' ");
    let t = replace_literal(&t, "\"", " '' ");
    // \s+ -> " "
    let t = sub(&t, &|s, i| {
        let n: usize = s[i..]
            .chars()
            .take_while(|&c| rx::is_space(c))
            .map(char::len_utf8)
            .sum();
        (n > 0).then(|| (n, String::from(" ")))
    });
    // ([^' ])('[sS]|'[mM]|'[dD]|') -> "\1 \2 "
    let t = sub(&t, &|s, i| {
        let c = char_at(s, i)?;
        if c == '\'' || c == ' ' {
            return None;
        }
        let rest = &s[i + c.len_utf8()..];
        let b = rest.as_bytes();
        if b.first() != Some(&b'\'') {
            return None;
        }
        let clitic = if matches!(b.get(1), Some(b's' | b'S' | b'm' | b'M' | b'd' | b'D'))
            && b.get(2) == Some(&b' ')
        {
            2
        } else if b.get(1) == Some(&b' ') {
            1
        } else {
            return None;
        };
        Some((
            c.len_utf8() + clitic + 1,
            format!("{c} {} ", &rest[..clitic]),
        ))
    });
    // ([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) -> "\1 \2 "
    sub(&t, &|s, i| {
        let c = char_at(s, i)?;
        if c == '\'' || c == ' ' {
            return None;
        }
        let rest = &s[i + c.len_utf8()..];
        let clitic = ["'ll", "'LL", "'re", "'RE", "'ve", "'VE", "n't", "N'T"]
            .into_iter()
            .find(|cl| rest.starts_with(cl) && rest[cl.len()..].starts_with(' '))?;
        Some((c.len_utf8() + clitic.len() + 1, format!("{c} {clitic} ")))
    })
}

/// How a contraction pattern ends.
#[derive(Clone, Copy)]
enum Tail {
    /// `\b`
    Boundary,
    /// `(?=\s)`
    Space,
}

/// `CONTRACTIONS2` then `CONTRACTIONS3` (Python `re`, case-insensitive) -> `" \1 \2 "`.
pub fn contractions(text: &str) -> String {
    const C2: [(&str, &str, Tail); 8] = [
        ("can", "not", Tail::Boundary),
        ("d", "'ye", Tail::Boundary),
        ("gim", "me", Tail::Boundary),
        ("gon", "na", Tail::Boundary),
        ("got", "ta", Tail::Boundary),
        ("lem", "me", Tail::Boundary),
        ("more", "'n", Tail::Boundary),
        ("wan", "na", Tail::Space),
    ];
    let mut t = String::from(text);
    for (w1, w2, tail) in C2 {
        t = sub(&t, &|s, i| {
            // \b before a word character: the previous character is not one.
            if char_before(s, i).is_some_and(python::is_word) {
                return None;
            }
            let n1 = match_ci(s, i, w1, &re_fold)?;
            let n2 = match_ci(s, i + n1, w2, &re_fold)?;
            let end = i + n1 + n2;
            let ok = match tail {
                Tail::Boundary => !char_at(s, end).is_some_and(python::is_word),
                Tail::Space => char_at(s, end).is_some_and(python::is_space),
            };
            ok.then(|| (n1 + n2, format!(" {} {} ", &s[i..i + n1], &s[i + n1..end])))
        });
    }
    for w2 in ["is", "was"] {
        t = sub(&t, &|s, i| {
            if !s[i..].starts_with(' ') {
                return None;
            }
            let n1 = match_ci(s, i + 1, "'t", &re_fold)?;
            let n2 = match_ci(s, i + 1 + n1, w2, &re_fold)?;
            let end = i + 1 + n1 + n2;
            if char_at(s, end).is_some_and(python::is_word) {
                return None;
            }
            Some((
                end - i,
                format!(" {} {} ", &s[i + 1..i + 1 + n1], &s[i + 1 + n1..end]),
            ))
        });
    }
    t
}
