//! [`load_host_model`]: a model from either a Hugging Face directory or a GGUF file.

use super::{load_hf_dir, HostModel, ModelIoError};
use std::path::Path;

/// Loads the model at `path`: a GGUF file (a file named `*.gguf` or starting with the GGUF
/// magic, dequantized to f32) or a Hugging Face directory.
pub fn load_host_model(path: &Path) -> Result<HostModel, ModelIoError> {
    if crate::gguf::is_gguf_path(path) {
        let model = crate::gguf::load_model(path).map_err(Box::new)?;
        Ok(model.host)
    } else {
        load_hf_dir(path)
    }
}
