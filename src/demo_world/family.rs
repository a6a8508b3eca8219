//! The IFEval constraint families of the built-in suite: their parameter pools, which pairs may
//! share an instruction, and how often the imperfect teacher follows each.

use super::bank::{END_PHRASES, FILLERS, FREQUENCY_WORDS, KEYWORDS, POSTSCRIPT_MARKERS};
use hir_core::constraint::{registry, Kwargs};
use hir_core::instruct::InstructionConstraint;
use hir_core::rng::Rng;
use serde_json::Value;
use std::sync::Arc;

/// A constraint family (one IFEval instruction id) the suite draws constraints from.
///
/// Chosen so that a tiny model can see from the prompt what to do: each is a surface property
/// of the text (a word present or absent, a case, a marker line, a wrapper, a length band).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// `keywords:existence` with one keyword from [`KEYWORDS`].
    KeywordExistence,
    /// `keywords:forbidden_words` with one or two words from [`FILLERS`].
    ForbiddenWords,
    /// `change_case:english_lowercase`.
    Lowercase,
    /// `change_case:english_capital`.
    Capital,
    /// `punctuation:no_comma`.
    NoComma,
    /// `startend:end_checker` with a phrase from [`END_PHRASES`].
    EndPhrase,
    /// `startend:quotation`.
    Quotation,
    /// `detectable_format:title`.
    Title,
    /// `detectable_content:postscript` with a marker from [`POSTSCRIPT_MARKERS`].
    Postscript,
    /// `length_constraints:number_words`: "at least" 20 or 25, or "less than" 15 or 20.
    NumberWords,
    /// `detectable_format:number_highlighted_sections` with 1 or 2 highlights.
    Highlights,
    /// `detectable_content:number_placeholders` with 1 or 2 placeholders.
    Placeholders,
    /// `detectable_format:number_bullet_lists` with 2 or 3 bullets (hard world's held-out
    /// families only: never in [`Family::ALL`]).
    BulletLists,
    /// `keywords:frequency`: a word of [`FREQUENCY_WORDS`] "at least" 2 or 3 times (hard
    /// world's held-out families only: never in [`Family::ALL`]).
    KeywordFrequency,
}

