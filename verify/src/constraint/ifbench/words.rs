//! The `words:*` constraints: letters, vowels, consonants, palindromes, word positions.

use super::count::int_constraint;
use super::index_arg::IndexArg;
use super::pystr::{is_punct_or_space, lower, py_index, py_len, remove_punct, strip_punct_space};
use super::{kwargs_of, nlp, nonblank};
use crate::constraint::args::Args;
use crate::constraint::params::non_negative_int;
use crate::constraint::{Constraint, ConstraintError, Kwargs};
use crate::text::python::{self, strip};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use hashbrown::{HashMap, HashSet};

fn first_char(s: &str) -> Option<char> {
    s.chars().next()
}

fixed_constraint!(
    /// `words:alphabet`: consecutive words start with consecutive letters, `z` wrapping to `a`.
    Alphabet,
    "words:alphabet",
    "Each word must start with the next letter of the alphabet, looping back to 'A' after 'Z'.",
    |r| {
        let text = remove_punct(r);
        let words = python::split(strip_punct_space(&text));
        let Some(first) = words.first().and_then(|w| first_char(w)) else {
            return false;
        };
        // `words[0][0].lower()` must be one ASCII lowercase letter (`in string.ascii_lowercase`).
        let l = first.to_lowercase().to_string();
        let mut letter = match l.as_bytes() {
            [b] if b.is_ascii_lowercase() => *b,
            _ => return false,
        };
        for w in &words[1..] {
            let w = lower(strip_punct_space(w));
            let Some(c) = first_char(&w) else { continue };
            letter = if letter == b'z' { b'a' } else { letter + 1 };
            if c != letter as char {
                return false;
            }
        }
        true
    }
);

fixed_constraint!(
    /// `words:vowel`: one line (after `strip()`), using at most three of `a e i o u`.
    Vowel,
    "words:vowel",
    "Write a paragraph using words that contain only three types of vowels.",
    |r| {
        let s = strip(r);
        if s.contains('\n') {
            return false;
        }
        let low = lower(s);
        let used: HashSet<char> = low.chars().filter(|c| "aeiou".contains(*c)).collect();
        used.len() <= 3
    }
);

fn is_consonant(c: char) -> bool {
    "bcdfghjklmnpqrstvwxyz".contains(c)
}

fixed_constraint!(
    /// `words:consonants`: every whitespace word has two adjacent ASCII consonants.
    Consonants,
    "words:consonants",
    "Ensure each word in your response has at least one consonant cluster (two or more consonants together).",
    |r| {
        let low = lower(r);
        python::split(strip(&low)).iter().all(|w| {
            let c: Vec<char> = w.chars().collect();
            c.windows(2).any(|p| is_consonant(p[0]) && is_consonant(p[1]))
        })
    }
);

fixed_constraint!(
    /// `words:palindrome`: at least 10 words (punctuation removed, lowercased) that read the
    /// same backwards and have at least 5 characters.
    Palindrome,
    "words:palindrome",
    "Include at least 10 single-word palindromes, each at least 5 characters long.",
    |r| {
        let low = lower(&remove_punct(r));
        python::split(&low)
            .iter()
            .filter(|w| py_len(w) >= 5 && w.chars().eq(w.chars().rev()))
            .count()
            >= 10
    }
);

fixed_constraint!(
    /// `words:prime_lengths`: every word (punctuation removed) has a prime length below 100.
    PrimeLengths,
    "words:prime_lengths",
    "Use only words with lengths that are prime numbers.",
    |r| {
        const PRIMES: [usize; 25] =
            [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97];
        python::split(&remove_punct(r)).iter().all(|w| PRIMES.contains(&py_len(w)))
    }
);

#[cfg(feature = "pos-tagger")]
fixed_constraint!(
    /// `words:start_verb`: NLTK's tag of the first Treebank token contains `VB`.
    StartVerb,
    "words:start_verb",
    "The response must start with a verb.",
    |r| nlp::first_tag_is_verb(&nlp::words(r))
);

int_constraint!(
    /// `words:repeats`: no word (lowercased, punctuation removed) occurs more than `small_n`
    /// times.
    Repeats, "words:repeats", "small_n", non_negative_int,
    "The response should not repeat any word more than {} times.",
    |r, n| {
        let text = remove_punct(&lower(r));
        let mut counts: HashMap<&str, i64> = HashMap::new();
        for w in python::split(&text) {
            *counts.entry(w).or_insert(0) += 1;
        }
        counts.values().all(|&c| c <= n)
    }
);

#[cfg(feature = "syllables")]
fixed_constraint!(
    /// `words:odd_even_syllables`: syllable counts (syllapy) alternate in parity.
    OddEvenSyllables,
    "words:odd_even_syllables",
    "Alternate between words with odd and even numbers of syllables.",
    |r| {
        let text = lower(&remove_punct(r));
        let parity: Vec<usize> = python::split(&text).iter().map(|w| nlp::syllables(w) % 2).collect();
        parity.windows(2).all(|p| p[0] != p[1])
    }
);

