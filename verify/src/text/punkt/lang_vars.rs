//! The English `PunktLanguageVars` regular expressions, written out as matchers.
//!
//! Each function reproduces one NLTK pattern under the `regex` engine's semantics (the
//! character classes come from [`crate::text::rx`]). Positions are byte offsets.

use alloc::vec::Vec;

use crate::text::rx;

/// Characters which are candidates for sentence boundaries (`sent_end_chars`).
pub const SENT_END_CHARS: [char; 3] = ['.', '?', '!'];

/// `_re_non_word_chars`: `[)";}\]*:@'({[‘’“”«»?!]`.
pub fn is_non_word_char(c: char) -> bool {
    matches!(
        c,
        ')' | '"'
            | ';'
            | '}'
            | ']'
            | '*'
            | ':'
            | '@'
            | '\''
            | '('
            | '{'
            | '['
            | '\u{2018}'
            | '\u{2019}'
            | '\u{201c}'
            | '\u{201d}'
            | '\u{ab}'
            | '\u{bb}'
            | '?'
            | '!'
    )
}

/// `_re_word_start` excludes these characters from starting a word token.
fn is_non_word_start(c: char) -> bool {
    matches!(
        c,
        '(' | '"'
            | '`'
            | '{'
            | '['
            | ':'
            | ';'
            | '&'
            | '#'
            | '*'
            | '@'
            | ')'
            | '}'
            | ']'
            | '-'
            | ','
    )
}

fn char_at(s: &str, i: usize) -> Option<char> {
    s[i..].chars().next()
}

/// `_re_multi_char_punct` = `(?:\-{2,}|\.{2,}|(?:\.\s){2,}\.)` matched at `i`: the match
/// length in bytes.
fn multi_char_punct(s: &str, i: usize) -> Option<usize> {
    let b = s.as_bytes();
    for dash_or_dot in [b'-', b'.'] {
        let run = b[i..].iter().take_while(|&&x| x == dash_or_dot).count();
        if run >= 2 {
            return Some(run);
        }
    }
    // (?:\.\s){2,}\.  -- greedy pairs, then backtrack one pair if needed.
    let mut ends = Vec::new(); // end offset after each `.\s` pair
    let mut j = i;
    while b.get(j) == Some(&b'.') {
        match char_at(s, j + 1) {
            Some(c) if rx::is_space(c) => {
                j += 1 + c.len_utf8();
                ends.push(j);
            }
            _ => break,
        }
    }
    while ends.len() >= 2 {
        let end = ends[ends.len() - 1];
        if b.get(end) == Some(&b'.') {
            return Some(end + 1 - i);
        }
        ends.pop();
    }
    None
}

/// Whether the lookahead at the end of a word token (`(?=\s|$|NonWord|MultiChar|,(?=...))`)
/// succeeds at `i` of a line `s` (the line holds no `\n`, so `$` is the end of `s`).
fn word_end_at(s: &str, i: usize) -> bool {
    let Some(c) = char_at(s, i) else {
        return true;
    };
    if rx::is_space(c) || is_non_word_char(c) || multi_char_punct(s, i).is_some() {
        return true;
    }
    if c == ',' {
        let j = i + 1;
        return match char_at(s, j) {
            None => true,
            Some(d) => rx::is_space(d) || is_non_word_char(d) || multi_char_punct(s, j).is_some(),
        };
    }
    false
}

/// `PunktLanguageVars.word_tokenize` (`_word_tokenizer_re().findall`) on one line.
pub fn word_tokenize(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < line.len() {
        if let Some(n) = multi_char_punct(line, i) {
            out.push(&line[i..i + n]);
            i += n;
            continue;
        }
        let Some(c) = char_at(line, i) else { break };
        if rx::is_space(c) {
            i += c.len_utf8();
            continue;
        }
        if !is_non_word_start(c) {
            // (?=WordStart)\S+?(?=End): lazily extend over non-space characters.
            let mut j = i + c.len_utf8();
            loop {
                if word_end_at(line, j) {
                    break;
                }
                // word_end_at is true at spaces and at the end, so this char is \S.
                j += char_at(line, j).map_or(1, char::len_utf8);
            }
            out.push(&line[i..j]);
            i = j;
            continue;
        }
        out.push(&line[i..i + c.len_utf8()]);
        i += c.len_utf8();
    }
    out
}

