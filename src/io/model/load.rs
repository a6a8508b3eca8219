//! [`load_host_model`]: a model from either a Hugging Face directory or a GGUF file, and
//! [`model_path_kind`], which tells them apart (and names anything else).

use super::{load_hf_dir, HostModel, ModelIoError};
use crate::io::weights::{HostWeights, WeightDtype};
use std::path::Path;

/// What a model path holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelPathKind {
    /// A GGUF file (named `*.gguf`, or starting with the GGUF magic).
    Gguf,
    /// A directory, read as a Hugging Face model directory.
    HfDir,
}

/// Whether `path` is a GGUF file or a Hugging Face directory; [`ModelIoError::NotAModel`]
/// naming what it is otherwise (missing, a character device, a FIFO, another kind of file).
/// Nothing is opened except a regular file's first four bytes, so a FIFO cannot block.
pub fn model_path_kind(path: &Path) -> Result<ModelPathKind, ModelIoError> {
    let not_a_model = |kind: String| ModelIoError::NotAModel {
        path: path.to_path_buf(),
        kind,
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(not_a_model("missing (no such file or directory)".into()))
        }
        Err(source) => {
            return Err(ModelIoError::Read {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    if meta.is_dir() {
        return Ok(ModelPathKind::HfDir);
    }
    if meta.is_file() {
        if crate::io::gguf::is_gguf_path(path) {
            return Ok(ModelPathKind::Gguf);
        }
        return Err(not_a_model(
            "a file that is not a GGUF file (it does not start with the magic `GGUF` and is \
             not named *.gguf; for a Hugging Face model, pass the directory holding its \
             config.json)"
                .into(),
        ));
    }
    // Not a file or directory: the input reader names the kind without opening it.
    match crate::io::input_file::open_regular(path, "a model", u64::MAX) {
        Err(crate::io::input_file::InputError::NotRegular { kind, .. }) => {
            Err(not_a_model(kind.to_string()))
        }
        Err(e) => Err(ModelIoError::Input(Box::new(e))),
        Ok(_) => Err(not_a_model("not a regular file or directory".into())),
    }
}

/// Loads the model at `path`: a GGUF file (a file named `*.gguf` or starting with the GGUF
/// magic, dequantized to f32) or a Hugging Face directory.
pub fn load_host_model(path: &Path) -> Result<HostModel, ModelIoError> {
    match model_path_kind(path)? {
        ModelPathKind::Gguf => {
            let model = crate::io::gguf::load_model(path).map_err(Box::new)?;
            Ok(model.host)
        }
        ModelPathKind::HfDir => load_hf_dir(path),
    }
}

/// Loads the model at `path` (a GGUF file or a Hugging Face directory) for inference, its
/// weights held as `dtype` says.
pub fn load_weights(
    path: &Path,
    dtype: crate::io::weights::WeightDtype,
) -> anyhow::Result<crate::io::weights::HostWeights> {
    let kind = model_path_kind(path)?;
    if kind == ModelPathKind::Gguf && dtype == WeightDtype::Auto {
        return Ok(crate::io::gguf::llama::load_model_stored(path)?.weights);
    }
    Ok(HostWeights::from_f32(load_host_model(path)?, dtype))
}