fixed_constraint!(
    /// `words:last_first`: each sentence starts with the previous sentence's last word.
    LastFirst,
    "words:last_first",
    "The last word of each sentence must become the first word of the next sentence.",
    |r| {
        let s = nlp::sentences(r);
        s.windows(2).all(|p| {
            let last = python::split(p[0].trim_end_matches(is_punct_or_space));
            let first = python::split(p[1].trim_start_matches(is_punct_or_space));
            match (last.last(), first.first()) {
                (Some(a), Some(b)) => lower(a) == lower(b),
                _ => false,
            }
        })
    }
);

fixed_constraint!(
    /// `words:paragraph_last_first`: every non-blank line ends with the word it starts with
    /// (case-insensitive, outer punctuation stripped). A line of nothing but punctuation fails
    /// (the official `words[0]` raises IndexError).
    ParagraphLastFirst,
    "words:paragraph_last_first",
    "Each paragraph must end with the same word it started with, separate paragraphs with a newline.",
    |r| {
        r.split('\n').all(|p| {
            let p = lower(strip(p));
            if p.is_empty() {
                return true;
            }
            let words = python::split(strip_punct_space(&p));
            match (words.first(), words.last()) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            }
        })
    }
);

fixed_constraint!(
    /// `words:no_consecutive`: no two consecutive words share their first character.
    NoConsecutive,
    "words:no_consecutive",
    "No two consecutive words can share the same first letter.",
    |r| {
        let text = remove_punct(&lower(r));
        let words = python::split(&text);
        words.windows(2).all(|p| first_char(p[0]) != first_char(p[1]))
    }
);

/// `words:keywords_specific_position`: the `m`-th Treebank token of the `n`-th sentence
/// equals `keyword` exactly (case-sensitive, as at commit 8a66c06). `n` and `m` follow Python's
/// list indexing: a negative one counts from the end (`sentences[n - 1]`), and an index given
/// as a JSON float fails every response (Python raises `TypeError`).
#[derive(Debug, Clone)]
pub struct KeywordsSpecificPosition {
    keyword: String,
    n: IndexArg,
    m: IndexArg,
}

impl KeywordsSpecificPosition {
    /// Builds from `keyword` (non-empty; `strip()`ped after that test, as the official code
    /// does), `n` and `m` (non-zero: the official code re-draws 0 at random).
    pub fn new(args: &Args) -> Result<Self, ConstraintError> {
        const ID: &str = "words:keywords_specific_position";
        let raw = args.string("keyword")?;
        if raw.is_empty() {
            return Err(ConstraintError::MissingArg {
                id: ID.into(),
                arg: "keyword".into(),
                expected: "a non-empty string".into(),
            });
        }
        Ok(Self {
            keyword: strip(&raw).to_string(),
            n: IndexArg::read(args, ID, "n", false)?,
            m: IndexArg::read(args, ID, "m", false)?,
        })
    }
}

impl Constraint for KeywordsSpecificPosition {
    fn id(&self) -> &str {
        "words:keywords_specific_position"
    }
    fn kwargs(&self) -> Kwargs {
        kwargs_of(&[
            ("keyword", self.keyword.as_str().into()),
            ("n", self.n.to_value()),
            ("m", self.m.to_value()),
        ])
    }
    fn describe(&self) -> String {
        format!(
            "Include keyword {} in the {}-th sentence, as the {}-th word of that sentence.",
            self.keyword,
            self.n.display(),
            self.m.display()
        )
    }
    fn check(&self, r: &str) -> bool {
        if !nonblank(r) || self.n.float || self.m.float {
            return false;
        }
        let s = nlp::sentences(r);
        // `if len(sentences) < n: return False`, then `sentences[n - 1]`.
        if (s.len() as i64) < self.n.value {
            return false;
        }
        let Some(i) = py_index(s.len(), self.n.value - 1) else {
            return false;
        };
        let words = nlp::words(&s[i]);
        if (words.len() as i64) < self.m.value {
            return false;
        }
        py_index(words.len(), self.m.value - 1).is_some_and(|j| words[j] == self.keyword)
    }
}

/// `words:words_position`: the second and the second-to-last Treebank tokens both equal
/// `keyword` exactly (case-sensitive, as at commit 8a66c06).
#[derive(Debug, Clone)]
pub struct WordsPosition {
    keyword: String,
}

impl WordsPosition {
    /// Builds from `keyword` (`strip()`ped).
    pub fn new(args: &Args) -> Result<Self, ConstraintError> {
        Ok(Self {
            keyword: strip(&args.string("keyword")?).to_string(),
        })
    }
}

impl Constraint for WordsPosition {
    fn id(&self) -> &str {
        "words:words_position"
    }
    fn kwargs(&self) -> Kwargs {
        kwargs_of(&[("keyword", self.keyword.as_str().into())])
    }
    fn describe(&self) -> String {
        format!(
            "The second word in your response and the second to last word in your response should be the word {}.",
            self.keyword
        )
    }
    fn check(&self, r: &str) -> bool {
        if !nonblank(r) {
            return false;
        }
        let w = nlp::words(r);
        if w.len() < 2 {
            return false;
        }
        w[1] == self.keyword && w[w.len() - 2] == self.keyword
    }
}
