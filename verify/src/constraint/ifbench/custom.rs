//! The `custom:*` constraints tied to one fixed prompt each (multiples of 7, multiple-choice
//! questions, African countries, a reversed sentence, European capitals, Napoleon's battles).
//! The CSV ones are in [`super::csv`].

use super::count::digit_runs;
use super::nlp;
use super::pystr::{lower, py_len, remove_punct, strip_punct_space};
use crate::text::python::{self, is_space, strip};
use crate::text::python::{decimal_value, is_decimal, is_word};
use alloc::string::String;
use alloc::vec::Vec;
use unicode_normalization::UnicodeNormalization;

fixed_constraint!(
    /// `custom:multiples`: the digit runs (with `,` read as `, `) are exactly 14 21 28 35 42 49.
    Multiples,
    "custom:multiples",
    "Count from 10 to 50 but only print multiples of 7.",
    |r| {
        let v = r.replace(',', ", ");
        digit_runs(&v) == ["14", "21", "28", "35", "42", "49"]
    }
);

/// `re.split(r'\n*(?:Question \d+[\.|\):;]?\s*)', s)`.
fn split_questions(s: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut last = 0; // end of the previous match
    let mut from = 0; // where to look for the next "Question "
    while let Some(off) = s[from..].find("Question ") {
        let q = from + off;
        let after = q + "Question ".len();
        let digits = s[after..]
            .chars()
            .take_while(|&c| is_decimal(c))
            .map(char::len_utf8)
            .sum::<usize>();
        if digits == 0 {
            from = q + 1;
            continue;
        }
        let mut end = after + digits;
        if let Some(c) = s[end..].chars().next().filter(|c| ".|):;".contains(*c)) {
            end += c.len_utf8();
        }
        end += s[end..]
            .chars()
            .take_while(|&c| is_space(c))
            .map(char::len_utf8)
            .sum::<usize>();
        let start = last.max(q - (s[..q].len() - s[..q].trim_end_matches('\n').len()));
        pieces.push(&s[last..start]);
        last = end;
        from = end;
    }
    pieces.push(&s[last..]);
    pieces
}

/// `re.match(r'^[A-Ea-e][\.|\)]\s*\w+', line)`.
fn is_option_line(line: &str) -> bool {
    let mut it = line.chars();
    let (Some(a), Some(b)) = (it.next(), it.next()) else {
        return false;
    };
    if !matches!(a, 'A'..='E' | 'a'..='e') || !".|)".contains(b) {
        return false;
    }
    it.find(|&c| !is_space(c)).is_some_and(is_word)
}

fixed_constraint!(
    /// `custom:mcq_count_length`: starts with `Question`; four questions, each with five
    /// `A.`-style options, question texts strictly growing in length.
    McqCountLength,
    "custom:mcq_count_length",
    "Generate 4 multiple choice questions with 5 options each about '20th century art history'. Each question should start with the label \"Question\". The questions should get progressively longer. Do not provide an explanation.",
    |r| {
        // `value[value.find('Question'):] != value` rejects any text before the first
        // "Question" (with no "Question" at all, only a one-character response survives, and it
        // then fails the count below).
        if !r.starts_with("Question") && py_len(r) > 1 {
            return false;
        }
        let mut parts = split_questions(r);
        if parts.first() == Some(&"") {
            parts.remove(0);
        }
        let questions: Vec<&str> = parts.into_iter().map(strip).filter(|q| !q.is_empty()).collect();
        if questions.len() != 4 {
            return false;
        }
        let mut lengths = Vec::new();
        for q in questions {
            let mut text = String::new();
            let mut options = 0;
            let mut done = false;
            for line in q.split('\n') {
                if is_option_line(strip(line)) {
                    options += 1;
                    done = true;
                } else if !done {
                    text.push(' ');
                    text.push_str(strip(line));
                }
            }
            if options != 5 {
                return false;
            }
            lengths.push(py_len(strip(&text)));
        }
        lengths.windows(2).all(|p| p[0] < p[1])
    }
);

/// `unicodedata.normalize('NFKD', s).encode('ASCII', 'ignore').decode('ASCII')`.
fn nfkd_ascii(s: &str) -> String {
    s.nfkd().filter(char::is_ascii).collect()
}

