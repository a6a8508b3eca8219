//! Language identification exactly as the PyPI `langdetect` 1.0.9 package does it (a port of
//! Google's language-detection), which IFEval's `language:response_language` and the
//! `change_case:english_*` checkers call.
//!
//! Python's langdetect is randomised; [`detect`] reproduces it with `DetectorFactory.seed = 0`
//! (CPython's Mersenne Twister, `random.gauss` and `random.choice`, bit for bit), with the 55
//! profiles indexed in sorted order of their names (Python uses `os.listdir` order, which
//! differs between machines; the golden generator checks the two agree on the corpus).
//! [`detect`] follows CPython 3.11 (`sum()` adds floats left to right); [`detect_with`] also
//! offers CPython 3.12+'s compensated `sum()`, which can change the answer for a few texts.

mod clean;
mod float;
mod ngram;
mod profiles;
mod py_random;
mod py_sum;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use once_cell::race::OnceBox;

use crate::text::python::is_upper;
use ngram::NgramTables;
use profiles::{ngram_key, Profiles};
use py_random::PyRandom;
use py_sum::py_sum;
pub use py_sum::PythonSum;

const ALPHA_DEFAULT: f64 = 0.5;
const ALPHA_WIDTH: f64 = 0.05;
const ITERATION_LIMIT: usize = 1000;
const PROB_THRESHOLD: f64 = 0.1;
const CONV_THRESHOLD: f64 = 0.99999;
const BASE_FREQ: f64 = 10000.0;
const N_TRIAL: usize = 7;
const SEED: u32 = 0;

/// What `Detector.detect()` returns when no language reaches the probability threshold (0.1).
pub const UNKNOWN_LANG: &str = "unknown";

/// The profiles and normalisation tables, loaded once (about 5 MB in memory).
struct Tables {
    profiles: Profiles,
    ngram: NgramTables,
}

static TABLES: OnceBox<Tables> = OnceBox::new();

fn tables() -> &'static Tables {
    TABLES.get_or_init(|| {
        let profiles = match Profiles::load() {
            Ok(p) => p,
            // The data is compiled in and checked by the tests; this is a build defect.
            Err(e) => panic!("embedded langdetect profiles are corrupt at {}", e.0),
        };
        Box::new(Tables {
            profiles,
            ngram: NgramTables::new(),
        })
    })
}

/// The language code `langdetect.detect(text)` returns with `DetectorFactory.seed = 0`
/// (`"en"`, `"zh-cn"`, ..., or `"unknown"` when no language is likely enough), or `None`
/// where Python raises `LangDetectException` ("No features in text.").
pub fn detect(text: &str) -> Option<String> {
    detect_with(text, PythonSum::Sequential)
}

/// [`detect`] under the `sum()` semantics of a given CPython version
/// ([`PythonSum::Sequential`] up to 3.11, [`PythonSum::Compensated`] from 3.12).
pub fn detect_with(text: &str, sum: PythonSum) -> Option<String> {
    let t = tables();
    let ngrams = extract_ngrams(t, text);
    if ngrams.is_empty() {
        return None;
    }
    let langprob = detect_block(&t.profiles, &ngrams, sum);
    // `_sort_probability` + `[0]`: the largest probability above the threshold; Python's
    // stable sort keeps the first of equal ones.
    let mut best: Option<(usize, f64)> = None;
    for (i, &p) in langprob.iter().enumerate() {
        if p > PROB_THRESHOLD && best.is_none_or(|(_, bp)| p > bp) {
            best = Some((i, p));
        }
    }
    Some(match best {
        Some((i, _)) => t.profiles.langs[i].clone(),
        None => String::from(UNKNOWN_LANG),
    })
}

/// `Detector.append` + `cleaning_text` + `_extract_ngrams`: the profile n-grams of the text.
fn extract_ngrams(t: &Tables, text: &str) -> Vec<(u32, u32)> {
    let mut chars = clean::append(&t.ngram, text);
    clean::cleaning_text(&mut chars);
    let mut result = Vec::new();
    let mut grams: Vec<char> = vec![' '];
    let mut capitalword = false;
    for &raw in &chars {
        // NGram.add_char
        let ch = t.ngram.normalize(raw);
        let last_char = grams.last().copied().unwrap_or(' ');
        if last_char == ' ' {
            grams.clear();
            grams.push(' ');
            capitalword = false;
            if ch == ' ' {
                continue;
            }
        } else if grams.len() >= 3 {
            grams.remove(0);
        }
        grams.push(ch);
        if is_upper(ch) {
            if is_upper(last_char) {
                capitalword = true;
            }
        } else {
            capitalword = false;
        }
        if capitalword {
            continue;
        }
        for n in 1..=3 {
            if grams.len() < n {
                break;
            }
            let w = &grams[grams.len() - n..];
            if w == [' '] {
                continue;
            }
            if let Some(id) = t.profiles.lookup(ngram_key(w)) {
                result.push(id);
            }
        }
    }
    result
}

/// `Detector._detect_block` after the n-gram extraction: the averaged language probabilities.
fn detect_block(profiles: &Profiles, ngrams: &[(u32, u32)], sum: PythonSum) -> Vec<f64> {
    let nlang = profiles.langs.len();
    let mut langprob = vec![0.0f64; nlang];
    let mut rng = PyRandom::new(SEED);
    let mut factor = vec![0.0f64; nlang];
    for _ in 0..N_TRIAL {
        let mut prob = vec![1.0 / nlang as f64; nlang];
        let alpha = ALPHA_DEFAULT + rng.gauss() * ALPHA_WIDTH;
        let weight = alpha / BASE_FREQ;
        let mut i = 0usize;
        loop {
            if let Some(&id) = rng.choice(ngrams) {
                // _update_lang_prob: prob[i] *= weight + lang_prob_map[i]
                factor.iter_mut().for_each(|f| *f = weight + 0.0);
                for &(lang, p) in profiles.probs(id) {
                    if let Some(f) = factor.get_mut(usize::from(lang)) {
                        *f = weight + p;
                    }
                }
                for (p, f) in prob.iter_mut().zip(&factor) {
                    *p *= *f;
                }
            }
            if i.is_multiple_of(5)
                && (normalize_prob(&mut prob, sum) > CONV_THRESHOLD || i >= ITERATION_LIMIT)
            {
                break;
            }
            i += 1;
        }
        for (lp, p) in langprob.iter_mut().zip(&prob) {
            *lp += *p / N_TRIAL as f64;
        }
    }
    langprob
}

/// `Detector._normalize_prob`: divide by `sum(prob)`; return the largest value.
fn normalize_prob(prob: &mut [f64], sum: PythonSum) -> f64 {
    let sump = py_sum(prob, sum);
    let mut maxp = 0.0;
    for p in prob.iter_mut() {
        *p /= sump;
        if maxp < *p {
            maxp = *p;
        }
    }
    maxp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_common_languages() {
        assert_eq!(
            detect("This is a simple English sentence.").as_deref(),
            Some("en")
        );
        assert_eq!(
            detect("Ceci est une phrase en français.").as_deref(),
            Some("fr")
        );
        assert_eq!(detect("这是一个中文句子。").as_deref(), Some("zh-cn"));
    }

    #[test]
    fn no_features_is_none() {
        assert_eq!(detect(""), None);
        assert_eq!(detect("12345 !!! ..."), None);
        assert_eq!(detect("https://example.com"), None);
    }
}
