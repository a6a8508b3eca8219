//! Errors of a training run.

use crate::backend::BackendError;
use crate::instruct::CodecError;
use crate::model::ModelError;
use alloc::string::String;

use super::config::ConfigError;

/// Why a training step (or setting up a trainer) failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrainError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A model op failed (shapes, ids outside the vocabulary, context too long).
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A backend op failed.
    #[error(transparent)]
    Backend(#[from] BackendError),
    /// The tokenizer failed.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// The dataset does not fit the run (empty, a prompt too long, ...).
    #[error("training data: {0}")]
    Data(String),
    /// A loss or gradient became NaN or infinite; the update was not applied.
    #[error("step {step}: {what} is not finite ({value}); the update was skipped: {cause}")]
    NonFinite {
        /// The step at fault.
        step: u64,
        /// Which quantity.
        what: &'static str,
        /// Its value.
        value: f32,
        /// What was found non-finite (weights, a gradient, or neither) and what to do.
        cause: String,
    },
    /// Weights or optimizer state handed to the trainer hold NaN or infinity (a corrupt model
    /// or checkpoint file): refused before the first step.
    #[error("the {what} are not finite: {found}; the file they came from is corrupt (re-download or re-save it)")]
    NonFiniteInput {
        /// Which state ("policy weights", "reference weights", "AdamW first moments", ...).
        what: &'static str,
        /// The first non-finite element.
        found: super::nonfinite::NonFiniteValue,
    },
}
