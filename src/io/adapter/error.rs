//! Errors of adapter directory IO; each names the file, and the field or tensor, at fault.

use crate::io::model::ModelIoError;
use std::path::PathBuf;

/// Why an adapter directory cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    /// The directory is missing a file an adapter needs, or is not a directory.
    #[error("`{}`: {detail}", dir.display())]
    Directory {
        /// The adapter directory.
        dir: PathBuf,
        /// What is missing or wrong.
        detail: String,
    },
    /// `adapter_config.json` could not be read (missing, not a regular file, too large).
    #[error(transparent)]
    Input(#[from] Box<crate::io::input_file::InputError>),
    /// `adapter_config.json` is not a JSON object.
    #[error("`{}`: {detail}", path.display())]
    Json {
        /// The config file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A field of `adapter_config.json` is not supported or not valid.
    #[error("`{}`: field `{field}`: {detail}", path.display())]
    Field {
        /// The config file.
        path: PathBuf,
        /// The field's name.
        field: &'static str,
        /// What was found and what is expected.
        detail: String,
    },
    /// A tensor of `adapter_model.safetensors` is not one this model's adapter has, is
    /// missing, or has the wrong shape.
    #[error("`{}`: tensor `{key}`: {detail}", path.display())]
    Tensor {
        /// The weight file.
        path: PathBuf,
        /// The tensor's key (as in the file, or as expected when missing).
        key: String,
        /// What is wrong and what is expected.
        detail: String,
    },
    /// The weight file could not be read or parsed, or holds a tensor of an unsupported dtype
    /// or a non-finite value (the error names the file and tensor).
    #[error(transparent)]
    Model(#[from] ModelIoError),
    /// The adapter to write is inconsistent (a tensor whose length does not fit the rank).
    #[error("cannot write the adapter to `{}`: {detail}", dir.display())]
    Invalid {
        /// The adapter directory.
        dir: PathBuf,
        /// What is wrong.
        detail: String,
    },
}
