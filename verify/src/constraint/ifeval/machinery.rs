//! The language machinery the IFEval checkers call, in one place: NLTK Punkt sentences,
//! NLTK Treebank words, NLTK's `RegexpTokenizer(r"\w+")`, and langdetect (all in
//! [`crate::text`]).

use alloc::string::String;
use alloc::vec::Vec;

/// `nltk.data.load("tokenizers/punkt/english.pickle").tokenize(text)`.
pub fn sentences(text: &str) -> Vec<String> {
    crate::text::punkt::sent_tokenize(text)
}

/// `nltk.word_tokenize(text)`.
pub fn treebank_words(text: &str) -> Vec<String> {
    crate::text::treebank::word_tokenize(text)
}

/// `len(nltk.tokenize.RegexpTokenizer(r"\w+").tokenize(text))`, as `count_words` computes
/// it. NLTK ≥ 3.10 compiles that pattern with the `regex` engine, whose `\w` differs from
/// Python `re`'s on combining marks and a few symbols; we follow current NLTK, as everything
/// else in [`crate::text`] does.
pub fn count_words(text: &str) -> usize {
    crate::text::words::nltk_regexp_word_tokens(text).len()
}

/// `langdetect.detect(text)`, `None` where it raises `LangDetectException` (only with the
/// `langdetect` feature, which embeds the language profiles).
#[cfg(feature = "langdetect")]
pub fn detect_language(text: &str) -> Option<String> {
    crate::text::langdetect::detect(text)
}
