//! The `format:*` constraints about markup and layout: custom bullets, HTML italics,
//! sub-bullets, sentences then bullets, title case, a template, no whitespace.

use super::pystr::count_occurrences;
use super::{kwargs_of, nlp, nonblank};
use crate::constraint::args::Args;
use crate::constraint::{Constraint, ConstraintError, Kwargs};
use crate::text::python::{is_lower_str, is_upper_str};
use crate::text::python::{is_space, strip};
use alloc::format;
use alloc::string::String;

/// `format:list`: the marker `sep` occurs at least twice (non-overlapping, anywhere).
#[derive(Debug, Clone)]
pub struct List {
    sep: String,
}

impl List {
    /// Builds from `sep`.
    pub fn new(args: &Args) -> Result<Self, ConstraintError> {
        Ok(Self {
            sep: args.string("sep")?,
        })
    }
}

impl Constraint for List {
    fn id(&self) -> &str {
        "format:list"
    }
    fn kwargs(&self) -> Kwargs {
        kwargs_of(&[("sep", self.sep.as_str().into())])
    }
    fn describe(&self) -> String {
        format!(
            "Answer with a list of items, instead of bullet points use {}.",
            self.sep
        )
    }
    fn check(&self, r: &str) -> bool {
        nonblank(r) && count_occurrences(r, &self.sep) >= 2
    }
}

fixed_constraint!(
    /// `format:thesis`: an `<i>` (else `<em>`) element with non-blank content, followed by
    /// non-blank text (the official offsets are kept: `<em>` and `</em>` leave a `>` behind).
    Thesis,
    "format:thesis",
    "Each section must begin with a thesis statement in italics, use HTML to indicate the italics.",
    |r| {
        let Some(start) = r.find("<i>").or_else(|| r.find("<em>")) else {
            return false;
        };
        let v = &r[start..];
        let Some(end) = v.find("</i>").or_else(|| v.find("</em>")) else {
            return false;
        };
        let thesis = if end > 3 { &v[3..end] } else { "" };
        if strip(thesis).is_empty() {
            return false;
        }
        !strip(&v[end + 4..]).is_empty()
    }
);

fixed_constraint!(
    /// `format:sub-bullets`: every piece after a `*` contains a `-`.
    SubBullets,
    "format:sub-bullets",
    "Your response must include bullet points denoted by * and at least one sub-bullet point denoted by - for each bullet point.",
    |r| r.split('*').skip(1).all(|b| b.contains('-'))
);

fixed_constraint!(
    /// `format:no_bullets_bullets`: lines of at least two sentences, then at least two
    /// `*` lines and nothing else (an empty sentence line closes the sentence part).
    NoBulletsBullets,
    "format:no_bullets_bullets",
    "Your answer must contain at least two sentences ending in a period followed by at least two bullet points denoted by *.",
    |r| {
        // `sentences` is `True`, then the last line's sentence list: truthy while non-empty.
        let mut open = true;
        let (mut sentences, mut bullets) = (0usize, 0usize);
        for line in r.split('\n') {
            let line = strip(line);
            if line.starts_with('*') {
                open = false;
                if sentences < 2 {
                    return false;
                }
                bullets += 1;
            } else if open {
                let n = nlp::sentences(line).len();
                sentences += n;
                open = n > 0;
            } else {
                return false;
            }
        }
        bullets >= 2
    }
);

fixed_constraint!(
    /// `format:title_case`: no Treebank token has a lowercase first character followed by an
    /// all-uppercase or all-lowercase rest (Python `str.islower` / `str.isupper`, which need
    /// at least one cased character). So one-character tokens (`a`), tokens whose rest has no
    /// cased character (`x1`) and uncased first characters (`'s`, `1st`) always pass, while
    /// `n't`, `iPhone`-like `aBC` and lowercase words fail.
    TitleCase,
    "format:title_case",
    "Write the entire response in title case (capitalize the first letter of every major word).",
    |r| {
        nlp::words(r).iter().all(|w| {
            let Some(first) = w.chars().next() else { return true };
            let (head, tail) = w.split_at(first.len_utf8());
            // `if word[0].isupper() and word[1:].islower(): continue` comes first, but when
            // it holds `word[0].islower()` is false, so only the two failing tests matter.
            !(is_lower_str(head) && (is_upper_str(tail) || is_lower_str(tail)))
        })
    }
);

fixed_constraint!(
    /// `format:output_template`: contains `My Answer:`, `My Conclusion:` and `Future Outlook:`.
    OutputTemplate,
    "format:output_template",
    "Use this exact template for your response: My Answer: [answer] My Conclusion: [conclusion] Future Outlook: [outlook]",
    |r| r.contains("My Answer:") && r.contains("My Conclusion:") && r.contains("Future Outlook:")
);

fixed_constraint!(
    /// `format:no_whitespace`: no character is whitespace (`str.isspace`).
    NoWhitespace,
    "format:no_whitespace",
    "The output should not contain any whitespace.",
    |r| !r.chars().any(is_space)
);
