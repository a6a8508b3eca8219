//! [`HostModel`]: a model in host memory, as every model reader produces it — a GGUF file
//! (`io::gguf`) and a Hugging Face directory (`io::model`) both load into it, so the GGUF
//! reader need not know the safetensors side.

use hir_core::model::{ModelConfig, Params};

/// A model on the host: its config and f32 weights.
#[derive(Debug, Clone, PartialEq)]
pub struct HostModel {
    /// The architecture.
    pub config: ModelConfig,
    /// The weights, in f32.
    pub params: Params<Vec<f32>>,
}
