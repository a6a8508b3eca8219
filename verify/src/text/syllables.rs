//! Syllable counting exactly as the PyPI `syllapy` 0.8.0 package does it (IFBench's
//! syllable checkers call `syllapy.count`): normalise the word, look it up in syllapy's
//! dictionary (`verify/data/syllapy/data.csv`), split hyphenated compounds, else count vowel
//! groups with syllapy's adjustments for a final `e` and `le`.

use hashbrown::HashMap;
use once_cell::race::OnceBox;

use crate::text::python;
use crate::text::python::is_decimal;

static DATA_CSV: &str = include_str!("../../data/syllapy/data.csv");
static WORD_DICT: OnceBox<HashMap<&'static str, usize>> = OnceBox::new();

/// `syllapy.data_loader.load_dict()`: `word,count` rows; a later row wins, like a dict.
/// Rows whose count does not parse (there are none) are skipped.
fn word_dict() -> &'static HashMap<&'static str, usize> {
    WORD_DICT.get_or_init(|| {
        let mut map = HashMap::new();
        for line in DATA_CSV.lines() {
            let mut fields = line.split(',');
            if let (Some(word), Some(n)) = (fields.next(), fields.next()) {
                if let Ok(n) = n.parse() {
                    map.insert(word, n);
                }
            }
        }
        alloc::boxed::Box::new(map)
    })
}

/// `syllapy.count(word)`: the number of syllables, 0 for a word that is empty after
/// stripping whitespace and ASCII punctuation or that contains a (Unicode) decimal digit.
pub fn count(word: &str) -> usize {
    // word.strip().lower().strip(string.punctuation)
    let lowered = python::strip(word).to_lowercase();
    let word = lowered.trim_matches(|c: char| c.is_ascii_punctuation());
    if word.is_empty() || word.chars().any(is_decimal) {
        return 0;
    }
    if let Some(&n) = word_dict().get(word) {
        return n;
    }
    // re.match("([^-]+)-(.+)", word): the part before the first '-' and, after it, the
    // characters up to the first newline ('.' does not match "\n"); both non-empty.
    if let Some(dash) = word.find('-') {
        let first = &word[..dash];
        let rest = &word[dash + 1..];
        let second = rest.split('\n').next().unwrap_or("");
        if !first.is_empty() && !second.is_empty() {
            let s1 = count(first);
            let s2 = count(second);
            if s1 == 0 || s2 == 0 {
                return 0;
            }
            return s1 + s2;
        }
    }
    rule_count(word)
}

/// `syllapy._syllables`: vowel groups, minus a final `e`, plus a final consonant + `le`,
/// at least one.
fn rule_count(word: &str) -> usize {
    let is_vowel = |c: char| "aeiouy".contains(c);
    let chars: alloc::vec::Vec<char> = word.chars().collect();
    let mut n: isize = 0;
    if chars.first().is_some_and(|&c| is_vowel(c)) {
        n += 1;
    }
    for pair in chars.windows(2) {
        if is_vowel(pair[1]) && !is_vowel(pair[0]) {
            n += 1;
        }
    }
    if word.ends_with('e') {
        n -= 1;
    }
    if word.ends_with("le") && chars.len() > 2 && !is_vowel(chars[chars.len() - 3]) {
        n += 1;
    }
    if n == 0 {
        n += 1;
    }
    // A word ending in 'e' has a vowel group counted at its start, so `n` never goes below
    // zero; the clamp only keeps the conversion total.
    n.max(0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_like_syllapy() {
        assert_eq!(count("hello"), 2);
        assert_eq!(count("  Table, "), 2);
        assert_eq!(count("self-care"), 2);
        assert_eq!(count("abc123"), 0);
        assert_eq!(count("..."), 0);
        assert_eq!(count(""), 0);
    }
}
