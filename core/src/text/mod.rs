//! The language machinery the official IFEval / IFBench checkers lean on, reproduced so that
//! the Rust verifiers decide exactly what the Python ones decide.

pub mod charclass;
#[rustfmt::skip]
mod charclass_tables;
#[cfg(feature = "emoji")]
pub mod emoji;
#[cfg(feature = "langdetect")]
pub mod langdetect;
#[cfg(feature = "pos-tagger")]
pub mod pos;
pub mod punkt;
pub mod py;
pub mod py_decimal;
pub mod pyre;
pub mod python;
mod ranges;
pub mod rx;
pub mod stopwords;
#[cfg(feature = "syllables")]
pub mod syllables;
pub mod treebank;
pub mod words;

#[cfg(test)]
mod equivalence {
    fn same(name: &str, a: impl Fn(char) -> bool, b: impl Fn(char) -> bool) {
        for cp in 0..=0x10FFFFu32 {
            if let Some(c) = char::from_u32(cp) {
                assert_eq!(a(c), b(c), "{name} differs at U+{cp:04X}");
            }
        }
    }
    #[test]
    fn old_and_new_agree_on_every_code_point() {
        use super::{charclass, py, py_decimal, pyre, python, rx};
        same("rx word", charclass::rx_word, rx::is_word);
        same("rx digit", charclass::rx_digit, rx::is_digit);
        same("rx space", charclass::rx_space, rx::is_space);
        same("py_word", charclass::py_word, python::is_word);
        same("pyre word", pyre::is_word, python::is_word);
        same("py_space", charclass::py_space, python::is_space);
        same("py::is_space", py::is_space, python::is_space);
        same("py_digit", charclass::py_digit, python::is_digit);
        same("pyre digit", pyre::is_digit, python::is_digit);
        same("py_decimal", py_decimal::is_decimal, python::is_decimal);
        same("pyre decimal", pyre::is_decimal, python::is_decimal);
        same("pyre alpha", pyre::is_alpha, python::is_alpha);
        same("pyre title", pyre::is_title, python::is_title);
        same("py_upper", charclass::py_upper, python::is_upper);
        same("py_lower", charclass::py_lower, python::is_lower);
        for cp in 0..=0x10FFFFu32 {
            if let Some(c) = char::from_u32(cp) {
                assert_eq!(
                    pyre::decimal_value(c),
                    python::decimal_value(c),
                    "U+{cp:04X}"
                );
            }
        }
    }
}
