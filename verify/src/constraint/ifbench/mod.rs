//! The IFBench out-of-distribution constraints (allenai/IFBench, `instructions.py` as of commit
//! 8a66c06), each deciding exactly what the official `check_following` decides, quirks
//! included. [`versions`] says how they were checked against that code and lists every place
//! where later allenai/IFBench revisions decide differently (8a66c06's behaviour is kept).
//!
//! [`build`] turns an official instruction id, its kwargs and the prompt into a boxed
//! [`Constraint`]; [`IDS`] lists every id. Missing required kwargs are an error
//! ([`ConstraintError::MissingArg`]) where the official code would draw random values.
//! Integer parameters may be given as JSON floats with no fraction (IFBench stores `2.0`);
//! descriptions print them as integers.
//!
//! `check` is the official *strict* verdict of `evaluation_lib`, which also requires the
//! response to be non-blank (`response.strip()`); every checker here applies that guard.

use super::args::Args;
use super::{Constraint, ConstraintError, Kwargs};
use crate::constraint::boxed;
use alloc::boxed::Box;
use alloc::string::ToString;
use serde_json::Value;

/// Declares a constraint without parameters: `$check` is a `fn(&str) -> bool` applied to a
/// response already known to be non-blank.
macro_rules! fixed_constraint {
    ($(#[$m:meta])* $name:ident, $id:literal, $desc:expr, $check:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name;

        impl $crate::constraint::Constraint for $name {
            fn id(&self) -> &str {
                $id
            }
            fn kwargs(&self) -> $crate::constraint::Kwargs {
                $crate::constraint::Kwargs::new()
            }
            fn describe(&self) -> alloc::string::String {
                alloc::string::String::from($desc)
            }
            fn check(&self, r: &str) -> bool {
                let f: fn(&str) -> bool = $check;
                super::nonblank(r) && f(r)
            }
        }
    };
}

pub mod count;
pub mod csv;
pub mod custom;
pub mod format;
pub mod index_arg;
pub mod markup;
mod nlp;
pub mod pystr;
pub mod ratio;
pub mod repeat;
pub mod sentence;
pub mod sentsplit;
pub mod versions;
pub mod words;

/// Every IFBench instruction id (the 58 entries of the official registry).
pub const IDS: &[&str] = &[
    "count:word_count_range",
    "count:unique_word_count",
    "ratio:stop_words",
    "ratio:sentence_type",
    "ratio:sentence_balance",
    "count:conjunctions",
    "count:person_names",
    "ratio:overlap",
    "count:numbers",
    "words:alphabet",
    "words:vowel",
    "words:consonants",
    "sentence:alliteration_increment",
    "words:palindrome",
    "count:punctuation",
    "format:parentheses",
    "format:quotes",
    "words:prime_lengths",
    "format:options",
    "format:newline",
    "format:emoji",
    "ratio:sentence_words",
    "count:words_japanese",
    "words:start_verb",
    "words:repeats",
    "sentence:keyword",
    "count:pronouns",
    "words:odd_even_syllables",
    "words:last_first",
    "words:paragraph_last_first",
    "sentence:increment",
    "words:no_consecutive",
    "format:line_indent",
    "format:quote_unquote",
    "format:list",
    "format:thesis",
    "format:sub-bullets",
    "format:no_bullets_bullets",
    "custom:multiples",
    "custom:mcq_count_length",
    "custom:reverse_newline",
    "custom:word_reverse",
    "custom:character_reverse",
    "custom:sentence_alphabet",
    "custom:european_capitals_sort",
    "custom:csv_city",
    "custom:csv_special_character",
    "custom:csv_quotes",
    "custom:date_format_list",
    "count:keywords_multiple",
    "words:keywords_specific_position",
    "words:words_position",
    "repeat:repeat_change",
    "repeat:repeat_simple",
    "repeat:repeat_span",
    "format:title_case",
    "format:output_template",
    "format:no_whitespace",
];

fn fixed<C: Constraint + 'static>(c: C) -> Result<Box<dyn Constraint>, ConstraintError> {
    Ok(Box::new(c))
}

