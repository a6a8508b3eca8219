//! Punkt model parameters (`PunktParameters`), loaded from NLTK's `punkt_tab` format.

use alloc::string::{String, ToString};
use hashbrown::{HashMap, HashSet};

/// Orthographic context: beginning of a sentence with upper case.
pub const ORTHO_BEG_UC: u32 = 1 << 1;
/// Orthographic context: middle of a sentence with upper case.
pub const ORTHO_MID_UC: u32 = 1 << 2;
/// Orthographic context: unknown position in a sentence with upper case.
pub const ORTHO_UNK_UC: u32 = 1 << 3;
/// Orthographic context: beginning of a sentence with lower case.
pub const ORTHO_BEG_LC: u32 = 1 << 4;
/// Orthographic context: middle of a sentence with lower case.
pub const ORTHO_MID_LC: u32 = 1 << 5;
/// Orthographic context: unknown position in a sentence with lower case.
pub const ORTHO_UNK_LC: u32 = 1 << 6;
/// Orthographic context: occurs with upper case.
pub const ORTHO_UC: u32 = ORTHO_BEG_UC + ORTHO_MID_UC + ORTHO_UNK_UC;
/// Orthographic context: occurs with lower case.
pub const ORTHO_LC: u32 = ORTHO_BEG_LC + ORTHO_MID_LC + ORTHO_UNK_LC;

/// The data a trained Punkt model carries (NLTK `PunktParameters`).
#[derive(Debug, Clone, Default)]
pub struct PunktParameters {
    /// Word types of known abbreviations (lower case, without the final period).
    pub abbrev_types: HashSet<String>,
    /// Known collocations `(type before the period, type after)`.
    pub collocations: HashSet<(String, String)>,
    /// Word types that often start sentences.
    pub sent_starters: HashSet<String>,
    /// Orthographic context flags per word type (missing = 0, like NLTK's `defaultdict(int)`).
    pub ortho_context: HashMap<String, u32>,
}

/// Why a `punkt_tab` file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
    /// A line of `collocations.tab` did not hold exactly two tab-separated fields.
    #[error("collocations.tab line {line}: expected `type<TAB>type`")]
    Collocation {
        /// 1-based line number.
        line: usize,
    },
    /// A line of `ortho_context.tab` did not hold `type<TAB>integer`.
    #[error("ortho_context.tab line {line}: expected `type<TAB>integer flags`")]
    Ortho {
        /// 1-based line number.
        line: usize,
    },
}

/// Lines as NLTK's `TabDecoder` reads them: split at `\n`, a final newline ends the last line.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    body.split('\n').filter(move |_| !text.is_empty())
}

impl PunktParameters {
    /// Parse the four `punkt_tab` files (`abbrev_types.txt`, `collocations.tab`,
    /// `sent_starters.txt`, `ortho_context.tab`), as NLTK's `load_punkt_params` does.
    pub fn from_tab_files(
        abbrev_types: &str,
        collocations: &str,
        sent_starters: &str,
        ortho_context: &str,
    ) -> Result<Self, ParamsError> {
        let mut params = PunktParameters {
            abbrev_types: lines(abbrev_types).map(ToString::to_string).collect(),
            sent_starters: lines(sent_starters).map(ToString::to_string).collect(),
            ..Default::default()
        };
        for (i, line) in lines(collocations).enumerate() {
            let mut fields = line.split('\t');
            match (fields.next(), fields.next(), fields.next()) {
                (Some(a), Some(b), None) => {
                    params.collocations.insert((a.to_string(), b.to_string()));
                }
                _ => return Err(ParamsError::Collocation { line: i + 1 }),
            }
        }
        for (i, line) in lines(ortho_context).enumerate() {
            let mut fields = line.split('\t');
            match (
                fields.next(),
                fields.next().map(str::parse::<u32>),
                fields.next(),
            ) {
                (Some(a), Some(Ok(flags)), None) => {
                    params.ortho_context.insert(a.to_string(), flags);
                }
                _ => return Err(ParamsError::Ortho { line: i + 1 }),
            }
        }
        Ok(params)
    }

    /// The English model NLTK ships as `tokenizers/punkt_tab/english` (embedded).
    pub fn english() -> Self {
        Self::from_tab_files(
            include_str!("../../../data/nltk/punkt_tab/english/abbrev_types.txt"),
            include_str!("../../../data/nltk/punkt_tab/english/collocations.tab"),
            include_str!("../../../data/nltk/punkt_tab/english/sent_starters.txt"),
            include_str!("../../../data/nltk/punkt_tab/english/ortho_context.tab"),
        )
        // The embedded files are checked by `english_model_loads_completely`.
        .unwrap_or_default()
    }

    /// Orthographic flags of a word type (0 when never seen).
    pub fn ortho(&self, typ: &str) -> u32 {
        self.ortho_context.get(typ).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_model_loads_completely() {
        let p = PunktParameters::english();
        assert_eq!(p.abbrev_types.len(), 156);
        assert!(p.abbrev_types.contains(". . "));
        assert!(p.abbrev_types.contains("dr"));
        assert_eq!(p.collocations.len(), 37);
        assert_eq!(p.sent_starters.len(), 39);
        assert_eq!(p.ortho_context.len(), 20366);
        assert_eq!(p.ortho("a"), 126);
    }
}
