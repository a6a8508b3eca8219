//! NLTK's Punkt sentence tokenizer (`nltk.tokenize.punkt`, NLTK 3.10) with the English
//! `punkt_tab` model, ported line by line so that [`sent_tokenize`] returns exactly what
//! `nltk.sent_tokenize(text)` returns.
//!
//! Offsets are byte offsets into the UTF-8 text; NLTK's are code-point offsets, but both
//! always delimit the same characters, so the sentences are the same strings.

mod annotate;
pub mod lang_vars;
pub mod params;
pub mod token;

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use once_cell::race::OnceBox;

use crate::text::python;
use lang_vars::PeriodContext;
pub use params::PunktParameters;
use token::PunktToken;

/// A Punkt sentence tokenizer with fixed parameters (NLTK `PunktSentenceTokenizer`).
#[derive(Debug, Clone)]
pub struct PunktSentenceTokenizer {
    params: PunktParameters,
}

static ENGLISH: OnceBox<PunktSentenceTokenizer> = OnceBox::new();

/// `nltk.tokenize.sent_tokenize(text)` (language `english`): the sentences of `text`.
pub fn sent_tokenize(text: &str) -> Vec<String> {
    PunktSentenceTokenizer::english()
        .tokenize(text)
        .into_iter()
        .map(ToString::to_string)
        .collect()
}

impl PunktSentenceTokenizer {
    /// A tokenizer with the given parameters.
    pub fn new(params: PunktParameters) -> Self {
        PunktSentenceTokenizer { params }
    }

    /// The shared English tokenizer (NLTK `PunktTokenizer("english")`), built on first use.
    pub fn english() -> &'static PunktSentenceTokenizer {
        ENGLISH.get_or_init(|| alloc::boxed::Box::new(Self::new(PunktParameters::english())))
    }

    /// The parameters in use.
    pub fn params(&self) -> &PunktParameters {
        &self.params
    }

    /// `tokenize(text)` with `realign_boundaries=True`: the sentences as slices of `text`.
    pub fn tokenize<'t>(&self, text: &'t str) -> Vec<&'t str> {
        self.span_tokenize(text)
            .into_iter()
            .map(|(s, e)| if s < e { &text[s..e] } else { "" })
            .collect()
    }

    /// `span_tokenize(text)` with `realign_boundaries=True`: `(start, end)` byte spans.
    pub fn span_tokenize(&self, text: &str) -> Vec<(usize, usize)> {
        let slices = self.slices_from_text(text);
        realign_boundaries(text, &slices)
    }

    /// `_tokenize_words` followed by both annotation passes (`_annotate_tokens`).
    fn annotated_tokens<'t>(&self, text: &'t str) -> Vec<PunktToken<'t>> {
        let mut toks: Vec<PunktToken<'t>> = Vec::new();
        for line in text.split('\n') {
            if python::strip(line).is_empty() {
                continue;
            }
            toks.extend(
                lang_vars::word_tokenize(line)
                    .into_iter()
                    .map(PunktToken::new),
            );
        }
        for tok in toks.iter_mut() {
            annotate::first_pass(&self.params, tok);
        }
        for i in 0..toks.len().saturating_sub(1) {
            let (head, tail) = toks.split_at_mut(i + 1);
            annotate::second_pass(&self.params, &mut head[i], &tail[0]);
        }
        toks
    }

    /// `text_contains_sentbreak`: a token other than the last one is a sentence break.
    pub fn text_contains_sentbreak(&self, text: &str) -> bool {
        let toks = self.annotated_tokens(text);
        let n = toks.len();
        toks.iter().take(n.saturating_sub(1)).any(|t| t.sentbreak)
    }

    /// `_match_potential_end_contexts`: candidate breaks with the text deciding each.
    fn match_potential_end_contexts(&self, text: &str) -> Vec<(PeriodContext, String)> {
        let mut out = Vec::new();
        let mut prev_slice = (0usize, 0usize);
        let mut prev_match: Option<PeriodContext> = None;
        let context = |slice: (usize, usize), m: &PeriodContext| {
            let mut s = String::from(&text[slice.0..slice.1]);
            s.push_str(&text[m.start..m.after_end]);
            s
        };
        for m in lang_vars::period_contexts(text) {
            let before = &text[prev_slice.1..m.start];
            let last_ws = last_whitespace_index(before);
            let word_start = if last_ws != 0 {
                last_ws + prev_slice.1 + 1
            } else {
                prev_slice.0
            };
            let prev_word_slice = (word_start, m.start);
            if let Some(pm) = prev_match {
                if prev_slice.1 <= prev_word_slice.0 {
                    out.push((pm, context(prev_slice, &pm)));
                }
            }
            prev_match = Some(m);
            prev_slice = prev_word_slice;
        }
        if let Some(pm) = prev_match {
            out.push((pm, context(prev_slice, &pm)));
        }
        out
    }

    /// `_slices_from_text`: spans ending at each detected break, then the rest.
    fn slices_from_text(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut last_break = 0;
        for (m, context) in self.match_potential_end_contexts(text) {
            if self.text_contains_sentbreak(&context) {
                out.push((last_break, m.end()));
                last_break = m.next_tok_start.unwrap_or_else(|| m.end());
            }
        }
        out.push((last_break, python::rstrip(text).len()));
        out
    }
}

/// `_get_last_whitespace_index`: the last index of a `string.whitespace` character, or 0.
fn last_whitespace_index(text: &str) -> usize {
    text.bytes()
        .rposition(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c'))
        .unwrap_or(0)
}

/// `_realign_boundaries`: move closing punctuation after a break into the sentence before.
fn realign_boundaries(text: &str, slices: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let nonempty = |s: usize, e: usize| s < e;
    let mut out = Vec::new();
    let mut realign = 0;
    for (k, &(s1, e1)) in slices.iter().enumerate() {
        let s1 = s1 + realign;
        let Some(&(s2, e2)) = slices.get(k + 1) else {
            if nonempty(s1, e1) {
                out.push((s1, e1));
            }
            continue;
        };
        let sentence2 = if s2 < e2 { &text[s2..e2] } else { "" };
        if let Some(len) = lang_vars::boundary_realignment(sentence2) {
            let kept = python::rstrip(&sentence2[..len]).len();
            out.push((s1, s2 + kept));
            realign = len;
        } else {
            realign = 0;
            if nonempty(s1, e1) {
                out.push((s1, e1));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nltk_docstring_examples() {
        let text = "Punkt knows that the periods in Mr. Smith and Johann S. Bach\n\
                    do not mark sentence boundaries.  And sometimes sentences\n\
                    can start with non-capitalized words.  i is a good variable\nname.";
        assert_eq!(
            sent_tokenize(text),
            [
                "Punkt knows that the periods in Mr. Smith and Johann S. Bach\ndo not mark sentence boundaries.",
                "And sometimes sentences\ncan start with non-capitalized words.",
                "i is a good variable\nname."
            ]
        );
        let text = "(How does it deal with this parenthesis?)  \"It should be part of the\n\
                    previous sentence.\" \"(And the same with this one.)\" ('And this one!')\n\
                    \"('(And (this)) '?)\" [(and this. )]";
        assert_eq!(
            sent_tokenize(text),
            [
                "(How does it deal with this parenthesis?)",
                "\"It should be part of the\nprevious sentence.\"",
                "\"(And the same with this one.)\"",
                "('And this one!')",
                "\"('(And (this)) '?)\"",
                "[(and this. )]"
            ]
        );
        assert!(sent_tokenize("").is_empty());
        assert!(sent_tokenize("  \n ").is_empty());
    }
}
