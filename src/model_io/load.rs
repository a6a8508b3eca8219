//! One entry point for "a model path the user gave": a Hugging Face directory or a GGUF file.

use super::{load_hf_dir, HostModel, ModelIoError};
use std::path::Path;

/// Loads the weights and config at `path` (a Hugging Face directory; GGUF files once the
/// reader lands).
pub fn load_host_model(path: &Path) -> Result<HostModel, ModelIoError> {
    load_hf_dir(path)
}
