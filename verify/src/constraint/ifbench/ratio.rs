//! The `ratio:*` constraints: stop-word share, sentence-type ratios, trigram overlap, equal
//! sentence lengths.

use super::pystr::py_len;
use super::{kwargs_of, nlp, nonblank};
use crate::constraint::args::Args;
use crate::constraint::{Constraint, ConstraintError, Kwargs};
use crate::text::python::strip;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use hashbrown::HashSet;

/// A number as Python's `str.format` would show it, except that integral values print
/// without `.0` (IFBench stores integer parameters as floats).
pub(crate) fn fmt_num(x: f64) -> String {
    if libm::trunc(x) == x && x.abs() < 9e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn nonneg_float(args: &Args, id: &str, name: &str) -> Result<f64, ConstraintError> {
    let v = args.float(name)?;
    if v < 0.0 || v.is_nan() {
        return Err(ConstraintError::BadArg {
            id: id.into(),
            arg: name.into(),
            expected: "a non-negative number".into(),
            found: fmt_num(v),
        });
    }
    Ok(v)
}

/// `ratio:stop_words`: NLTK english stopwords are at most `percentage`% of the `\w+` words.
#[derive(Debug, Clone)]
pub struct StopWords {
    percentage: f64,
}

impl StopWords {
    /// Builds from `percentage`.
    pub fn new(args: &Args) -> Result<Self, ConstraintError> {
        Ok(Self {
            percentage: nonneg_float(args, "ratio:stop_words", "percentage")?,
        })
    }
}

impl Constraint for StopWords {
    fn id(&self) -> &str {
        "ratio:stop_words"
    }
    fn kwargs(&self) -> Kwargs {
        kwargs_of(&[("percentage", self.percentage.into())])
    }
    fn describe(&self) -> String {
        format!(
            "Ensure that stop words constitute no more than {}% of the total words in your response.",
            fmt_num(self.percentage)
        )
    }
    fn check(&self, r: &str) -> bool {
        if !nonblank(r) {
            return false;
        }
        let words = nlp::count_words(r);
        if words == 0 {
            return false;
        }
        let stop = nlp::count_stopwords(r);
        (stop as f64 / words as f64) * 100.0 <= self.percentage
    }
}

fn ending_counts(r: &str) -> (usize, usize, usize) {
    let s = nlp::sentences(r);
    let n = |p: char| s.iter().filter(|x| x.ends_with(p)).count();
    (n('.'), n('?'), n('!'))
}

fixed_constraint!(
    /// `ratio:sentence_type`: twice as many sentences end in `.` as in `?`.
    SentenceType,
    "ratio:sentence_type",
    "Maintain a 2:1 ratio of declarative to interrogative sentences.",
    |r| {
        let (d, q, _) = ending_counts(r);
        d == 2 * q
    }
);

fixed_constraint!(
    /// `ratio:sentence_balance`: as many sentences end in `.` as in `?` and in `!`.
    SentenceBalance,
    "ratio:sentence_balance",
    "Ensure that the ratio of sentence types (declarative, interrogative, exclamatory) is balanced.",
    |r| {
        let (d, q, e) = ending_counts(r);
        d == q && q == e
    }
);

/// `ratio:overlap`: the share of the response's character trigrams that also occur in
/// `reference_text` is within `percentage` ± 2 (percent). At commit 8a66c06 the official code
/// applies `nltk.ngrams` to the raw strings, so the trigrams are of characters.
#[derive(Debug, Clone)]
pub struct Overlap {
    reference_text: String,
    percentage: f64,
}

impl Overlap {
    /// Builds from `reference_text` and `percentage`.
    pub fn new(args: &Args) -> Result<Self, ConstraintError> {
        Ok(Self {
            reference_text: args.string("reference_text")?,
            percentage: nonneg_float(args, "ratio:overlap", "percentage")?,
        })
    }
}

fn char_trigrams(s: &str) -> HashSet<[char; 3]> {
    let c: Vec<char> = s.chars().collect();
    c.windows(3).map(|w| [w[0], w[1], w[2]]).collect()
}

impl Constraint for Overlap {
    fn id(&self) -> &str {
        "ratio:overlap"
    }
    fn kwargs(&self) -> Kwargs {
        kwargs_of(&[
            ("reference_text", self.reference_text.as_str().into()),
            ("percentage", self.percentage.into()),
        ])
    }
    fn describe(&self) -> String {
        format!(
            "Maintain a trigram overlap of {}% (±2%) with the provided reference text.",
            fmt_num(self.percentage)
        )
    }
    fn check(&self, r: &str) -> bool {
        if !nonblank(r) {
            return false;
        }
        let grams = char_trigrams(r);
        if grams.is_empty() {
            return false;
        }
        let reference = char_trigrams(&self.reference_text);
        let shared = grams.iter().filter(|g| reference.contains(*g)).count();
        let overlap = shared as f64 / grams.len() as f64;
        let pct = overlap * 100.0;
        self.percentage - 2.0 <= pct && pct <= self.percentage + 2.0
    }
}

fixed_constraint!(
    /// `ratio:sentence_words`: exactly three sentences of equal `strip()`ped length. (At
    /// commit 8a66c06 the "all different words" half of the instruction is not checked.)
    SentenceWords,
    "ratio:sentence_words",
    "Respond with three sentences, all containing the same number of characters but using all different words.",
    |r| {
        let s = nlp::sentences(r);
        s.len() == 3 && s.iter().all(|x| py_len(strip(x)) == py_len(strip(&s[0])))
    }
);
