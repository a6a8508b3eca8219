//! Errors of model and tensor file IO; each names the file and what was expected.

use std::path::PathBuf;

/// Why a model or tensor file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ModelIoError {
    /// The file could not be opened or read.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file could not be written.
    #[error("cannot write `{path}`: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file's content is not what its format requires (bad JSON, truncated data, ...).
    #[error("`{path}`: {detail}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// `config.json` is valid JSON but not a usable model config.
    #[error("`{path}`: {source}")]
    Config {
        /// The config file.
        path: PathBuf,
        /// The config problem.
        source: hir_core::model::ConfigError,
    },
    /// A tensor the config needs is not in any weight file.
    #[error("`{path}`: tensor `{name}` is missing (expected shape {shape:?})")]
    MissingTensor {
        /// The model directory.
        path: PathBuf,
        /// Hugging Face tensor name.
        name: String,
        /// Shape the config implies.
        shape: Vec<usize>,
    },
    /// A tensor has a different shape from what the config implies.
    #[error("`{path}`: tensor `{name}` has shape {found:?}, but the config implies {expected:?}")]
    Shape {
        /// The weight file.
        path: PathBuf,
        /// Hugging Face tensor name.
        name: String,
        /// Shape the config implies.
        expected: Vec<usize>,
        /// Shape in the file.
        found: Vec<usize>,
    },
    /// A tensor is stored in a dtype this loader does not convert.
    #[error("`{path}`: tensor `{name}` has dtype {dtype}; supported dtypes are F32, F16 and BF16")]
    Dtype {
        /// The weight file.
        path: PathBuf,
        /// Hugging Face tensor name.
        name: String,
        /// The dtype found.
        dtype: String,
    },
    /// A weight holds NaN or an infinity.
    #[error("`{path}`: tensor `{name}` holds a non-finite value ({value} at flat index {index}); the weights are corrupt (re-download or re-convert the model)")]
    NonFinite {
        /// The weight file.
        path: PathBuf,
        /// Hugging Face tensor name.
        name: String,
        /// Flat (row-major) index of the first non-finite value.
        index: usize,
        /// The value.
        value: f32,
    },
    /// A model path or one of its files is not something that can be read (a device, a FIFO,
    /// a directory, a file over its size cap).
    #[error(transparent)]
    Input(#[from] Box<crate::io::input_file::InputError>),
    /// A model path is neither a GGUF file nor a Hugging Face model directory.
    #[error("`{path}` is {kind}; a model path must be a GGUF file or a Hugging Face model directory (config.json + model.safetensors or model.safetensors.index.json)")]
    NotAModel {
        /// The path given.
        path: PathBuf,
        /// What it is ("a character device", "a FIFO (named pipe)", "missing", ...).
        kind: String,
    },
    /// A GGUF model file could not be read or converted.
    #[error(transparent)]
    Gguf(#[from] Box<crate::io::gguf::GgufError>),
}