fixed_constraint!(
    /// `custom:reverse_newline`: from the first line mentioning `Zimbabwe`, at least 52
    /// non-empty lines in reverse (ASCII-folded) order.
    ReverseNewline,
    "custom:reverse_newline",
    "List the countries of Africa in reverse alphabetical order, each on a new line.",
    |r| {
        let lines: Vec<&str> =
            r.split('\n').map(strip_punct_space).filter(|l| !l.is_empty()).collect();
        let Some(start) = lines.iter().position(|l| l.contains("Zimbabwe")) else {
            return false;
        };
        let target = &lines[start..];
        if target.len() < 52 {
            return false;
        }
        let norm: Vec<String> = target.iter().map(|l| nfkd_ascii(l)).collect();
        norm.windows(2).all(|p| p[0] >= p[1])
    }
);

fixed_constraint!(
    /// `custom:word_reverse`: the words reversed (lowercased, punctuation removed) mention
    /// `bald eagle` and form a single sentence of the splitter.
    WordReverse,
    "custom:word_reverse",
    "What animal is the national symbol of the US? Respond to this query, but make your sentence in reverse order of what it should be, per word.",
    |r| {
        let v = remove_punct(strip(&lower(r)));
        let mut words = python::split(&v);
        words.reverse();
        let v = words.join(" ");
        v.contains("bald eagle") && nlp::sentences(&v).contains(&v)
    }
);

fixed_constraint!(
    /// `custom:character_reverse`: contains `elgae dlab`, ignoring case.
    CharacterReverse,
    "custom:character_reverse",
    "What animal is the national symbol of the US? Respond to this query, but make your sentence in reverse order of what it should be, per letter.",
    |r| lower(r).contains("elgae dlab")
);

fixed_constraint!(
    /// `custom:sentence_alphabet`: 26 sentences whose first words start with a..z.
    SentenceAlphabet,
    "custom:sentence_alphabet",
    "Tell me a 26-sentence story where each sentence's first word starts with the letters of the alphabet in order.",
    |r| {
        let s = nlp::sentences(r);
        s.len() == 26
            && s.iter().zip('a'..='z').all(|(x, want)| {
                python::split(x).first().is_some_and(|w| lower(w).starts_with(want))
            })
    }
);

/// The answer `custom:european_capitals_sort` expects, in order.
pub const EUROPEAN_CAPITALS: [&str; 27] = [
    "Reykjavik",
    "Helsinki",
    "Oslo",
    "Tallinn",
    "Stockholm",
    "Riga",
    "Moscow",
    "Copenhagen",
    "Vilnius",
    "Minsk",
    "Dublin",
    "Berlin",
    "Amsterdam",
    "Warsaw",
    "London",
    "Brussels",
    "Prague",
    "Luxembourg",
    "Paris",
    "Vienna",
    "Bratislava",
    "Budapest",
    "Vaduz",
    "Chisinau",
    "Bern",
    "Ljubljana",
    "Zagreb",
];

fixed_constraint!(
    /// `custom:european_capitals_sort`: exactly [`EUROPEAN_CAPITALS`], comma-separated.
    EuropeanCapitalsSort,
    "custom:european_capitals_sort",
    "Give me the names of all capital cities of european countries whose latitude is higher than than 45 degrees? List the capital cities without country names, separated by commas, sorted by latitude, from highest to lowest.",
    |r| {
        let v = nfkd_ascii(r);
        let caps: Vec<&str> = v.split(',').filter(|c| !strip(c).is_empty()).collect();
        caps.len() == EUROPEAN_CAPITALS.len()
            && caps.iter().zip(EUROPEAN_CAPITALS).all(|(c, want)| strip(c) == want)
    }
);

/// `re.match(r'^\d{4}-\d{2}-\d{2}$', s)` then `int()` of the three fields.
fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    let c: Vec<char> = s.chars().collect();
    if c.len() != 10 || c[4] != '-' || c[7] != '-' {
        return None;
    }
    let num = |r: core::ops::Range<usize>| -> Option<u32> {
        c[r].iter()
            .try_fold(0u32, |acc, &d| Some(acc * 10 + decimal_value(d)?))
    };
    Some((num(0..4)?, num(5..7)?, num(8..10)?))
}

fixed_constraint!(
    /// `custom:date_format_list`: comma-separated `YYYY-MM-DD` dates with years 1769..=1821 and
    /// plausible months and days.
    DateFormatList,
    "custom:date_format_list",
    "List the start dates of all the battles Napoleon fought separated by commas, use the following date format: YYYY-MM-DD. Do not provide an explanation.",
    |r| {
        strip(r).split(',').all(|d| {
            let Some((y, m, d)) = parse_date(strip(d)) else { return false };
            let max_day = match m {
                1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
                4 | 6 | 9 | 11 => 30,
                2 => 29,
                _ => u32::MAX,
            };
            (1769..=1821).contains(&y) && m <= 12 && d <= max_day
        })
    }
);
