//! The averaged-perceptron model (`averaged_perceptron_tagger_eng`), decoded from the compact
//! form written by `verify/data/nltk/make_pos_model.py`.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use hashbrown::HashMap;

/// Why the embedded model could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// The zlib stream is corrupt.
    #[error("POS model: zlib stream is corrupt")]
    Inflate,
    /// The decompressed model is not UTF-8.
    #[error("POS model: not UTF-8")]
    Utf8,
    /// A line does not have the expected shape.
    #[error("POS model line {line}: expected {expected}")]
    Line {
        /// 1-based line number in the decompressed text.
        line: usize,
        /// What the line should have held.
        expected: &'static str,
    },
}

/// The tagger's parameters: classes, tag dictionary and feature weights.
#[derive(Debug, Clone, Default)]
pub struct PerceptronModel {
    /// The tag set, sorted (the index of a tag is its position).
    pub classes: Vec<String>,
    /// Unambiguous words and their tag index (`tagdict`).
    pub tagdict: HashMap<String, u8>,
    /// Feature -> `(tag index, weight)` pairs. Weights are exact multiples of 1/1000.
    pub weights: HashMap<String, Vec<(u8, f64)>>,
}

fn bad(line: usize, expected: &'static str) -> ModelError {
    ModelError::Line { line, expected }
}

impl PerceptronModel {
    /// Decode the zlib-compressed text model.
    pub fn from_zlib(bytes: &[u8]) -> Result<Self, ModelError> {
        let raw =
            miniz_oxide::inflate::decompress_to_vec_zlib(bytes).map_err(|_| ModelError::Inflate)?;
        let text = core::str::from_utf8(&raw).map_err(|_| ModelError::Utf8)?;
        Self::from_text(text)
    }

    /// Parse the decompressed text model (format in `make_pos_model.py`).
    pub fn from_text(text: &str) -> Result<Self, ModelError> {
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
        let mut model = PerceptronModel::default();
        let (_, classes) = lines.next().ok_or(bad(1, "the classes"))?;
        model.classes = classes.split('\t').map(ToString::to_string).collect();
        let n_classes = model.classes.len();
        let class = |n: usize, s: &str| -> Result<u8, ModelError> {
            s.parse::<u8>()
                .ok()
                .filter(|&c| usize::from(c) < n_classes)
                .ok_or(bad(n, "a class index"))
        };
        let (n, count) = lines.next().ok_or(bad(2, "the tag-dictionary size"))?;
        let count: usize = count
            .parse()
            .map_err(|_| bad(n, "the tag-dictionary size"))?;
        for _ in 0..count {
            let (n, line) = lines.next().ok_or(bad(0, "a tag-dictionary entry"))?;
            let (word, tag) = line.split_once('\t').ok_or(bad(n, "`word<TAB>class`"))?;
            model.tagdict.insert(word.to_string(), class(n, tag)?);
        }
        for (n, line) in lines {
            let (feat, ws) = line
                .split_once('\t')
                .ok_or(bad(n, "`feature<TAB>weights`"))?;
            let mut weights = Vec::new();
            for item in ws.split(' ').filter(|s| !s.is_empty()) {
                let (c, k) = item.split_once(':').ok_or(bad(n, "`class:thousandths`"))?;
                let k: i64 = k.parse().map_err(|_| bad(n, "integer thousandths"))?;
                // Correctly rounded, so identical to the f64 Python parsed from the JSON.
                weights.push((class(n, c)?, k as f64 / 1000.0));
            }
            model.weights.insert(feat.to_string(), weights);
        }
        Ok(model)
    }

    /// The model NLTK ships as `taggers/averaged_perceptron_tagger_eng` (embedded).
    pub fn english() -> Result<Self, ModelError> {
        Self::from_zlib(include_bytes!(
            "../../../data/nltk/averaged_perceptron_tagger_eng/model.zlib"
        ))
    }
}
