//! `emoji.emoji_list`: the emoji matches of `emoji.tokenizer.tokenize(string, keep_zwj=False)`,
//! including its handling of non-RGI ZWJ sequences (a zero-width joiner after an emoji that
//! does not continue a known sequence is skipped and the emoji before it re-matched alone).

use alloc::vec::Vec;

use super::{tables, Tables};

const ZWJ: char = '\u{200d}';

/// One token of `tokenize`: a span of code-point indices, an emoji match or a plain character.
#[derive(Clone, Copy)]
struct Token {
    start: usize,
    end: usize,
    is_match: bool,
}

/// The byte spans `(start, end)` of the emoji `emoji.emoji_list(text)` reports, in order
/// (Python reports code-point indices `match_start`/`match_end`; these are the same spans in
/// bytes of `text`).
pub fn emoji_list(text: &str) -> Vec<(usize, usize)> {
    let t = tables();
    let chars: Vec<char> = text.chars().collect();
    let mut byte_at: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    byte_at.push(text.len());
    tokenize(t, &chars)
        .into_iter()
        .map(|(s, e)| (byte_at[s], byte_at[e]))
        .collect()
}

/// The code-point spans of the emoji matches of `tokenize(string, keep_zwj=False)`.
fn tokenize(t: &Tables, s: &[char]) -> Vec<(usize, usize)> {
    let text_of = |tok: &Token| -> alloc::string::String { s[tok.start..tok.end].iter().collect() };
    let mut out = Vec::new();
    let mut result: Vec<Token> = Vec::new();
    let mut ignore: Vec<usize> = Vec::new();
    let flush = |result: &mut Vec<Token>, out: &mut Vec<(usize, usize)>| {
        out.extend(
            result
                .iter()
                .filter(|k| k.is_match)
                .map(|k| (k.start, k.end)),
        );
        result.clear();
    };
    let n = s.len();
    let mut i = 0usize;
    while i < n {
        let mut consumed = false;
        let ch = s[i];
        if ignore.contains(&i) {
            i += 1;
            continue;
        } else if let Some(mut node) = t.child(0, ch) {
            let mut j = i + 1;
            while j < n {
                let Some(next) = t.child(node, s[j]) else {
                    break;
                };
                if ignore.contains(&j) {
                    break;
                }
                node = next;
                j += 1;
            }
            if t.terminal[node as usize] {
                result.push(Token {
                    start: i,
                    end: j,
                    is_match: true,
                });
                i = j - 1;
                consumed = true;
            }
        } else if ch == ZWJ
            && i > 0
            && result.last().is_some_and(|last| t.is_key(&text_of(last)))
            && t.child(0, s[i - 1]).is_some()
        {
            ignore.push(i);
            let last = result[result.len() - 1];
            if t.is_component(&text_of(&last)) {
                let back: usize = result.iter().rev().take(2).map(|k| k.end - k.start).sum();
                i -= back;
                if s[i] == ZWJ {
                    i += 1;
                    result.pop();
                } else {
                    let keep = result.len().saturating_sub(2);
                    result.truncate(keep);
                }
            } else {
                i -= last.end - last.start;
                result.pop();
            }
            continue;
        } else if !result.is_empty() {
            flush(&mut result, &mut out);
        }
        if !consumed && ch != '\u{fe0e}' && ch != '\u{fe0f}' {
            result.push(Token {
                start: i,
                end: i + 1,
                is_match: false,
            });
        }
        i += 1;
    }
    flush(&mut result, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn char_spans(text: &str) -> Vec<(usize, usize)> {
        let chars: Vec<char> = text.chars().collect();
        tokenize(tables(), &chars)
    }

    // Expected spans printed by emoji 2.16.0's emoji.emoji_list.
    #[test]
    fn non_rgi_zwj_like_python() {
        assert_eq!(
            char_spans("a👨‍👩x 👍🏽👨‍🦰‍🦰 #️⃣"),
            [(1, 2), (3, 4), (6, 8), (8, 11), (12, 13), (14, 17)]
        );
        assert_eq!(emoji_list("hi 😁"), [(3, 7)]);
        assert!(emoji_list("").is_empty());
    }
}
