//! [`GgufFile`]: an opened, memory-mapped GGUF file: its header, metadata, tensor infos and
//! (dequantized) tensor data.

use super::dequant::dequantize;
use super::dtype::GgmlType;
use super::error::GgufError;
use super::metadata::Metadata;
use super::reader::Cursor;
use super::value::MetaValue;
use crate::io::input_file::FileBytes;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The magic bytes every GGUF file starts with.
pub const GGUF_MAGIC: [u8; 4] = *b"GGUF";
/// Alignment of the data section and of every tensor when `general.alignment` is absent.
pub const DEFAULT_ALIGNMENT: u64 = 32;
/// Most tensors a file may list: 2^17. Real models list under 10k (9–16 per layer); the cap
/// bounds the memory of the tensor infos whatever the tensor count field says.
pub const MAX_TENSORS: usize = 1 << 17;

/// Where a tensor is and how it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorInfo {
    /// Tensor name (`blk.0.attn_q.weight`, ...).
    pub name: String,
    /// Dimensions in GGUF order: `dims[0]` (`ne0`) varies fastest (the columns of a matrix),
    /// so a PyTorch `[out, in]` weight has `dims == [in, out]`.
    pub dims: Vec<u64>,
    /// Storage type.
    pub ggml_type: GgmlType,
    /// Offset of the data from the start of the data section.
    pub offset: u64,
    /// Size of the data in bytes.
    pub n_bytes: u64,
}

impl TensorInfo {
    /// Number of values (product of the dims; 1 for a 0-d tensor).
    pub fn n_elements(&self) -> u64 {
        self.dims.iter().product()
    }

    /// The shape in row-major (PyTorch) order: the dims reversed.
    pub fn shape(&self) -> Vec<usize> {
        self.dims.iter().rev().map(|&d| d as usize).collect()
    }
}

/// An opened GGUF file (version 2 or 3). The file is memory-mapped; tensor data is read
/// (and dequantized) only when asked for.
pub struct GgufFile {
    path: PathBuf,
    bytes: FileBytes,
    version: u32,
    metadata: Metadata,
    tensors: Vec<TensorInfo>,
    by_name: HashMap<String, usize>,
    alignment: u64,
    data_start: u64,
}

impl std::fmt::Debug for GgufFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GgufFile")
            .field("path", &self.path)
            .field("version", &self.version)
            .field("metadata_keys", &self.metadata.len())
            .field("tensors", &self.tensors.len())
            .finish()
    }
}

impl GgufFile {
    /// Opens and memory-maps `path`, then parses and checks the header: magic, version,
    /// metadata, tensor infos, and that every tensor's data lies inside the file.
    pub fn open(path: &Path) -> Result<GgufFile, GgufError> {
        let io = |source| GgufError::Io {
            path: path.to_path_buf(),
            source,
        };
        // A regular file only: a device or FIFO is refused without being opened.
        let file = crate::io::input_file::open_regular(path, "a GGUF file", u64::MAX)
            .map_err(|e| GgufError::Input(Box::new(e)))?;
        let len = file.metadata().map_err(io)?.len();
        // Files under a page are read rather than mapped.
        let bytes = FileBytes::of(&file, len, 4096).map_err(io)?;
        Self::parse(path.to_path_buf(), bytes)
    }

    /// Parses GGUF bytes held in memory; `path` names them in errors.
    pub fn from_bytes(bytes: Vec<u8>, path: &Path) -> Result<GgufFile, GgufError> {
        Self::parse(path.to_path_buf(), FileBytes::Owned(bytes))
    }

    fn parse(path: PathBuf, bytes: FileBytes) -> Result<GgufFile, GgufError> {
        let data = bytes.as_slice();
        let file_len = data.len() as u64;
        if data.get(..4) != Some(&GGUF_MAGIC[..]) {
            return Err(GgufError::BadMagic {
                path,
                found: data.iter().take(4).copied().collect(),
            });
        }
        let mut c = Cursor::new(data, &path);
        c.take(4, &|| "the magic".into())?;
        let version = c.u32(&|| "the version".into())?;
        if !(2..=3).contains(&version) {
            return Err(GgufError::UnsupportedVersion {
                path: path.clone(),
                version,
            });
        }
        // A tensor info takes at least 8 (name length) + 4 + 4 + 8 bytes; a key/value pair
        // at least 8 (key length) + 4 (type) + 1 bytes.
        let n_tensors = c.entry_count(24, &|| "the tensor count".into())?;
        if n_tensors > MAX_TENSORS {
            return Err(c.invalid(
                8,
                format!(
                    "the tensor count {n_tensors} is more than the {MAX_TENSORS} accepted (real \
                     models list under 10,000 tensors)"
                ),
            ));
        }
        let n_kv = c.entry_count(13, &|| "the metadata key/value count".into())?;
        let mut metadata = Metadata::default();
        for i in 0..n_kv {
            let (k, v) = c.key_value(i)?;
            metadata.insert(k, v);
        }
        let mut raw = Vec::with_capacity(n_tensors);
        for i in 0..n_tensors {
            raw.push(c.tensor_info(i)?);
        }
        let alignment = match metadata.get("general.alignment") {
            None => DEFAULT_ALIGNMENT,
            Some(v) => match v.as_u64() {
                Some(a) if a > 0 && a.is_power_of_two() => a,
                _ => {
                    return Err(GgufError::WrongType {
                        path: path.clone(),
                        key: "general.alignment".into(),
                        expected: "a power-of-two unsigned integer",
                        found: format!("{v:?}"),
                    })
                }
            },
        };
        let data_start = (c.pos() as u64).div_ceil(alignment) * alignment;
        let mut tensors = Vec::with_capacity(raw.len());
        let mut by_name = HashMap::with_capacity(raw.len());
        for t in raw {
            let n_bytes = byte_size(&path, &t.name, &t.dims, t.ggml_type, c.pos())?;
            if t.offset % alignment != 0 {
                return Err(c.invalid(
                    c.pos(),
                    format!(
                        "tensor `{}`: data offset {} is not a multiple of the alignment {alignment}",
                        t.name, t.offset
                    ),
                ));
            }
            let start = data_start.checked_add(t.offset);
            let end = start.and_then(|s| s.checked_add(n_bytes));
            match (start, end) {
                (Some(_), Some(e)) if e <= file_len => {}
                _ => {
                    return Err(GgufError::DataOutOfBounds {
                        path: path.clone(),
                        tensor: t.name,
                        start: data_start.saturating_add(t.offset),
                        end: data_start.saturating_add(t.offset).saturating_add(n_bytes),
                        file_len,
                    })
                }
            }
            if by_name.insert(t.name.clone(), tensors.len()).is_some() {
                return Err(c.invalid(c.pos(), format!("tensor `{}` is listed twice", t.name)));
            }
            tensors.push(TensorInfo {
                name: t.name,
                dims: t.dims,
                ggml_type: t.ggml_type,
                offset: t.offset,
                n_bytes,
            });
        }
        Ok(GgufFile {
            path,
            bytes,
            version,
            metadata,
            tensors,
            by_name,
            alignment,
            data_start,
        })
    }

