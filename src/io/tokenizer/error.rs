//! Errors of loading, training and using tokenizers; each names the file or token involved.

use std::path::PathBuf;

/// Why a tokenizer could not be loaded, trained or used.
#[derive(Debug, thiserror::Error)]
pub enum TokenizerError {
    /// `tokenizer.json` could not be read.
    /// A tokenizer file is not a readable regular file of a sane size.
    #[error(transparent)]
    Input(Box<crate::io::input_file::InputError>),
    #[error("cannot read tokenizer file `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A tokenizer file could not be written.
    #[error("cannot write tokenizer file `{path}`: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The bytes are not a `tokenizers` JSON document.
    #[error("`{origin}` is not a valid tokenizer.json ({detail})")]
    Parse {
        /// The file name, or a description of where the bytes came from.
        origin: String,
        /// The parser's message.
        detail: String,
    },
    /// A token the chat template needs is not in the vocabulary.
    #[error("`{origin}`: the {template} chat template needs token `{token}`, which the vocabulary lacks")]
    MissingToken {
        /// The file name, or a description of where the bytes came from.
        origin: String,
        /// The template's name.
        template: String,
        /// The missing token.
        token: String,
    },
    /// A GGUF file's tokenizer metadata cannot be turned into a tokenizer.
    #[error("`{origin}`: {detail}")]
    Gguf {
        /// The GGUF file.
        origin: String,
        /// What is wrong or unsupported (names the metadata key).
        detail: String,
    },
    /// A chat template does not compile or render.
    #[error("chat template of `{origin}`: {detail}")]
    Template {
        /// Where the template came from (file and key).
        origin: String,
        /// The template engine's message.
        detail: String,
    },
    /// A Hugging Face tokenizer directory lacks something or has a malformed file.
    #[error("`{path}`: {detail}")]
    Config {
        /// The file or directory.
        path: PathBuf,
        /// What is missing or malformed.
        detail: String,
    },
    /// Training the BPE model failed.
    #[error("training the BPE tokenizer failed: {0}")]
    Train(String),
}
