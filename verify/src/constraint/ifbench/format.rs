//! The `format:*` constraints about punctuation, nesting, options, lines and emoji (and
//! `count:punctuation`, which the official code implements alongside them).

use super::pystr::{is_punct, lower, remove_punct, strip_punct_space};
use super::{kwargs_of, nonblank};
use crate::constraint::args::Args;
use crate::constraint::{Constraint, ConstraintError, Kwargs};
use crate::text::python::is_word;
use crate::text::python::{self, is_space, strip};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use hashbrown::HashMap;

fixed_constraint!(
    /// `count:punctuation`: an interrobang (`?!`, `!?` or `‽`) and, outside the first `?!`
    /// (or else `!?`), each of `. , ! ? ; :`.
    Punctuation,
    "count:punctuation",
    "Use every standard punctuation mark at least once, including semicolons, colons, and the interrobang (?!).",
    |r| {
        if !(r.contains("!?") || r.contains("?!") || r.contains('‽')) {
            return false;
        }
        let rest = if r.contains("?!") { r.replacen("?!", "", 1) } else { r.replacen("!?", "", 1) };
        ['.', ',', '!', '?', ';', ':'].iter().all(|c| rest.contains(*c))
    }
);

fixed_constraint!(
    /// `format:parentheses`: a correctly closed group inside brackets nested 5 deep (a
    /// mismatched closer resets the count).
    Parentheses,
    "format:parentheses",
    "Nest parentheses (and [brackets {and braces}]) at least 5 levels deep.",
    |r| {
        let mut levels: Vec<char> = Vec::new();
        let mut max_depth = 0;
        for c in r.chars() {
            if "([{".contains(c) {
                levels.push(c);
                max_depth = max_depth.max(levels.len());
            } else if ")]}".contains(c) {
                let opener = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if levels.last() == Some(&opener) {
                    levels.pop();
                    if max_depth >= 5 && levels.len() < max_depth {
                        return true;
                    }
                } else {
                    levels.clear();
                    max_depth = 0;
                }
            }
        }
        false
    }
);

fixed_constraint!(
    /// `format:quotes`: quotes (`"` / `'`, a repeat of the innermost one closes it) nested at
    /// least 3 deep.
    Quotes,
    "format:quotes",
    "Include quotes within quotes within quotes, at least 3 levels deep, alternating between double quotes and single quotes.",
    |r| {
        let mut levels: Vec<char> = Vec::new();
        let (mut reached, mut current) = (0i64, 0i64);
        for c in r.chars() {
            if levels.last() == Some(&c) {
                levels.pop();
                current -= 1;
                if reached - current >= 3 {
                    return true;
                }
            } else if c == '"' || c == '\'' {
                levels.push(c);
                current += 1;
                reached = reached.max(current);
            }
        }
        false
    }
);

/// `format:options`: the response is one of the options of `options` (split on `/`, else on
/// `or`, else on `,`). Letter options (`a), b), c)`...) must match exactly; others match after
/// stripping punctuation and spaces, ignoring case.
#[derive(Debug, Clone)]
pub struct Options {
    options_text: String,
    options: Vec<String>,
    strict: bool,
}

/// `re.match(r"\W*[aA]\W*[bB]\W*[cC]\W*", s) is not None`.
fn looks_like_letters(s: &str) -> bool {
    let mut it = s.chars().peekable();
    for want in ['a', 'b', 'c'] {
        while it.peek().is_some_and(|&c| !is_word(c)) {
            it.next();
        }
        match it.next() {
            Some(c) if c.to_ascii_lowercase() == want && c.is_ascii() => {}
            _ => return false,
        }
    }
    true
}

impl Options {
    /// Builds from `options`.
    pub fn new(args: &Args) -> Result<Self, ConstraintError> {
        let text = args.string("options")?;
        let sep = if text.contains('/') {
            "/"
        } else if text.contains("or") {
            "or"
        } else {
            ","
        };
        let options = text.split(sep).map(|o| strip(o).to_string()).collect();
        Ok(Self {
            strict: looks_like_letters(&text),
            options,
            options_text: text,
        })
    }
}

