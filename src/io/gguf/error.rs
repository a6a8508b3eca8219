//! [`GgufError`]: why a GGUF file could not be read or turned into a model. Every variant
//! names the file and what was expected.

use std::path::PathBuf;

/// Why a GGUF file could not be read, or could not be turned into a model.
#[derive(Debug, thiserror::Error)]
pub enum GgufError {
    /// The file could not be opened or mapped.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The path is not a regular file (a device, a FIFO, a directory).
    #[error(transparent)]
    Input(Box<crate::io::input_file::InputError>),
    /// The file does not start with the magic bytes `GGUF`.
    #[error("`{path}` is not a GGUF file: it starts with {found:02x?}, expected the magic `GGUF` (47 47 55 46)")]
    BadMagic {
        /// The file.
        path: PathBuf,
        /// The first bytes found (up to 4).
        found: Vec<u8>,
    },
    /// The GGUF version is not 2 or 3.
    #[error("`{path}`: GGUF version {version} is not supported (expected 2 or 3; version 1 files predate 64-bit counts, re-convert them with a current llama.cpp)")]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version found.
        version: u32,
    },
    /// The file ends before a structure it announces.
    #[error("`{path}`: truncated at offset {offset} while reading {what} (the file is {file_len} bytes)")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Where the read started.
        offset: u64,
        /// What was being read.
        what: String,
        /// The file's size.
        file_len: u64,
    },
    /// A header field has an impossible value (a count larger than the file, bad UTF-8, ...).
    #[error("`{path}`: at offset {offset}: {detail}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Where the bad field starts.
        offset: u64,
        /// What is wrong and what was expected.
        detail: String,
    },
    /// A tensor's data lies (partly) outside the file.
    #[error("`{path}`: the data of tensor `{tensor}` (bytes {start}..{end}) lies outside the file ({file_len} bytes)")]
    DataOutOfBounds {
        /// The file.
        path: PathBuf,
        /// Tensor name.
        tensor: String,
        /// Absolute start offset.
        start: u64,
        /// Absolute end offset (exclusive).
        end: u64,
        /// The file's size.
        file_len: u64,
    },
    /// A tensor's ggml type id is not one ggml defines.
    #[error("`{path}`: unknown ggml type {type_id} for tensor `{tensor}`")]
    UnknownType {
        /// The file.
        path: PathBuf,
        /// Tensor name.
        tensor: String,
        /// The type id found.
        type_id: u32,
    },
    /// A tensor's ggml type is known but this reader cannot dequantize it.
    #[error("`{path}`: tensor `{tensor}` has ggml type {type_name}, which this reader does not dequantize (supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K)")]
    UnsupportedType {
        /// The file.
        path: PathBuf,
        /// Tensor name.
        tensor: String,
        /// The ggml type name.
        type_name: &'static str,
    },
    /// A tensor the caller asked for is not in the file.
    #[error("`{path}`: tensor `{name}` is missing")]
    MissingTensor {
        /// The file.
        path: PathBuf,
        /// GGUF tensor name.
        name: String,
    },
    /// A required metadata key is absent.
    #[error("`{path}`: metadata key `{key}` is missing")]
    MissingKey {
        /// The file.
        path: PathBuf,
        /// The key.
        key: String,
    },
    /// A metadata key holds a value of another type than expected.
    #[error("`{path}`: metadata key `{key}` should be {expected}, found {found}")]
    WrongType {
        /// The file.
        path: PathBuf,
        /// The key.
        key: String,
        /// What was expected (e.g. "an unsigned integer").
        expected: &'static str,
        /// What was found (the value's GGUF type).
        found: String,
    },
    /// A tensor's dimensions are not those the model config implies.
    #[error("`{path}`: tensor `{name}` has GGUF dims {found:?}, but the config implies {expected:?} (GGUF order, ne0 first)")]
    Shape {
        /// The file.
        path: PathBuf,
        /// GGUF tensor name.
        name: String,
        /// Expected dims, GGUF order.
        expected: Vec<u64>,
        /// Dims in the file.
        found: Vec<u64>,
    },
    /// The file describes a model this crate does not run (architecture, RoPE scaling, ...).
    #[error("`{path}`: {detail}")]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What is not supported and what is.
        detail: String,
    },
    /// A tensor holds NaN or an infinity after dequantization.
    #[error("`{path}`: tensor `{tensor}` holds a non-finite value ({value} at flat index {index}); the weights are corrupt (re-download or re-convert the model)")]
    NonFinite {
        /// The file.
        path: PathBuf,
        /// GGUF tensor name.
        tensor: String,
        /// Flat index of the first non-finite value.
        index: usize,
        /// The value.
        value: f32,
    },
    /// A metadata value is out of range, or disagrees with the tensors the file holds.
    #[error("`{path}`: metadata key `{key}`: {detail}")]
    BadMetadata {
        /// The file.
        path: PathBuf,
        /// The key (e.g. `llama.block_count`).
        key: String,
        /// What is wrong and what was expected.
        detail: String,
    },
    /// The hyper-parameters read from the metadata do not form a valid config.
    #[error("`{path}`: {source}")]
    Config {
        /// The file.
        path: PathBuf,
        /// The config problem.
        source: hir_core::model::ConfigError,
    },
}
