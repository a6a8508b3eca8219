//! `Detector.append` and `Detector.cleaning_text`: URL and e-mail removal (with exactly the
//! greedy, backtracking semantics of Python's `re.sub` for langdetect's two patterns), the
//! Vietnamese normalisation, the 10000-character cap with space collapsing, and dropping the
//! Latin letters from mostly non-Latin text.

use alloc::vec::Vec;

use super::ngram::NgramTables;

/// `Detector.max_text_length`.
const MAX_TEXT_LENGTH: usize = 10_000;

fn is_url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.?&~;+=/#".contains(c)
}

fn is_mail_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.".contains(c)
}

fn is_host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_".contains(c)
}

fn run_len(text: &[char], from: usize, max: usize, class: fn(char) -> bool) -> usize {
    text.get(from..)
        .unwrap_or(&[])
        .iter()
        .take(max)
        .take_while(|&&c| class(c))
        .count()
}

/// `https?://[-_.?&~;+=/#0-9A-Za-z]{1,2076}` matched at `p`: the end of the match.
fn match_url(text: &[char], p: usize) -> Option<usize> {
    let starts = |at: usize, lit: &str| {
        lit.chars()
            .enumerate()
            .all(|(k, c)| text.get(at + k) == Some(&c))
    };
    if !starts(p, "http") {
        return None;
    }
    let after = if starts(p + 4, "s://") {
        p + 8
    } else if starts(p + 4, "://") {
        p + 7
    } else {
        return None;
    };
    let n = run_len(text, after, 2076, is_url_char);
    (n >= 1).then_some(after + n)
}

/// `[-_.0-9A-Za-z]{1,64}@[-_0-9A-Za-z]{1,255}[-_.0-9A-Za-z]{1,255}` matched at `p`.
fn match_mail(text: &[char], p: usize) -> Option<usize> {
    // The local part cannot contain '@', so the only candidate is the whole run.
    let local = run_len(text, p, 64, is_mail_char);
    if local == 0 || text.get(p + local) != Some(&'@') {
        return None;
    }
    let s = p + local + 1;
    let a = run_len(text, s, 255, is_host_char);
    if a == 0 {
        return None;
    }
    let b = run_len(text, s + a, 255, is_mail_char);
    if b >= 1 {
        Some(s + a + b)
    } else if a >= 2 {
        // Backtrack one character of the first group into the second.
        Some(s + a)
    } else {
        None
    }
}

/// `re.sub(pattern, ' ', text)` for a pattern whose matches are never empty.
fn substitute(text: &[char], matcher: fn(&[char], usize) -> Option<usize>) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len());
    let mut p = 0;
    while p < text.len() {
        if let Some(end) = matcher(text, p) {
            out.push(' ');
            p = end;
        } else {
            out.push(text[p]);
            p += 1;
        }
    }
    out
}

/// `Detector.append(text)` on a fresh detector: the text the detector will work on.
pub fn append(tables: &NgramTables, text: &str) -> Vec<char> {
    let chars: Vec<char> = text.chars().collect();
    let chars = substitute(&chars, match_url);
    let chars = substitute(&chars, match_mail);
    let chars = tables.normalize_vi(&chars);
    let mut out = Vec::with_capacity(chars.len().min(MAX_TEXT_LENGTH));
    let mut pre: Option<char> = None;
    for &ch in chars.iter().take(MAX_TEXT_LENGTH) {
        if ch != ' ' || pre != Some(' ') {
            out.push(ch);
        }
        pre = Some(ch);
    }
    out
}

/// `Detector.cleaning_text()`. In langdetect 1.0.9 the "not Latin Extended Additional" test
/// compares a block number with a string and so is always true: every character from U+0300
/// up counts as non-Latin. That is reproduced here.
pub fn cleaning_text(text: &mut Vec<char>) {
    let is_latin = |c: char| ('A'..='z').contains(&c);
    let latin = text.iter().filter(|&&c| is_latin(c)).count();
    let non_latin = text.iter().filter(|&&c| c >= '\u{300}').count();
    if latin * 2 < non_latin {
        text.retain(|&c| !is_latin(c));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    fn sub(s: &str, m: fn(&[char], usize) -> Option<usize>) -> String {
        let chars: Vec<char> = s.chars().collect();
        substitute(&chars, m).into_iter().collect()
    }

    // Expected strings checked against Python's re.sub with langdetect's patterns.
    #[test]
    fn url_and_mail_like_python_re() {
        assert_eq!(sub("see https://x.org/a?b=c now", match_url), "see   now");
        assert_eq!(
            sub("http:// x httpss://y", match_url),
            "http:// x httpss://y"
        );
        assert_eq!(sub("mail me@host.com.", match_mail), "mail  ");
        assert_eq!(sub("a@b.", match_mail), " ");
        assert_eq!(sub("a@bc", match_mail), " ");
        assert_eq!(sub("a@b.c", match_mail), " ");
        assert_eq!(sub("x@@y.z", match_mail), "x@@y.z");
    }
}