    /// The file this was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The GGUF version (2 or 3).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The metadata, in file order.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The tensor infos, in file order.
    pub fn tensors(&self) -> &[TensorInfo] {
        &self.tensors
    }

    /// The info of tensor `name`.
    pub fn tensor(&self, name: &str) -> Option<&TensorInfo> {
        self.by_name.get(name).map(|&i| &self.tensors[i])
    }

    /// The alignment of the data section (`general.alignment`, default 32).
    pub fn alignment(&self) -> u64 {
        self.alignment
    }

    /// Absolute offset of the data section.
    pub fn data_start(&self) -> u64 {
        self.data_start
    }

    /// The raw bytes of tensor `name` as stored.
    pub fn tensor_bytes(&self, name: &str) -> Result<&[u8], GgufError> {
        let info = self.tensor(name).ok_or_else(|| GgufError::MissingTensor {
            path: self.path.clone(),
            name: name.into(),
        })?;
        // In bounds: checked against the file length in `parse`.
        let start = (self.data_start + info.offset) as usize;
        Ok(&self.bytes.as_slice()[start..start + info.n_bytes as usize])
    }

    /// Tensor `name` dequantized to f32, row-major (`dims[0]` fastest), with
    /// `n_elements()` values.
    pub fn tensor_f32(&self, name: &str) -> Result<Vec<f32>, GgufError> {
        let bytes = self.tensor_bytes(name)?;
        let info = self.tensor(name).ok_or_else(|| GgufError::MissingTensor {
            path: self.path.clone(),
            name: name.into(),
        })?;
        dequantize(info.ggml_type, bytes).ok_or_else(|| GgufError::UnsupportedType {
            path: self.path.clone(),
            tensor: name.into(),
            type_name: info.ggml_type.name(),
        })
    }

    /// The value of metadata key `key`, or [`GgufError::MissingKey`].
    pub fn require(&self, key: &str) -> Result<&MetaValue, GgufError> {
        self.metadata.get(key).ok_or_else(|| GgufError::MissingKey {
            path: self.path.clone(),
            key: key.into(),
        })
    }

    /// A [`GgufError::WrongType`] for `key`, whose value `found` is not `expected`.
    pub fn wrong_type(&self, key: &str, expected: &'static str, found: &MetaValue) -> GgufError {
        GgufError::WrongType {
            path: self.path.clone(),
            key: key.into(),
            expected,
            found: found.type_name().into(),
        }
    }

    /// The value of optional key `key` converted by `get`: `None` when the key is absent, a
    /// [`GgufError::WrongType`] naming `expected` when `get` rejects the value.
    pub fn optional<T>(
        &self,
        key: &str,
        expected: &'static str,
        get: impl FnOnce(&MetaValue) -> Option<T>,
    ) -> Result<Option<T>, GgufError> {
        match self.metadata().get(key) {
            None => Ok(None),
            Some(v) => get(v)
                .map(Some)
                .ok_or_else(|| self.wrong_type(key, expected, v)),
        }
    }
}

/// Bytes of a tensor of `dims` and `ty`, checking that the row length is a whole number of
/// blocks and that nothing overflows.
fn byte_size(
    path: &Path,
    name: &str,
    dims: &[u64],
    ty: GgmlType,
    at: usize,
) -> Result<u64, GgufError> {
    let invalid = |detail: String| GgufError::Invalid {
        path: path.to_path_buf(),
        offset: at as u64,
        detail: format!("tensor `{name}`: {detail}"),
    };
    let n = dims
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| invalid(format!("dims {dims:?} overflow a 64-bit element count")))?;
    let row = dims.first().copied().unwrap_or(1);
    if row % ty.block_size() != 0 {
        return Err(invalid(format!(
            "row length {row} is not a multiple of the {ty} block size {}",
            ty.block_size()
        )));
    }
    (n / ty.block_size())
        .checked_mul(ty.type_size())
        .ok_or_else(|| invalid(format!("dims {dims:?} overflow a 64-bit byte count")))
}
