//! safetensors files: reading f32/f16/bf16 tensors as f32, writing f32 tensors.

use super::{write_atomic, ModelIoError};
use safetensors::{Dtype, SafeTensors};
use std::collections::BTreeMap;
use std::path::Path;

/// A tensor on the host: shape and row-major f32 data.
#[derive(Debug, Clone, PartialEq)]
pub struct HostTensor {
    /// Dimensions.
    pub shape: Vec<usize>,
    /// Row-major values.
    pub data: Vec<f32>,
}

/// Reads every tensor of a safetensors file, converting F32/F16/BF16 to f32.
///
/// Integer tensors (e.g. `input_ids` in golden files) are converted too (I64/I32/U32).
pub fn read_tensors(path: &Path) -> Result<BTreeMap<String, HostTensor>, ModelIoError> {
    let bytes = std::fs::read(path).map_err(|source| ModelIoError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_tensors(&bytes, path)
}

/// Parses the bytes of a safetensors file as [`read_tensors`] does; `path` names them in
/// errors (e.g. a file embedded in the binary).
pub fn parse_tensors(
    bytes: &[u8],
    path: &Path,
) -> Result<BTreeMap<String, HostTensor>, ModelIoError> {
    let st = SafeTensors::deserialize(bytes).map_err(|e| ModelIoError::Format {
        path: path.to_path_buf(),
        detail: format!("not a valid safetensors file ({e}); is it truncated or corrupt?"),
    })?;
    let mut out = BTreeMap::new();
    for (name, view) in st.iter() {
        let raw = view.data();
        let data: Vec<f32> = match view.dtype() {
            Dtype::F32 => raw
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            Dtype::F16 => raw
                .chunks_exact(2)
                .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            Dtype::BF16 => raw
                .chunks_exact(2)
                .map(|c| half::bf16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            Dtype::I64 => raw
                .chunks_exact(8)
                .map(|c| i64::from_le_bytes(c.try_into().unwrap_or([0; 8])) as f32)
                .collect(),
            Dtype::I32 => raw
                .chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f32)
                .collect(),
            Dtype::U32 => raw
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f32)
                .collect(),
            other => {
                return Err(ModelIoError::Dtype {
                    path: path.to_path_buf(),
                    name: name.to_string(),
                    dtype: format!("{other:?}"),
                })
            }
        };
        out.insert(
            name.to_string(),
            HostTensor {
                shape: view.shape().to_vec(),
                data,
            },
        );
    }
    Ok(out)
}

/// Writes f32 tensors `(name, shape, data)` to a safetensors file, atomically.
pub fn write_f32_safetensors(
    path: &Path,
    tensors: &[(String, Vec<usize>, &[f32])],
) -> Result<(), ModelIoError> {
    let buffers: Vec<Vec<u8>> = tensors
        .iter()
        .map(|(_, _, d)| d.iter().flat_map(|x| x.to_le_bytes()).collect())
        .collect();
    write_safetensors(path, tensors, Dtype::F32, &buffers)
}

/// Writes f32 tensors `(name, shape, data)` to a safetensors file as F16 (round to nearest
/// even), atomically. Halves the size of small checkpoints; the loader reads them back as f32.
pub fn write_f16_safetensors(
    path: &Path,
    tensors: &[(String, Vec<usize>, &[f32])],
) -> Result<(), ModelIoError> {
    let buffers: Vec<Vec<u8>> = tensors
        .iter()
        .map(|(_, _, d)| {
            d.iter()
                .flat_map(|&x| half::f16::from_f32(x).to_le_bytes())
                .collect()
        })
        .collect();
    write_safetensors(path, tensors, Dtype::F16, &buffers)
}

fn write_safetensors(
    path: &Path,
    tensors: &[(String, Vec<usize>, &[f32])],
    dtype: Dtype,
    buffers: &[Vec<u8>],
) -> Result<(), ModelIoError> {
    let mut views = Vec::with_capacity(tensors.len());
    for ((name, shape, _), buf) in tensors.iter().zip(buffers) {
        let view =
            safetensors::tensor::TensorView::new(dtype, shape.clone(), buf).map_err(|e| {
                ModelIoError::Format {
                    path: path.to_path_buf(),
                    detail: format!("tensor `{name}`: {e}"),
                }
            })?;
        views.push((name.clone(), view));
    }
    let bytes = safetensors::serialize(views, None).map_err(|e| ModelIoError::Format {
        path: path.to_path_buf(),
        detail: format!("cannot serialise: {e}"),
    })?;
    write_atomic(path, &bytes)
}
