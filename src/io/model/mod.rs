//! Reading and writing models and tensors: Hugging Face directories (`config.json` +
//! `model.safetensors`, or shards listed in `model.safetensors.index.json`) with f32, f16 or
//! bf16 weights, plain f32 safetensors files for command outputs, any model path
//! ([`load_host_model`]: a GGUF file, read through [`crate::io::gguf`], or a Hugging Face
//! directory), and the atomic file writer every output goes through ([`write_atomic`],
//! [`AtomicFile`]). Models load into [`HostModel`] (defined in [`crate::io::host_model`],
//! which the GGUF reader shares without depending on this module).
//!
//! A model directory is untrusted input: its files are opened only when regular, shard names
//! must be plain file names beside the index, every size in `config.json` is bounded and
//! checked against the tensors present before anything is sized by it, and weights must be
//! finite F32/F16/BF16 (see [`load_hf_dir`]).

mod atomic;
mod error;
mod hf_dir;
mod load;
mod tensors;

pub use crate::io::host_model::HostModel;
pub use atomic::{sync_dir, write_atomic, AtomicFile};
pub use error::ModelIoError;
pub use hf_dir::{host_model_from_bytes, load_hf_dir, save_hf_dir, save_hf_dir_f16, weight_files};
pub use load::{load_host_model, load_weights, model_path_kind, ModelPathKind};
pub use tensors::{
    parse_header, parse_tensors, read_tensors, read_weights, tensor_to_f32, write_f16_safetensors,
    write_f32_safetensors, DtypePolicy, HostTensor, SafetensorsFile, MAX_SAFETENSORS_FILE,
    MAX_SAFETENSORS_HEADER,
};
