//! NLTK's `word_tokenize`: Punkt sentences, then `NLTKWordTokenizer` (the improved Treebank
//! tokenizer, `nltk/tokenize/destructive.py`, NLTK 3.10) on each sentence.
//!
//! Each regex substitution of NLTK is one function below, applied in NLTK's order. NLTK's own
//! patterns run on the `regex` engine (`nltk.redos`); the contraction patterns use Python's `re`
//! (their `\b` and `(?i)` differ slightly) -- both are reproduced.

mod rules;
mod subst;

use alloc::string::String;
use alloc::vec::Vec;

use crate::text::punkt::PunktSentenceTokenizer;
use crate::text::python;

/// `nltk.word_tokenize(text)` (language `english`, `preserve_line=False`).
pub fn word_tokenize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for sent in PunktSentenceTokenizer::english().tokenize(text) {
        out.extend(tokenize_sentence(sent));
    }
    out
}

/// `NLTKWordTokenizer().tokenize(text)` (no sentence splitting, no parenthesis conversion).
pub fn tokenize_sentence(text: &str) -> Vec<String> {
    let mut t = rules::starting_quotes(text);
    t = rules::punctuation(&t);
    t = rules::parens_and_dashes(&t);
    let mut padded = String::with_capacity(t.len() + 2);
    padded.push(' ');
    padded.push_str(&t);
    padded.push(' ');
    t = rules::ending_quotes(&padded);
    t = rules::contractions(&t);
    python::split(&t).into_iter().map(String::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nltk_docstring_example() {
        let s = "Good muffins cost $3.88 (roughly 3,36 euros)\nin New York.  Please buy me\ntwo of them.\nThanks.";
        assert_eq!(
            tokenize_sentence(s),
            [
                "Good", "muffins", "cost", "$", "3.88", "(", "roughly", "3,36", "euros", ")", "in",
                "New", "York.", "Please", "buy", "me", "two", "of", "them.", "Thanks", "."
            ]
        );
        assert_eq!(
            word_tokenize("They'll say \"I cannot\" -- isn't it? 'Tis."),
            [
                "They", "'ll", "say", "``", "I", "can", "not", "''", "--", "is", "n't", "it", "?",
                "'", "Tis", "."
            ]
        );
    }

    #[test]
    fn long_inputs_stay_linear() {
        // Expected values from NLTK 3.10.4.
        let t = "a!!".repeat(4000);
        let sents = crate::text::punkt::sent_tokenize(&t);
        assert_eq!(
            sents.iter().map(|s| s.len()).collect::<Vec<_>>(),
            [11999, 1]
        );
        assert_eq!(word_tokenize(&t).len(), 12000);
        let t = "a. ".repeat(4000);
        assert_eq!(crate::text::punkt::sent_tokenize(&t).len(), 1);
        assert_eq!(word_tokenize(&t).len(), 4001);
        let mut t = "x".repeat(200_000);
        t.push('.');
        assert_eq!(word_tokenize(&t).len(), 2);
    }
}
