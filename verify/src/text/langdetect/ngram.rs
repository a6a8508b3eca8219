//! langdetect's character normalisation (`NGram.normalize`, `NGram.normalize_vi`) and the
//! tables behind it, read from the package's own `messages.properties`.

use alloc::vec::Vec;
use hashbrown::HashMap;

static MESSAGES: &str = include_str!("../../../data/langdetect/messages.properties");

/// The normalisation tables of `langdetect/utils/ngram.py`.
pub struct NgramTables {
    latin1_excluded: Vec<char>,
    cjk_map: HashMap<char, char>,
    vi_letters: Vec<char>,
    vi_marks: Vec<char>,
    vi_normalized: Vec<Vec<char>>,
}

/// Decodes a `messages.properties` value the way `value.encode().decode('unicode_escape')`
/// does for the `\uXXXX` escapes the file uses.
fn unescape(value: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(value.len());
    let mut it = value.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\\' && it.peek() == Some(&'u') {
            let hex: alloc::string::String = it.clone().skip(1).take(4).collect();
            if let Some(ch) = u32::from_str_radix(&hex, 16)
                .ok()
                .filter(|_| hex.len() == 4)
                .and_then(char::from_u32)
            {
                out.push(ch);
                for _ in 0..5 {
                    it.next();
                }
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn message(key: &str) -> Vec<char> {
    for line in MESSAGES.lines() {
        let line = crate::text::python::strip(line);
        if let Some((k, v)) = line.split_once('=') {
            if k == key {
                return unescape(v);
            }
        }
    }
    // Python's Messages.get_string fallback.
    let mut s: Vec<char> = Vec::new();
    s.push('!');
    s.extend(key.chars());
    s.push('!');
    s
}

impl NgramTables {
    /// Builds the tables from the embedded `messages.properties`.
    pub fn new() -> NgramTables {
        let mut cjk_map = HashMap::new();
        for line in MESSAGES.lines() {
            let line = crate::text::python::strip(line);
            if let Some((k, v)) = line.split_once('=') {
                if k.starts_with("NGram.KANJI_") {
                    let class = unescape(v);
                    if let Some(&rep) = class.first() {
                        for &ch in &class {
                            cjk_map.insert(ch, rep);
                        }
                    }
                }
            }
        }
        NgramTables {
            latin1_excluded: message("NGram.LATIN1_EXCLUDE"),
            cjk_map,
            vi_letters: message("TO_NORMALIZE_VI_CHARS"),
            vi_marks: message("DMARK_CLASS"),
            vi_normalized: ["0300", "0301", "0303", "0309", "0323"]
                .iter()
                .map(|m| {
                    let mut key = alloc::string::String::from("NORMALIZED_VI_CHARS_");
                    key.push_str(m);
                    message(&key)
                })
                .collect(),
        }
    }

    /// `NGram.normalize(ch)`.
    pub fn normalize(&self, ch: char) -> char {
        match u32::from(ch) {
            0..=0x7f => {
                if ch < 'A' || ('Z' < ch && ch < 'a') || 'z' < ch {
                    ' '
                } else {
                    ch
                }
            }
            0x80..=0xff => {
                if self.latin1_excluded.contains(&ch) {
                    ' '
                } else {
                    ch
                }
            }
            0x180..=0x24f => match ch {
                '\u{219}' => '\u{15f}',
                '\u{21b}' => '\u{163}',
                _ => ch,
            },
            0x2000..=0x206f => ' ',
            0x600..=0x6ff => {
                if ch == '\u{6cc}' {
                    '\u{64a}'
                } else {
                    ch
                }
            }
            0x1e00..=0x1eff => {
                if ch >= '\u{1ea0}' {
                    '\u{1ec3}'
                } else {
                    ch
                }
            }
            0x3040..=0x309f => '\u{3042}',
            0x30a0..=0x30ff => '\u{30a2}',
            0x3100..=0x312f | 0x31a0..=0x31bf => '\u{3105}',
            0x4e00..=0x9fff => self.cjk_map.get(&ch).copied().unwrap_or(ch),
            0xac00..=0xd7af => '\u{ac00}',
            _ => ch,
        }
    }

    /// `NGram.normalize_vi(text)`: a letter followed by a combining grave, acute, tilde, hook
    /// or dot below becomes the precomposed Vietnamese letter.
    pub fn normalize_vi(&self, text: &[char]) -> Vec<char> {
        let mut out = Vec::with_capacity(text.len());
        let mut i = 0;
        while i < text.len() {
            if let (Some(a), Some(next)) = (
                self.vi_letters.iter().position(|&c| c == text[i]),
                text.get(i + 1),
            ) {
                if let Some(m) = self.vi_marks.iter().position(|c| c == next) {
                    if let Some(&rep) = self.vi_normalized.get(m).and_then(|row| row.get(a)) {
                        out.push(rep);
                        i += 2;
                        continue;
                    }
                }
            }
            out.push(text[i]);
            i += 1;
        }
        out
    }
}

impl Default for NgramTables {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_match_python() {
        let t = NgramTables::new();
        assert_eq!(t.latin1_excluded, ['\u{a0}', '\u{ab}', '\u{b0}', '\u{bb}']);
        assert_eq!(t.cjk_map.len(), 6667);
        assert_eq!(t.vi_letters.len(), 24);
        assert!(t.vi_normalized.iter().all(|r| r.len() == 24));
        assert_eq!(t.normalize('!'), ' ');
        assert_eq!(t.normalize('\u{30ab}'), '\u{30a2}');
        let vi: Vec<char> = "a\u{301}x".chars().collect();
        assert_eq!(t.normalize_vi(&vi), ['\u{e1}', 'x']);
    }
}
