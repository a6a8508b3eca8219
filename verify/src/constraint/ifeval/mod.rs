//! The 25 IFEval verifiers (google-research `instruction_following_eval`), ported so that
//! each decides exactly what the official `check_following` decides.
//!
//! Where the official `build_description` draws a random value for a missing or invalid
//! argument, [`build`] returns a [`ConstraintError`] instead: verifiers here are deterministic.

use crate::constraint::args::Args;
use crate::constraint::boxed;
use crate::constraint::{Constraint, ConstraintError, Kwargs};
use alloc::boxed::Box;

pub mod change_case;
pub mod combination;
pub mod detectable_content;
pub mod detectable_format;
pub mod keywords;
pub mod language;
pub mod length;
pub mod machinery;
pub mod punctuation;
pub mod pyjson;
pub mod pyre;
pub mod pyrepr;
pub mod relation;
pub mod startend;

#[cfg(test)]
mod tests;

use change_case::CapitalWordFrequency;
#[cfg(feature = "langdetect")]
use change_case::{EnglishCapital, EnglishLowercase};
use combination::{RepeatPrompt, TwoResponses};
use detectable_content::{Placeholders, Postscript};
use detectable_format::{
    BulletLists, ConstrainedResponse, Highlights, JsonFormat, Sections, Title,
};
use keywords::{ForbiddenWords, KeywordExistence, KeywordFrequency, LetterFrequency};
#[cfg(feature = "langdetect")]
use language::ResponseLanguage;
use length::{NthParagraphFirstWord, NumberOfParagraphs, NumberOfSentences, NumberOfWords};
use punctuation::NoComma;
use startend::{EndChecker, Quotation};

/// Every IFEval instruction id, in the order of the official `INSTRUCTION_DICT` (without the
/// `langdetect` feature, all but `language:response_language`, `change_case:english_capital`
/// and `change_case:english_lowercase`).
pub const IDS: &[&str] = &[
    KeywordExistence::ID,
    KeywordFrequency::ID,
    ForbiddenWords::ID,
    LetterFrequency::ID,
    #[cfg(feature = "langdetect")]
    ResponseLanguage::ID,
    NumberOfSentences::ID,
    NumberOfParagraphs::ID,
    NumberOfWords::ID,
    NthParagraphFirstWord::ID,
    Placeholders::ID,
    Postscript::ID,
    BulletLists::ID,
    ConstrainedResponse::ID,
    Highlights::ID,
    Sections::ID,
    JsonFormat::ID,
    Title::ID,
    TwoResponses::ID,
    RepeatPrompt::ID,
    EndChecker::ID,
    CapitalWordFrequency::ID,
    #[cfg(feature = "langdetect")]
    EnglishCapital::ID,
    #[cfg(feature = "langdetect")]
    EnglishLowercase::ID,
    NoComma::ID,
    Quotation::ID,
];

/// Builds the IFEval constraint `id` from its official `kwargs`; `None` when `id` is not an
/// IFEval id (or needs langdetect and the `langdetect` feature is off).
///
/// `prompt` is the prompt the instruction belongs to. No IFEval checker needs it:
/// `combination:repeat_prompt` takes the text to repeat from `prompt_to_repeat`.
pub fn build(
    id: &str,
    kwargs: &Kwargs,
    prompt: &str,
) -> Option<Result<Box<dyn Constraint>, ConstraintError>> {
    let _ = prompt;
    let args = Args::new(id, kwargs);
    let a = &args;
    Some(match id {
        KeywordExistence::ID => boxed(KeywordExistence::from_args(a)),
        KeywordFrequency::ID => boxed(KeywordFrequency::from_args(a)),
        ForbiddenWords::ID => boxed(ForbiddenWords::from_args(a)),
        LetterFrequency::ID => boxed(LetterFrequency::from_args(a)),
        #[cfg(feature = "langdetect")]
        ResponseLanguage::ID => boxed(ResponseLanguage::from_args(a)),
        NumberOfSentences::ID => boxed(NumberOfSentences::from_args(a)),
        NumberOfParagraphs::ID => boxed(NumberOfParagraphs::from_args(a)),
        NumberOfWords::ID => boxed(NumberOfWords::from_args(a)),
        NthParagraphFirstWord::ID => boxed(NthParagraphFirstWord::from_args(a)),
        Placeholders::ID => boxed(Placeholders::from_args(a)),
        Postscript::ID => boxed(Postscript::from_args(a)),
        BulletLists::ID => boxed(BulletLists::from_args(a)),
        ConstrainedResponse::ID => boxed(Ok(ConstrainedResponse)),
        Highlights::ID => boxed(Highlights::from_args(a)),
        Sections::ID => boxed(Sections::from_args(a)),
        JsonFormat::ID => boxed(Ok(JsonFormat)),
        Title::ID => boxed(Ok(Title::default())),
        TwoResponses::ID => boxed(Ok(TwoResponses)),
        RepeatPrompt::ID => boxed(RepeatPrompt::from_args(a)),
        EndChecker::ID => boxed(EndChecker::from_args(a)),
        CapitalWordFrequency::ID => boxed(CapitalWordFrequency::from_args(a)),
        #[cfg(feature = "langdetect")]
        EnglishCapital::ID => boxed(Ok(EnglishCapital)),
        #[cfg(feature = "langdetect")]
        EnglishLowercase::ID => boxed(Ok(EnglishLowercase)),
        NoComma::ID => boxed(Ok(NoComma)),
        Quotation::ID => boxed(Ok(Quotation)),
        _ => return None,
    })
}
