//! `nltk.pos_tag` for English: NLTK's `PerceptronTagger` (averaged perceptron, Penn Treebank
//! tags) with the `averaged_perceptron_tagger_eng` model, reproducing NLTK's float64 score
//! sums (same feature order) and its tie-break (`max` over `(score, tag)`).

mod features;
pub mod model;

use alloc::string::String;
use alloc::vec::Vec;
use once_cell::race::OnceBox;

pub use model::{ModelError, PerceptronModel};

/// A perceptron tagger over a model (NLTK `PerceptronTagger`).
#[derive(Debug, Clone)]
pub struct PerceptronTagger {
    model: PerceptronModel,
}

static ENGLISH: OnceBox<PerceptronTagger> = OnceBox::new();

/// `[tag for _, tag in nltk.pos_tag(tokens)]` (English, Penn Treebank tags).
pub fn pos_tag(tokens: &[&str]) -> Vec<&'static str> {
    PerceptronTagger::english().tag(tokens)
}

impl PerceptronTagger {
    /// A tagger over the given model.
    pub fn new(model: PerceptronModel) -> Self {
        PerceptronTagger { model }
    }

    /// The shared English tagger, decoded from the embedded model on first use.
    pub fn english() -> &'static PerceptronTagger {
        ENGLISH.get_or_init(|| {
            // The embedded model is checked by `english_model_decodes`; it cannot fail.
            alloc::boxed::Box::new(Self::new(PerceptronModel::english().unwrap_or_default()))
        })
    }

    /// The model in use.
    pub fn model(&self) -> &PerceptronModel {
        &self.model
    }

    /// The tag of each token (`PerceptronTagger.tag(tokens)`, `use_tagdict=True`).
    pub fn tag<'s>(&'s self, tokens: &[&str]) -> Vec<&'s str> {
        let mut context: Vec<String> = Vec::with_capacity(tokens.len() + 4);
        context.extend(features::START.iter().map(|s| String::from(*s)));
        context.extend(tokens.iter().map(|w| features::normalize(w)));
        context.extend(features::END.iter().map(|s| String::from(*s)));
        let (mut prev, mut prev2): (&str, &str) = (features::START[0], features::START[1]);
        let mut out = Vec::with_capacity(tokens.len());
        for (i, word) in tokens.iter().enumerate() {
            let tag = match self.model.tagdict.get(*word) {
                Some(&c) => self.class(c),
                None => self.predict(&features::features(i, word, &context, prev, prev2)),
            };
            out.push(tag);
            prev2 = prev;
            prev = tag;
        }
        out
    }

    fn class(&self, c: u8) -> &str {
        self.model
            .classes
            .get(usize::from(c))
            .map_or("", String::as_str)
    }

    /// `AveragedPerceptron.predict`: sum weights per class in feature order, then take
    /// `max(classes, key=(score, class))`.
    fn predict(&self, feats: &[String]) -> &str {
        let mut scores = alloc::vec![0.0f64; self.model.classes.len()];
        for f in feats {
            if let Some(ws) = self.model.weights.get(f.as_str()) {
                for &(c, w) in ws {
                    scores[usize::from(c)] += w;
                }
            }
        }
        // Classes are sorted, so on equal scores the later (greater) class wins, as in Python.
        let mut best = 0;
        for (c, &s) in scores.iter().enumerate() {
            if s >= scores[best] {
                best = c;
            }
        }
        self.model.classes.get(best).map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_model_decodes() {
        let m = PerceptronModel::english().expect("embedded model decodes");
        assert_eq!(m.classes.len(), 45);
        assert_eq!(m.tagdict.len(), 1549);
        assert_eq!(m.weights.len(), 75447);
        assert_eq!(m.weights.values().map(Vec::len).sum::<usize>(), 271_206);
    }

    #[test]
    fn nltk_docstring_example() {
        let toks = [
            "John", "'s", "big", "idea", "is", "n't", "all", "that", "bad", ".",
        ];
        assert_eq!(
            pos_tag(&toks),
            ["NNP", "POS", "JJ", "NN", "VBZ", "RB", "PDT", "DT", "JJ", "."]
        );
    }
}
