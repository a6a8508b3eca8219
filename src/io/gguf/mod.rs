//! Reading GGUF files, llama.cpp's model format, and turning Llama-family models in them into
//! a [`HostModel`](crate::io::host_model::HostModel) plus a [`GgufVocab`].
//!
//! # The format
//!
//! A GGUF file (versions 2 and 3; little-endian) is:
//!
//! 1. a header: the magic `GGUF`, a `u32` version, a `u64` tensor count and a `u64`
//!    metadata key/value count;
//! 2. the metadata: for each pair a string key (`u64` length + UTF-8), a `u32` value type
//!    and the value — one of 13 types ([`MetaValue`]), arrays carrying an element type and a
//!    `u64` count and possibly nesting;
//! 3. the tensor infos: name, `u32` number of dims, `u64` dims with `ne0` (the fastest-varying,
//!    a matrix's columns) first, `u32` ggml type ([`GgmlType`]) and `u64` offset into the
//!    data section;
//! 4. padding to `general.alignment` (default 32), then the data section; each tensor's data
//!    is `n_elements / block_size` blocks of `type_size` bytes.
//!
//! Version 1 (32-bit counts) is refused with a clear error.
//!
//! # Design
//!
//! * [`GgufFile::open`] memory-maps the file (`memmap2`) and parses only the header; tensor
//!   bytes are touched when a tensor is asked for, so opening a large model is instant.
//! * Nothing trusts the file: every read is bounds-checked, every count or length
//!   is compared with the bytes left before allocating, arrays nest at most 8 deep, and each
//!   tensor's data range is checked against the file size at open. A truncated or corrupt
//!   file gives a [`GgufError`] naming the file and what was expected, never a panic.
//! * [`dequant`] converts blocks to f32 exactly as ggml's `dequantize_row_*` (and gguf-py)
//!   do: the same operations in the same order, unfused, so results are bit-identical; it
//!   runs in parallel over runs of blocks.
//! * [`load_model`] maps `llama`/`qwen2` metadata to a [`ModelConfig`](hir_core::model::ModelConfig),
//!   tensor names to Hugging Face names, and undoes llama.cpp's Q/K row permutation for
//!   `llama` (see [`llama`]), so the result runs on the same code as a Hugging Face directory.
//!
//! ```no_run
//! # fn main() -> Result<(), hir::io::gguf::GgufError> {
//! let model = hir::io::gguf::load_model(std::path::Path::new("SmolLM2-135M-Instruct.Q4_1.gguf"))?;
//! println!("{} layers, {} tokens", model.host.config.num_hidden_layers, model.vocab.tokens.len());
//! # Ok(()) }
//! ```

pub mod dequant;
mod dtype;
mod error;
mod file;
pub mod llama;
mod metadata;
mod reader;
mod value;
mod vocab;

pub use dtype::GgmlType;
pub use error::GgufError;
pub use file::{GgufFile, TensorInfo, DEFAULT_ALIGNMENT, GGUF_MAGIC, MAX_TENSORS};
pub use llama::{load_from, load_model, GgufModel};
pub use metadata::Metadata;
pub use reader::MAX_META_ELEMENTS;
pub use value::MetaValue;
pub use vocab::{read_vocab, GgufVocab};

/// Whether `path` looks like a GGUF file: a file whose name ends in `.gguf`, or whose first
/// four bytes are the GGUF magic.
pub fn is_gguf_path(path: &std::path::Path) -> bool {
    if !path.is_file() {
        return false;
    }
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gguf"))
    {
        return true;
    }
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok_and(|()| magic == GGUF_MAGIC)
}
