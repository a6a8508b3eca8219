//! safetensors files: reading f32/f16/bf16 tensors as f32, writing f32 tensors.
//!
//! Reading never trusts the file: only regular files are opened, the declared header length is
//! checked against the file size and [`MAX_SAFETENSORS_HEADER`] before the header is parsed,
//! every tensor's data offsets are checked against the file before any data is read, and the
//! file is memory-mapped rather than read whole.

use super::{write_atomic, ModelIoError};
use crate::io::input_file::FileBytes;
use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A tensor on the host: shape and row-major f32 data.
#[derive(Debug, Clone, PartialEq)]
pub struct HostTensor {
    /// Dimensions.
    pub shape: Vec<usize>,
    /// Row-major values.
    pub data: Vec<f32>,
}

/// Largest safetensors header (the JSON after the 8-byte length) accepted: 16 MiB. Real
/// headers are tens to hundreds of KB (one entry per tensor); the safetensors crate's own cap
/// (100 MB) would let a crafted header expand to gigabytes while it is parsed.
pub const MAX_SAFETENSORS_HEADER: u64 = 16 << 20;
/// Largest safetensors file read: 1 TiB (real shards are 2–10 GB). The file is
/// memory-mapped, so only the bytes of the tensors converted are paged in.
pub const MAX_SAFETENSORS_FILE: u64 = 1 << 40;

/// Files smaller than this are read into memory rather than mapped.
const MAP_THRESHOLD: u64 = 64 << 10;

/// A safetensors file opened for reading: a regular file (never a device or FIFO), its
/// 8-byte header length checked against its size, then memory-mapped. [`SafetensorsFile::parse`]
/// checks the header (every tensor's data offsets inside the file) without touching tensor data.
pub struct SafetensorsFile {
    path: PathBuf,
    bytes: FileBytes,
}

impl std::fmt::Debug for SafetensorsFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SafetensorsFile")
            .field("path", &self.path)
            .field("len", &self.bytes().len())
            .finish()
    }
}

impl SafetensorsFile {
    /// Opens `path`: refuses anything but a regular file of at most [`MAX_SAFETENSORS_FILE`]
    /// bytes, and a header length that does not fit the file or exceeds
    /// [`MAX_SAFETENSORS_HEADER`].
    pub fn open(path: &Path) -> Result<Self, ModelIoError> {
        let file =
            crate::io::input_file::open_regular(path, "a safetensors file", MAX_SAFETENSORS_FILE)
                .map_err(|e| ModelIoError::Input(Box::new(e)))?;
        let io = |source| ModelIoError::Read {
            path: path.to_path_buf(),
            source,
        };
        let len = file.metadata().map_err(io)?.len();
        let mut head = [0u8; 8];
        {
            use std::io::Read;
            let mut f = &file;
            if len < 8 || f.read_exact(&mut head).is_err() {
                return Err(ModelIoError::Format {
                    path: path.to_path_buf(),
                    detail: format!(
                        "not a safetensors file: it is {len} bytes, shorter than the 8-byte \
                         header length; is it truncated?"
                    ),
                });
            }
        }
        check_header_len(u64::from_le_bytes(head), len, path)?;
        // Read from the start again: the header length was read through the same handle.
        let bytes = {
            use std::io::Seek;
            (&file).rewind().map_err(io)?;
            FileBytes::of(&file, len, MAP_THRESHOLD).map_err(io)?
        };
        Ok(SafetensorsFile {
            path: path.to_path_buf(),
            bytes,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        self.bytes.as_slice()
    }

    /// Parses and checks the header (see [`parse_header`]).
    pub fn parse(&self) -> Result<SafeTensors<'_>, ModelIoError> {
        parse_header(self.bytes(), &self.path)
    }
}

fn check_header_len(n: u64, file_len: u64, path: &Path) -> Result<(), ModelIoError> {
    let format = |detail: String| ModelIoError::Format {
        path: path.to_path_buf(),
        detail,
    };
    if n > MAX_SAFETENSORS_HEADER {
        return Err(format(format!(
            "not a valid safetensors file: it declares a {n}-byte header, more than the \
             {MAX_SAFETENSORS_HEADER} bytes accepted; is it corrupt?"
        )));
    }
    if n > file_len.saturating_sub(8) {
        return Err(format(format!(
            "not a valid safetensors file: it declares a {n}-byte header but holds only {} \
             bytes after the 8-byte length; is it truncated?",
            file_len.saturating_sub(8)
        )));
    }
    Ok(())
}

/// Parses the header of safetensors `bytes` and checks it: the declared header length (at
/// most [`MAX_SAFETENSORS_HEADER`], inside the file), the JSON, and that the tensors' data
/// offsets are contiguous, match their shapes and dtypes, and cover the file exactly. No
/// tensor data is read. `path` names the bytes in errors.
pub fn parse_header<'a>(bytes: &'a [u8], path: &Path) -> Result<SafeTensors<'a>, ModelIoError> {
    let Some(head) = bytes.get(..8) else {
        return Err(ModelIoError::Format {
            path: path.to_path_buf(),
            detail: format!(
                "not a safetensors file: it is {} bytes, shorter than the 8-byte header \
                 length; is it truncated?",
                bytes.len()
            ),
        });
    };
    let mut n = [0u8; 8];
    n.copy_from_slice(head);
    check_header_len(u64::from_le_bytes(n), bytes.len() as u64, path)?;
    SafeTensors::deserialize(bytes).map_err(|e| ModelIoError::Format {
        path: path.to_path_buf(),
        detail: format!("not a valid safetensors file ({e}); is it truncated or corrupt?"),
    })
}

