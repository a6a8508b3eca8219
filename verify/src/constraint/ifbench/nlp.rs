//! The one seam between the IFBench checkers and the NLTK / `emoji` / `syllapy` machinery
//! reproduced in [`crate::text`]: every language-tool call the checkers make goes through here.

use alloc::string::String;
use alloc::vec::Vec;

/// `instructions_util.split_into_sentences(text)`: at commit 8a66c06 the regex splitter of
/// Google's IFEval utilities, not NLTK Punkt (the oracle verdicts decide it).
pub fn sentences(text: &str) -> Vec<String> {
    super::sentsplit::split_into_sentences(text)
}

/// `nltk.word_tokenize(text)` (Treebank, after Punkt sentence splitting).
pub fn words(text: &str) -> Vec<String> {
    crate::text::treebank::word_tokenize(text)
}

/// `instructions_util.count_words`: the number of `nltk.tokenize.RegexpTokenizer(r"\w+")`
/// tokens (current NLTK: the `regex` engine's `\w`, as in the IFEval port).
pub fn count_words(text: &str) -> usize {
    crate::text::words::nltk_regexp_word_tokens(text).len()
}

/// `instructions_util.count_stopwords`: `RegexpTokenizer(r"\w+")` tokens whose `lower()` is
/// an NLTK english stopword.
pub fn count_stopwords(text: &str) -> usize {
    crate::text::words::nltk_regexp_word_tokens(text)
        .iter()
        .filter(|t| {
            let l = t.to_lowercase();
            crate::text::stopwords::ENGLISH.contains(&l.as_str())
        })
        .count()
}

/// `'VB' in nltk.pos_tag(tokens)[0][1]` (false for no tokens).
#[cfg(feature = "pos-tagger")]
pub fn first_tag_is_verb(tokens: &[String]) -> bool {
    let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
    crate::text::pos::pos_tag(&refs)
        .first()
        .is_some_and(|tag| tag.contains("VB"))
}

/// `emoji.is_emoji(c)` for a one-character string.
#[cfg(feature = "emoji")]
pub fn is_emoji_char(c: char) -> bool {
    let mut buf = [0u8; 4];
    crate::text::emoji::is_emoji(c.encode_utf8(&mut buf))
}

/// `syllapy.count(word)`.
#[cfg(feature = "syllables")]
pub fn syllables(word: &str) -> usize {
    crate::text::syllables::count(word)
}