impl Constraint for Options {
    fn id(&self) -> &str {
        "format:options"
    }
    fn kwargs(&self) -> Kwargs {
        kwargs_of(&[("options", self.options_text.as_str().into())])
    }
    fn describe(&self) -> String {
        format!(
            "Answer with one of the following options: {}. Do not give any explanation.",
            self.options_text
        )
    }
    fn check(&self, r: &str) -> bool {
        if !nonblank(r) {
            return false;
        }
        if self.strict {
            return self.options.iter().any(|o| o == r);
        }
        let v = lower(strip_punct_space(r));
        self.options
            .iter()
            .any(|o| lower(strip_punct_space(o)) == v)
    }
}

fixed_constraint!(
    /// `format:newline`: (punctuation removed) as many non-empty lines as whitespace words.
    Newline,
    "format:newline",
    "Write each word on a new line.",
    |r| {
        let text = remove_punct(r);
        let s = strip(&text);
        s.split('\n').filter(|l| !l.is_empty()).count() == python::split(s).len()
    }
);

#[cfg(feature = "emoji")]
fixed_constraint!(
    /// `format:emoji`: every sentence (punctuation removed, stripped) ends with an emoji in
    /// its last two characters, or the next sentence starts with one.
    Emoji,
    "format:emoji",
    "Please use an emoji at the end of every sentence.",
    |r| {
        let s = super::nlp::sentences(r);
        let cleaned: Vec<Vec<char>> =
            s.iter().map(|x| strip(&remove_punct(x)).chars().collect()).collect();
        for (i, c) in cleaned.iter().enumerate() {
            let Some(&last) = c.last() else { return false };
            let second = if c.len() > 1 { c[c.len() - 2] } else { last };
            if !super::nlp::is_emoji_char(last) && !super::nlp::is_emoji_char(second) {
                match cleaned.get(i + 1) {
                    Some(next) => match next.first() {
                        Some(&f) if super::nlp::is_emoji_char(f) => {}
                        _ => return false,
                    },
                    None => return false,
                }
            }
        }
        true
    }
);

fn leading_spaces(s: &str) -> usize {
    s.len() - s.trim_start_matches(' ').len()
}

fixed_constraint!(
    /// `format:line_indent`: each line is indented by more ASCII spaces than the previous one,
    /// after the official (skipping) removal of blank lines.
    LineIndent,
    "format:line_indent",
    "Create stairs by incrementally indenting each new line.",
    |r| {
        let lines: Vec<&str> = r.split('\n').collect();
        let mut alive = alloc::vec![true; lines.len()];
        // `for line in lines: if not line.strip(): lines.remove(line)` mutates the list it
        // iterates: `remove` deletes the first equal line still present (at or before the
        // current one), which makes the iterator skip the line after the current one.
        let mut pending: HashMap<&str, alloc::collections::VecDeque<usize>> = HashMap::new();
        let mut seen = 0;
        let mut i = 0;
        while i < lines.len() {
            while seen <= i {
                if strip(lines[seen]).is_empty() {
                    pending.entry(lines[seen]).or_default().push_back(seen);
                }
                seen += 1;
            }
            if strip(lines[i]).is_empty() {
                if let Some(j) = pending.get_mut(lines[i]).and_then(|q| q.pop_front()) {
                    alive[j] = false;
                }
                i += 2;
            } else {
                i += 1;
            }
        }
        let kept: Vec<usize> = lines
            .iter()
            .zip(&alive)
            .filter(|(_, &a)| a)
            .map(|(l, _)| leading_spaces(l))
            .collect();
        kept.windows(2).all(|p| p[1] > p[0])
    }
);

fixed_constraint!(
    /// `format:quote_unquote`: with curly double quotes (`“ ”`) read as `"`, every `'"'`
    /// removed and all whitespace removed, no two quotes are adjacent and the text, stripped of
    /// digits and punctuation other than `"`, does not end with a quote. A text with nothing
    /// left after that strip fails (the official `[-1]` raises IndexError).
    QuoteUnquote,
    "format:quote_unquote",
    "Every quoted phrase must be followed by an unquoted explanation.",
    |r| {
        let v = r.replace(['\u{201c}', '\u{201d}'], "\"");
        let v: String = v.replace("'\"'", "").chars().filter(|&c| !is_space(c)).collect();
        if v.contains("\"\"") {
            return false;
        }
        let stripped = v.trim_matches(|c: char| c.is_ascii_digit() || (is_punct(c) && c != '"'));
        !stripped.is_empty() && !stripped.ends_with('"')
    }
);