/// Builds the IFBench constraint `id` from its kwargs (`null` = absent). `None` when `id` is
/// not an IFBench id. The prompt is accepted for uniformity with the IFEval registry; no
/// IFBench checker reads it (the repeat checkers take `prompt_to_repeat` from the kwargs).
pub fn build(
    id: &str,
    kwargs: &Kwargs,
    _prompt: &str,
) -> Option<Result<Box<dyn Constraint>, ConstraintError>> {
    let a = Args::new(id, kwargs);
    let a = &a;
    Some(match id {
        "count:word_count_range" => boxed(count::WordCountRange::new(a)),
        "count:unique_word_count" => boxed(count::UniqueWordCount::new(a)),
        "count:conjunctions" => boxed(count::Conjunctions::new(a)),
        "count:person_names" => boxed(count::PersonNames::new(a)),
        "count:numbers" => boxed(count::Numbers::new(a)),
        "count:punctuation" => fixed(format::Punctuation),
        "count:words_japanese" => boxed(count::WordsJapanese::new(a)),
        "count:pronouns" => boxed(count::Pronouns::new(a)),
        "count:keywords_multiple" => boxed(count::KeywordsMultiple::new(a)),
        "ratio:stop_words" => boxed(ratio::StopWords::new(a)),
        "ratio:sentence_type" => fixed(ratio::SentenceType),
        "ratio:sentence_balance" => fixed(ratio::SentenceBalance),
        "ratio:overlap" => boxed(ratio::Overlap::new(a)),
        "ratio:sentence_words" => fixed(ratio::SentenceWords),
        "words:alphabet" => fixed(words::Alphabet),
        "words:vowel" => fixed(words::Vowel),
        "words:consonants" => fixed(words::Consonants),
        "words:palindrome" => fixed(words::Palindrome),
        "words:prime_lengths" => fixed(words::PrimeLengths),
        "words:start_verb" => start_verb(),
        "words:repeats" => boxed(words::Repeats::new(a)),
        "words:odd_even_syllables" => odd_even_syllables(),
        "words:last_first" => fixed(words::LastFirst),
        "words:paragraph_last_first" => fixed(words::ParagraphLastFirst),
        "words:no_consecutive" => fixed(words::NoConsecutive),
        "words:keywords_specific_position" => boxed(words::KeywordsSpecificPosition::new(a)),
        "words:words_position" => boxed(words::WordsPosition::new(a)),
        "sentence:alliteration_increment" => fixed(sentence::AlliterationIncrement),
        "sentence:keyword" => boxed(sentence::Keyword::new(a)),
        "sentence:increment" => boxed(sentence::Increment::new(a)),
        "format:parentheses" => fixed(format::Parentheses),
        "format:quotes" => fixed(format::Quotes),
        "format:options" => boxed(format::Options::new(a)),
        "format:newline" => fixed(format::Newline),
        "format:emoji" => emoji(),
        "format:line_indent" => fixed(format::LineIndent),
        "format:quote_unquote" => fixed(format::QuoteUnquote),
        "format:list" => boxed(markup::List::new(a)),
        "format:thesis" => fixed(markup::Thesis),
        "format:sub-bullets" => fixed(markup::SubBullets),
        "format:no_bullets_bullets" => fixed(markup::NoBulletsBullets),
        "format:title_case" => fixed(markup::TitleCase),
        "format:output_template" => fixed(markup::OutputTemplate),
        "format:no_whitespace" => fixed(markup::NoWhitespace),
        "custom:multiples" => fixed(custom::Multiples),
        "custom:mcq_count_length" => fixed(custom::McqCountLength),
        "custom:reverse_newline" => fixed(custom::ReverseNewline),
        "custom:word_reverse" => fixed(custom::WordReverse),
        "custom:character_reverse" => fixed(custom::CharacterReverse),
        "custom:sentence_alphabet" => fixed(custom::SentenceAlphabet),
        "custom:european_capitals_sort" => fixed(custom::EuropeanCapitalsSort),
        "custom:date_format_list" => fixed(custom::DateFormatList),
        "custom:csv_city" => fixed(csv::CsvCity),
        "custom:csv_special_character" => fixed(csv::CsvSpecialCharacter),
        "custom:csv_quotes" => fixed(csv::CsvQuotes),
        "repeat:repeat_change" => boxed(repeat::RepeatChange::new(a)),
        "repeat:repeat_simple" => fixed(repeat::RepeatSimple),
        "repeat:repeat_span" => boxed(repeat::RepeatSpan::new(a)),
        _ => return None,
    })
}

/// The error for an id whose language tool was compiled out (the registry then does not know
/// the id).
#[allow(dead_code)]
fn compiled_out(id: &str) -> Result<Box<dyn Constraint>, ConstraintError> {
    Err(ConstraintError::UnknownId { id: id.to_string() })
}

/// `words:start_verb` needs `text::pos` (feature `pos-tagger`).
fn start_verb() -> Result<Box<dyn Constraint>, ConstraintError> {
    #[cfg(feature = "pos-tagger")]
    return fixed(words::StartVerb);
    #[cfg(not(feature = "pos-tagger"))]
    return compiled_out("words:start_verb");
}

/// `format:emoji` needs `text::emoji` (feature `emoji`).
fn emoji() -> Result<Box<dyn Constraint>, ConstraintError> {
    #[cfg(feature = "emoji")]
    return fixed(format::Emoji);
    #[cfg(not(feature = "emoji"))]
    return compiled_out("format:emoji");
}

/// `words:odd_even_syllables` needs `text::syllables` (feature `syllables`).
fn odd_even_syllables() -> Result<Box<dyn Constraint>, ConstraintError> {
    #[cfg(feature = "syllables")]
    return fixed(words::OddEvenSyllables);
    #[cfg(not(feature = "syllables"))]
    return compiled_out("words:odd_even_syllables");
}

/// The official strict guard: `response and response.strip()`.
pub(crate) fn nonblank(r: &str) -> bool {
    !crate::text::python::strip(r).is_empty()
}

/// A kwargs map from `(name, value)` pairs.
pub(crate) fn kwargs_of(pairs: &[(&str, Value)]) -> Kwargs {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}
