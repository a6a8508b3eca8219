//! The `count:*` constraints: word counts, numbers, names, pronouns, keywords.

use super::nlp;
use super::pystr::{lower, remove_punct, strip_punct_space};
use super::{kwargs_of, nonblank};
use crate::constraint::args::Args;
use crate::constraint::params::non_negative_int;
use crate::constraint::{Constraint, ConstraintError, Kwargs};
use crate::text::python::{self, is_decimal, is_digit};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use hashbrown::HashSet;
use serde_json::Value;

/// `count:word_count_range`: between `min_words` and `max_words` `\w+` words.
#[derive(Debug, Clone)]
pub struct WordCountRange {
    min_words: i64,
    max_words: i64,
}

impl WordCountRange {
    /// Builds from `min_words` and `max_words`.
    pub fn new(args: &Args) -> Result<Self, ConstraintError> {
        const ID: &str = "count:word_count_range";
        Ok(Self {
            min_words: non_negative_int(args, ID, "min_words")?,
            max_words: non_negative_int(args, ID, "max_words")?,
        })
    }
}

impl Constraint for WordCountRange {
    fn id(&self) -> &str {
        "count:word_count_range"
    }
    fn kwargs(&self) -> Kwargs {
        kwargs_of(&[
            ("min_words", self.min_words.into()),
            ("max_words", self.max_words.into()),
        ])
    }
    fn describe(&self) -> String {
        format!(
            "The response must contain between {} and {} words.",
            self.min_words, self.max_words
        )
    }
    fn check(&self, r: &str) -> bool {
        nonblank(r) && {
            let n = nlp::count_words(r) as i64;
            self.min_words <= n && n <= self.max_words
        }
    }
}

/// Declares a constraint with a single integer parameter; `$check` receives
/// `(response, n)` where the response is already known to be non-blank.
macro_rules! int_constraint {
    ($(#[$m:meta])* $name:ident, $id:literal, $arg:literal, $ctor:ident, $desc:literal, $check:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone)]
        pub struct $name {
            n: i64,
        }

        impl $name {
            /// Builds from the kwargs.
            pub fn new(args: &Args) -> Result<Self, ConstraintError> {
                Ok(Self { n: $ctor(args, $id, $arg)? })
            }
        }

        impl Constraint for $name {
            fn id(&self) -> &str {
                $id
            }
            fn kwargs(&self) -> Kwargs {
                kwargs_of(&[($arg, self.n.into())])
            }
            fn describe(&self) -> String {
                format!($desc, self.n)
            }
            fn check(&self, r: &str) -> bool {
                let f: fn(&str, i64) -> bool = $check;
                nonblank(r) && f(r, self.n)
            }
        }
    };
}
pub(crate) use int_constraint;

int_constraint!(
    /// `count:unique_word_count`: at least `N` distinct lowercased, punctuation-stripped words.
    UniqueWordCount, "count:unique_word_count", "N", non_negative_int,
    "Use at least {} unique words in the response.",
    |r, n| {
        let low = lower(r);
        let set: HashSet<&str> = python::split(&low).into_iter().map(strip_punct_space).collect();
        set.len() as i64 >= n
    }
);

int_constraint!(
    /// `count:conjunctions`: at least `small_n` different coordinating conjunctions. As in the
    /// official code, distinctness is over the raw whitespace tokens (`And` and `and,` differ).
    Conjunctions, "count:conjunctions", "small_n", non_negative_int,
    "Use at least {} different coordinating conjunctions in the response.",
    |r, n| {
        const CONJ: [&str; 7] = ["and", "but", "for", "nor", "or", "so", "yet"];
        let set: HashSet<&str> = python::split(r)
            .into_iter()
            .filter(|w| CONJ.contains(&lower(strip_punct_space(w)).as_str()))
            .collect();
        set.len() as i64 >= n
    }
);

/// The names `count:person_names` looks for.
pub const PERSON_NAMES: [&str; 50] = [
    "Emma",
    "Liam",
    "Sophia",
    "Jackson",
    "Olivia",
    "Noah",
    "Ava",
    "Lucas",
    "Isabella",
    "Mason",
    "Mia",
    "Ethan",
    "Charlotte",
    "Alexander",
    "Amelia",
    "Benjamin",
    "Harper",
    "Leo",
    "Zoe",
    "Daniel",
    "Chloe",
    "Samuel",
    "Lily",
    "Matthew",
    "Grace",
    "Owen",
    "Abigail",
    "Gabriel",
    "Ella",
    "Jacob",
    "Scarlett",
    "Nathan",
    "Victoria",
    "Elijah",
    "Layla",
    "Nicholas",
    "Audrey",
    "David",
    "Hannah",
    "Christopher",
    "Penelope",
    "Thomas",
    "Nora",
    "Andrew",
    "Aria",
    "Joseph",
    "Claire",
    "Ryan",
    "Stella",
    "Jonathan",
];

int_constraint!(
    /// `count:person_names`: at least `N` names of [`PERSON_NAMES`] occur in the response,
    /// each as a case-sensitive substring (`name in value`: `Emmanuel` counts as `Emma`).
    PersonNames, "count:person_names", "N", non_negative_int,
    "Mention at least {} different person names in the response, from this list of person names: Emma, Liam, Sophia, Jackson, Olivia, Noah, Ava, Lucas, Isabella, Mason, Mia, Ethan, Charlotte, Alexander, Amelia, Benjamin, Harper, Leo, Zoe, Daniel, Chloe, Samuel, Lily, Matthew, Grace, Owen, Abigail, Gabriel, Ella, Jacob, Scarlett, Nathan, Victoria, Elijah, Layla, Nicholas, Audrey, David, Hannah, Christopher, Penelope, Thomas, Nora, Andrew, Aria, Joseph, Claire, Ryan, Stella, Jonathan .",
    |r, n| PERSON_NAMES.iter().filter(|name| r.contains(*name)).count() as i64 >= n
);

/// `re.findall(r'\d+', s)`: the maximal runs of decimal digits (category Nd).
pub fn digit_runs(s: &str) -> Vec<&str> {
    crate::text::words::runs(s, is_decimal)
}

int_constraint!(
    /// `count:numbers`: exactly `N` digit runs once ASCII punctuation is removed.
    Numbers, "count:numbers", "N", non_negative_int,
    "Include exactly {} numbers in the response.",
    |r, n| digit_runs(&remove_punct(r)).len() as i64 == n
);

int_constraint!(
    /// `count:pronouns`: at least `N` of the response's whitespace words are personal
    /// pronouns, after `/` is read as a space, the text lowercased and ASCII punctuation removed
    /// (so `it's` counts as `its`, and `I'm` does not count).
    Pronouns, "count:pronouns", "N", non_negative_int,
    "The response should include at least {} pronouns.",
    |r, n| {
        const PRONOUNS: [&str; 31] = [
            "i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves", "you",
            "your", "yours", "yourself", "yourselves", "he", "him", "his", "himself", "she",
            "her", "hers", "herself", "it", "its", "itself", "they", "them", "their", "theirs",
            "themselves",
        ];
        let text = remove_punct(&lower(&r.replace('/', " ")));
        let count = python::split(&text).iter().filter(|w| PRONOUNS.contains(w)).count();
        count as i64 >= n
    }
);

/// `count:words_japanese`: every `N`th whitespace word (punctuation-stripped, not all digits)
/// contains a Hiragana, Katakana or CJK character.
#[derive(Debug, Clone)]
pub struct WordsJapanese {
    n: i64,
}

impl WordsJapanese {
    /// Builds from `N` (`>= 0`). `N = 0` is accepted as the official code accepts it: its
    /// `(i + 1) % 0` then raises on the first word, so every response fails.
    pub fn new(args: &Args) -> Result<Self, ConstraintError> {
        Ok(Self {
            n: non_negative_int(args, "count:words_japanese", "N")?,
        })
    }
}

fn is_japanese(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}')
}