/// Which dtypes a reader accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtypePolicy {
    /// Model parameters: F32, F16 and BF16 only, every value finite.
    FloatWeights,
    /// Any numeric tensor of a test or golden file: also I64/I32/U32 (e.g. `input_ids`),
    /// converted by value; values are not checked.
    AnyNumeric,
}

/// One tensor of a parsed safetensors file converted to f32 under `policy`; `path` names the
/// file in errors.
pub fn tensor_to_f32(
    name: &str,
    view: &TensorView<'_>,
    path: &Path,
    policy: DtypePolicy,
) -> Result<HostTensor, ModelIoError> {
    let raw = view.data();
    let float = matches!(view.dtype(), Dtype::F32 | Dtype::F16 | Dtype::BF16);
    if !float && policy == DtypePolicy::FloatWeights {
        return Err(ModelIoError::Dtype {
            path: path.to_path_buf(),
            name: name.to_string(),
            dtype: format!("{:?}", view.dtype()),
        });
    }
    let elem = match view.dtype() {
        Dtype::F32 | Dtype::I32 | Dtype::U32 => 4,
        Dtype::F16 | Dtype::BF16 => 2,
        Dtype::I64 => 8,
        other => {
            return Err(ModelIoError::Dtype {
                path: path.to_path_buf(),
                name: name.to_string(),
                dtype: format!("{other:?}"),
            })
        }
    };
    let mut data: Vec<f32> = Vec::new();
    data.try_reserve_exact(raw.len() / elem)
        .map_err(|_| ModelIoError::Format {
            path: path.to_path_buf(),
            detail: format!(
                "tensor `{name}`: cannot allocate {} bytes for its f32 copy",
                raw.len() / elem * 4
            ),
        })?;
    match view.dtype() {
        Dtype::F32 => data.extend(
            raw.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
        ),
        Dtype::F16 => data.extend(
            raw.chunks_exact(2)
                .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32()),
        ),
        Dtype::BF16 => data.extend(
            raw.chunks_exact(2)
                .map(|c| half::bf16::from_le_bytes([c[0], c[1]]).to_f32()),
        ),
        Dtype::I64 => data.extend(raw.chunks_exact(8).map(|c| {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            i64::from_le_bytes(b) as f32
        })),
        Dtype::I32 => data.extend(
            raw.chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f32),
        ),
        _ => data.extend(
            raw.chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f32),
        ),
    }
    if policy == DtypePolicy::FloatWeights {
        if let Some((index, &value)) = data.iter().enumerate().find(|(_, x)| !x.is_finite()) {
            return Err(ModelIoError::NonFinite {
                path: path.to_path_buf(),
                name: name.to_string(),
                index,
                value,
            });
        }
    }
    Ok(HostTensor {
        shape: view.shape().to_vec(),
        data,
    })
}

/// Reads every tensor of a safetensors file as f32: F32/F16/BF16, and integer tensors
/// (I64/I32/U32, e.g. `input_ids` in golden files) converted by value. Model weights are read
/// with [`read_weights`] instead, which refuses integers and non-finite values.
pub fn read_tensors(path: &Path) -> Result<BTreeMap<String, HostTensor>, ModelIoError> {
    let file = SafetensorsFile::open(path)?;
    convert_all(&file.parse()?, path, DtypePolicy::AnyNumeric)
}

/// Reads every tensor of a safetensors file of model weights (or gradients, optimizer
/// moments) as f32: F32/F16/BF16 only, every value finite; an error names the tensor, the
/// file and what was found.
pub fn read_weights(path: &Path) -> Result<BTreeMap<String, HostTensor>, ModelIoError> {
    let file = SafetensorsFile::open(path)?;
    convert_all(&file.parse()?, path, DtypePolicy::FloatWeights)
}

/// Parses the bytes of a safetensors file as [`read_tensors`] does; `path` names them in
/// errors (e.g. a file embedded in the binary).
pub fn parse_tensors(
    bytes: &[u8],
    path: &Path,
) -> Result<BTreeMap<String, HostTensor>, ModelIoError> {
    convert_all(&parse_header(bytes, path)?, path, DtypePolicy::AnyNumeric)
}

fn convert_all(
    st: &SafeTensors<'_>,
    path: &Path,
    policy: DtypePolicy,
) -> Result<BTreeMap<String, HostTensor>, ModelIoError> {
    let mut out = BTreeMap::new();
    for (name, view) in st.iter() {
        out.insert(name.to_string(), tensor_to_f32(name, &view, path, policy)?);
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