fn pick(rng: &mut Rng, pool: &[&'static str]) -> &'static str {
    pool[rng.below(pool.len() as u64) as usize]
}

impl Family {
    /// Every family, in a fixed order.
    pub const ALL: [Family; 12] = [
        Family::KeywordExistence,
        Family::ForbiddenWords,
        Family::Lowercase,
        Family::Capital,
        Family::NoComma,
        Family::EndPhrase,
        Family::Quotation,
        Family::Title,
        Family::Postscript,
        Family::NumberWords,
        Family::Highlights,
        Family::Placeholders,
    ];

    /// The families only the hard world's `ood_family` held-out part uses: never drawn for
    /// the default world or for any training instruction.
    pub const OOD: [Family; 2] = [Family::BulletLists, Family::KeywordFrequency];

    /// The official IFEval instruction id.
    pub fn id(self) -> &'static str {
        match self {
            Family::KeywordExistence => "keywords:existence",
            Family::ForbiddenWords => "keywords:forbidden_words",
            Family::Lowercase => "change_case:english_lowercase",
            Family::Capital => "change_case:english_capital",
            Family::NoComma => "punctuation:no_comma",
            Family::EndPhrase => "startend:end_checker",
            Family::Quotation => "startend:quotation",
            Family::Title => "detectable_format:title",
            Family::Postscript => "detectable_content:postscript",
            Family::NumberWords => "length_constraints:number_words",
            Family::Highlights => "detectable_format:number_highlighted_sections",
            Family::Placeholders => "detectable_content:number_placeholders",
            Family::BulletLists => "detectable_format:number_bullet_lists",
            Family::KeywordFrequency => "keywords:frequency",
        }
    }

    /// The family of an instruction id, if it is one of the suites' (either world).
    pub fn from_id(id: &str) -> Option<Family> {
        Family::ALL
            .into_iter()
            .chain(Family::OOD)
            .find(|f| f.id() == id)
    }

    /// Whether `self` and `other` may not appear in the same instruction: the same family
    /// twice, lowercase with capitals (no text satisfies both), or bullet lists with
    /// highlights (a highlighted sentence opening a line, `*like this*`, is also a markdown
    /// bullet to the bullet checker, so exact bullet counts and highlights fight).
    pub fn conflicts_with(self, other: Family) -> bool {
        self == other
            || matches!(
                (self, other),
                (Family::Lowercase, Family::Capital)
                    | (Family::Capital, Family::Lowercase)
                    | (Family::BulletLists, Family::Highlights)
                    | (Family::Highlights, Family::BulletLists)
            )
    }

    /// How often the imperfect teacher tries to follow a constraint of this family.
    ///
    /// Families the teacher usually follows (greedy decoding of the warm-started policy then
    /// tends to follow them) and families it usually ignores (sampling follows them now and
    /// then, greedy rarely), so that single constraints are often satisfied but all of an
    /// instruction's constraints rarely: the sparse-reward regime HiR addresses.
    pub fn teacher_follow_prob(self) -> f32 {
        match self {
            Family::Title => 0.85,
            Family::KeywordExistence => 0.8,
            Family::EndPhrase => 0.8,
            Family::Postscript => 0.75,
            Family::Quotation => 0.7,
            Family::Highlights => 0.65,
            Family::Placeholders => 0.6,
            Family::NoComma => 0.4,
            Family::ForbiddenWords => 0.4,
            Family::NumberWords => 0.35,
            Family::Lowercase => 0.3,
            Family::Capital => 0.3,
            // Held-out families: no training instruction has them, so these only matter to
            // callers writing teacher data for held-out items.
            Family::BulletLists => 0.6,
            Family::KeywordFrequency => 0.6,
        }
    }

    /// A constraint of this family with parameters drawn from its pool ([`Self::draw_kwargs`]),
    /// built by the real IFEval registry. The pools hold only valid parameters (the suite
    /// tests build every family), so a refusal is a bug in this file and panics.
    pub fn draw_constraint(self, rng: &mut Rng) -> InstructionConstraint {
        let kwargs = self.draw_kwargs(rng);
        let c = registry::build(registry::Suite::IfEval, self.id(), &kwargs, "")
            .unwrap_or_else(|e| panic!("suite family {} has invalid kwargs: {e}", self.id()));
        InstructionConstraint::new(Arc::from(c))
    }

    /// Draws this family's official `kwargs` from its pool.
    pub fn draw_kwargs(self, rng: &mut Rng) -> Kwargs {
        let mut k = Kwargs::new();
        match self {
            Family::KeywordExistence => {
                let kw = pick(rng, &KEYWORDS);
                k.insert("keywords".into(), Value::Array(vec![kw.into()]));
            }
            Family::ForbiddenWords => {
                let n = 1 + rng.below(2) as usize;
                let mut words: Vec<&str> = Vec::new();
                while words.len() < n {
                    let w = pick(rng, &FILLERS);
                    if !words.contains(&w) {
                        words.push(w);
                    }
                }
                let list = words.into_iter().map(Value::from).collect();
                k.insert("forbidden_words".into(), Value::Array(list));
            }
            Family::EndPhrase => {
                k.insert("end_phrase".into(), pick(rng, &END_PHRASES).into());
            }
            Family::Postscript => {
                k.insert(
                    "postscript_marker".into(),
                    pick(rng, &POSTSCRIPT_MARKERS).into(),
                );
            }
            Family::NumberWords => {
                let (relation, n) = match rng.below(4) {
                    0 => ("at least", 20),
                    1 => ("at least", 25),
                    2 => ("less than", 15),
                    _ => ("less than", 20),
                };
                k.insert("relation".into(), relation.into());
                k.insert("num_words".into(), Value::from(n));
            }
            Family::Highlights => {
                k.insert("num_highlights".into(), Value::from(1 + rng.below(2)));
            }
            Family::Placeholders => {
                k.insert("num_placeholders".into(), Value::from(1 + rng.below(2)));
            }
            Family::BulletLists => {
                k.insert("num_bullets".into(), Value::from(2 + rng.below(2)));
            }
            Family::KeywordFrequency => {
                k.insert("keyword".into(), pick(rng, &FREQUENCY_WORDS).into());
                k.insert("frequency".into(), Value::from(2 + rng.below(2)));
                k.insert("relation".into(), "at least".into());
            }
            Family::Lowercase
            | Family::Capital
            | Family::NoComma
            | Family::Quotation
            | Family::Title => {}
        }
        k
    }
}