/// One match of `period_context_re()`: a sentence-end character and what follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodContext {
    /// Byte offset of the sentence-end character (the match is one character long).
    pub start: usize,
    /// End of the `after_tok` group (the lookahead).
    pub after_end: usize,
    /// Start of the `next_tok` group, if the end character is followed by whitespace.
    pub next_tok_start: Option<usize>,
}

impl PeriodContext {
    /// `match.end()`.
    pub fn end(&self) -> usize {
        self.start + 1
    }
}

/// `period_context_re().finditer(text)`: `[.?!](?=(?P<after_tok>NonWord|\s+(?P<next_tok>\S+)))`.
pub fn period_contexts(text: &str) -> Vec<PeriodContext> {
    let mut out = Vec::new();
    for (i, c) in text.char_indices() {
        if !SENT_END_CHARS.contains(&c) {
            continue;
        }
        let j = i + 1;
        let Some(d) = char_at(text, j) else { continue };
        if is_non_word_char(d) {
            out.push(PeriodContext {
                start: i,
                after_end: j + d.len_utf8(),
                next_tok_start: None,
            });
            continue;
        }
        let ws_end = j + text[j..]
            .char_indices()
            .find(|&(_, x)| !rx::is_space(x))
            .map_or(text.len() - j, |(k, _)| k);
        if ws_end == j || ws_end == text.len() {
            continue;
        }
        let tok_end = ws_end
            + text[ws_end..]
                .char_indices()
                .find(|&(_, x)| rx::is_space(x))
                .map_or(text.len() - ws_end, |(k, _)| k);
        out.push(PeriodContext {
            start: i,
            after_end: tok_end,
            next_tok_start: Some(ws_end),
        });
    }
    out
}

fn is_closing(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | ')'
            | ']'
            | '}'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{201c}'
            | '\u{201d}'
            | '\u{ab}'
            | '\u{bb}'
    )
}

/// `re_boundary_realignment.match(s)` (MULTILINE):
/// `["')\]}‘’“”«»]+?(?:\s+|(?=--)|$)`. Returns the match length in bytes.
pub fn boundary_realignment(s: &str) -> Option<usize> {
    let mut i = 0;
    for c in s.chars() {
        if !is_closing(c) {
            return None;
        }
        i += c.len_utf8();
        // Lazy: the shortest run of closers after which the rest of the pattern matches.
        let rest = &s[i..];
        let ws: usize = rest
            .chars()
            .take_while(|&x| rx::is_space(x))
            .map(char::len_utf8)
            .sum();
        if ws > 0 {
            return Some(i + ws);
        }
        if rest.starts_with("--") || rest.is_empty() || rest.starts_with('\n') {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_tokens_like_nltk() {
        assert_eq!(
            word_tokenize("Hello, world... (he said) a-b -- x. . . y"),
            [
                "Hello", ",", "world", "...", "(", "he", "said", ")", "a-b", "--", "x", ". . .",
                "y"
            ]
        );
        assert_eq!(
            word_tokenize("e.g., 3,000 :x"),
            ["e.g.", ",", "3,000", ":", "x"]
        );
    }

    #[test]
    fn realignment() {
        assert_eq!(boundary_realignment(")\" Next"), Some(3));
        assert_eq!(boundary_realignment(")--"), Some(1));
        assert_eq!(boundary_realignment("x)"), None);
        assert_eq!(boundary_realignment("))"), Some(2));
    }
}