impl Constraint for WordsJapanese {
    fn id(&self) -> &str {
        "count:words_japanese"
    }
    fn kwargs(&self) -> Kwargs {
        kwargs_of(&[("N", self.n.into())])
    }
    fn describe(&self) -> String {
        // The official suffix logic, quirks included ("11st", no "word" for st/nd/rd).
        let n = self.n;
        match n % 10 {
            1 => format!("Every {n}st of your response must be in Japanese."),
            2 => format!("Every {n}nd of your response must be in Japanese."),
            3 => format!("Every {n}rd of your response must be in Japanese."),
            _ => format!("Every {n}th word of your response must be in Japanese."),
        }
    }
    fn check(&self, r: &str) -> bool {
        // `N = 0`: ZeroDivisionError on the first word of a non-blank response.
        nonblank(r)
            && self.n != 0
            && python::split(r).iter().enumerate().all(|(i, w)| {
                let w = strip_punct_space(w);
                let digits = !w.is_empty() && w.chars().all(is_digit);
                (i as i64 + 1) % self.n != 0 || w.is_empty() || digits || w.chars().any(is_japanese)
            })
    }
}

/// `count:keywords_multiple`: `keyword1` once, `keyword2` twice, `keyword3` three times,
/// `keyword4` five times and `keyword5` seven times (case-insensitive substring counts).
#[derive(Debug, Clone)]
pub struct KeywordsMultiple {
    keywords: [String; 5],
}

const KEYWORD_COUNTS: [usize; 5] = [1, 2, 3, 5, 7];
const KEYWORD_ARGS: [&str; 5] = ["keyword1", "keyword2", "keyword3", "keyword4", "keyword5"];

impl KeywordsMultiple {
    /// Builds from `keyword1` .. `keyword5` (each `strip()`ped, as the official code does).
    pub fn new(args: &Args) -> Result<Self, ConstraintError> {
        let get = |i: usize| -> Result<String, ConstraintError> {
            Ok(crate::text::python::strip(&args.string(KEYWORD_ARGS[i])?).to_string())
        };
        Ok(Self {
            keywords: [get(0)?, get(1)?, get(2)?, get(3)?, get(4)?],
        })
    }
}

impl Constraint for KeywordsMultiple {
    fn id(&self) -> &str {
        "count:keywords_multiple"
    }
    fn kwargs(&self) -> Kwargs {
        let pairs: Vec<(&str, Value)> = KEYWORD_ARGS
            .iter()
            .zip(&self.keywords)
            .map(|(k, v)| (*k, Value::from(v.as_str())))
            .collect();
        kwargs_of(&pairs)
    }
    fn describe(&self) -> String {
        let [k1, k2, k3, k4, k5] = &self.keywords;
        format!(
            "Include keyword {k1} once in your response, keyword {k2} twice in your response, keyword {k3} three times in your response, keyword {k4} five times in your response, and keyword {k5} seven times in your response."
        )
    }
    fn check(&self, r: &str) -> bool {
        let low = lower(r);
        nonblank(r)
            && self
                .keywords
                .iter()
                .zip(KEYWORD_COUNTS)
                .all(|(k, c)| super::pystr::count_occurrences(&low, &lower(k)) == c)
    }
}
