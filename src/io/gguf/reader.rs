//! Parsing the GGUF header: a bounds-checked little-endian cursor over the mapped bytes, the
//! metadata values and the tensor infos.
//!
//! Every read checks the remaining length first, and every count or length read from the file
//! is compared with the bytes left before anything is allocated, so a truncated or corrupt
//! file gives a [`GgufError`] and never a panic or a huge allocation.

use super::dtype::GgmlType;
use super::error::GgufError;
use super::value::MetaValue;
use std::path::Path;

/// Arrays nested deeper than this are refused (real files nest at most one level; the cap
/// keeps a crafted file from exhausting the stack).
const MAX_ARRAY_DEPTH: usize = 8;
/// ggml tensors have at most 4 dimensions (`GGML_MAX_DIMS`).
pub const MAX_DIMS: u32 = 4;
/// Most metadata array elements a file may hold in total: 2^23. An element takes one byte in
/// the file but a [`MetaValue`] (32 bytes) in memory, so without a cap a file of N bytes could
/// cost 32·N; with it, arrays cost at most 256 MiB. Real files hold well under 2M (a 260k
/// vocabulary's tokens, scores and types plus its merges).
pub const MAX_META_ELEMENTS: usize = 1 << 23;

/// A little-endian cursor over the file bytes that turns every overrun into
/// [`GgufError::Truncated`].
pub struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    path: &'a Path,
    /// Metadata array elements still allowed ([`MAX_META_ELEMENTS`] in all).
    elements_left: usize,
}

/// One tensor info as stored: name, dims (GGUF order), type, offset in the data section.
pub struct RawTensorInfo {
    /// Tensor name.
    pub name: String,
    /// Dimensions, `ne0` first.
    pub dims: Vec<u64>,
    /// ggml type.
    pub ggml_type: GgmlType,
    /// Offset relative to the start of the data section.
    pub offset: u64,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `bytes`; `path` names the file in errors.
    pub fn new(bytes: &'a [u8], path: &'a Path) -> Self {
        Cursor {
            bytes,
            pos: 0,
            path,
            elements_left: MAX_META_ELEMENTS,
        }
    }

    /// Current offset.
    pub fn pos(&self) -> usize {
        self.pos
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// An [`GgufError::Invalid`] at `offset`.
    pub fn invalid(&self, offset: usize, detail: String) -> GgufError {
        GgufError::Invalid {
            path: self.path.to_path_buf(),
            offset: offset as u64,
            detail,
        }
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize, what: &dyn Fn() -> String) -> Result<&'a [u8], GgufError> {
        if n > self.remaining() {
            return Err(GgufError::Truncated {
                path: self.path.to_path_buf(),
                offset: self.pos as u64,
                what: what(),
                file_len: self.bytes.len() as u64,
            });
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, what: &dyn Fn() -> String) -> Result<[u8; N], GgufError> {
        let s = self.take(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    /// A little-endian `u32`.
    pub fn u32(&mut self, what: &dyn Fn() -> String) -> Result<u32, GgufError> {
        self.array(what).map(u32::from_le_bytes)
    }

    /// A little-endian `u64`.
    pub fn u64(&mut self, what: &dyn Fn() -> String) -> Result<u64, GgufError> {
        self.array(what).map(u64::from_le_bytes)
    }

    /// A count that must fit in the remaining bytes at `min_size` bytes per item.
    fn count(&mut self, min_size: usize, what: &dyn Fn() -> String) -> Result<usize, GgufError> {
        let at = self.pos;
        let n = self.u64(what)?;
        let fits = usize::try_from(n)
            .ok()
            .filter(|&n| n.saturating_mul(min_size.max(1)) <= self.remaining());
        fits.ok_or_else(|| {
            self.invalid(
                at,
                format!(
                    "{}: count {n} cannot fit in the {} bytes left in the file",
                    what(),
                    self.remaining()
                ),
            )
        })
    }

    /// A GGUF string: u64 length + UTF-8 bytes.
    pub fn string(&mut self, what: &dyn Fn() -> String) -> Result<String, GgufError> {
        let len = self.count(1, &|| format!("the length of {}", what()))?;
        let at = self.pos;
        let bytes = self.take(len, what)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|e| self.invalid(at, format!("{} is not valid UTF-8 ({e})", what())))
    }

    /// A metadata value of GGUF value type `ty`.
    pub fn value(
        &mut self,
        ty: u32,
        depth: usize,
        what: &dyn Fn() -> String,
    ) -> Result<MetaValue, GgufError> {
        let at = self.pos;
        Ok(match ty {
            0 => MetaValue::U8(self.array::<1>(what)?[0]),
            1 => MetaValue::I8(i8::from_le_bytes(self.array(what)?)),
            2 => MetaValue::U16(u16::from_le_bytes(self.array(what)?)),
            3 => MetaValue::I16(i16::from_le_bytes(self.array(what)?)),
            4 => MetaValue::U32(u32::from_le_bytes(self.array(what)?)),
            5 => MetaValue::I32(i32::from_le_bytes(self.array(what)?)),
            6 => MetaValue::F32(f32::from_le_bytes(self.array(what)?)),
            7 => match self.array::<1>(what)?[0] {
                0 => MetaValue::Bool(false),
                1 => MetaValue::Bool(true),
                b => {
                    return Err(self.invalid(at, format!("{}: bool byte {b} is not 0 or 1", what())))
                }
            },
            8 => MetaValue::Str(self.string(what)?),
            9 => {
                if depth >= MAX_ARRAY_DEPTH {
                    return Err(self.invalid(
                        at,
                        format!("{}: arrays nested deeper than {MAX_ARRAY_DEPTH}", what()),
                    ));
                }
                let elem = self.u32(&|| format!("the element type of {}", what()))?;
                let min_size = match elem {
                    0 | 1 | 7 => 1,
                    2 | 3 => 2,
                    4..=6 => 4,
                    8 | 10..=12 => 8,
                    9 => 12,
                    t => {
                        return Err(self.invalid(
                            at,
                            format!(
                                "{}: unknown array element type {t} (expected 0..=12)",
                                what()
                            ),
                        ))
                    }
                };
                let n = self.count(min_size, &|| format!("the element count of {}", what()))?;
                if n > self.elements_left {
                    return Err(self.invalid(
                        at,
                        format!(
                            "{}: {n} array elements would take the metadata past \
                             {MAX_META_ELEMENTS} array elements in all, far more than any \
                             model file holds",
                            what()
                        ),
                    ));
                }
                self.elements_left -= n;
                let mut items = Vec::with_capacity(n);
                for i in 0..n {
                    items.push(self.value(elem, depth + 1, &|| format!("{}[{i}]", what()))?);
                }
                MetaValue::Array(items)
            }
            10 => MetaValue::U64(u64::from_le_bytes(self.array(what)?)),
            11 => MetaValue::I64(i64::from_le_bytes(self.array(what)?)),
            12 => MetaValue::F64(f64::from_le_bytes(self.array(what)?)),
            t => {
                return Err(self.invalid(
                    at,
                    format!("{}: unknown value type {t} (expected 0..=12)", what()),
                ))
            }
        })
    }

    /// One metadata pair: key string, value type, value.
    pub fn key_value(&mut self, index: usize) -> Result<(String, MetaValue), GgufError> {
        let key = self.string(&|| format!("the key of metadata entry {index}"))?;
        let ty = self.u32(&|| format!("the value type of metadata key `{key}`"))?;
        let value = self.value(ty, 0, &|| format!("the value of metadata key `{key}`"))?;
        Ok((key, value))
    }

    /// A count of entries (tensors or metadata pairs) of at least `min_size` bytes each.
    pub fn entry_count(
        &mut self,
        min_size: usize,
        what: &dyn Fn() -> String,
    ) -> Result<usize, GgufError> {
        self.count(min_size, what)
    }

    /// One tensor info: name, n_dims, dims, type, offset.
    pub fn tensor_info(&mut self, index: usize) -> Result<RawTensorInfo, GgufError> {
        let name = self.string(&|| format!("the name of tensor {index}"))?;
        let at = self.pos;
        let n_dims = self.u32(&|| format!("the dimension count of tensor `{name}`"))?;
        if n_dims > MAX_DIMS {
            return Err(self.invalid(
                at,
                format!("tensor `{name}` has {n_dims} dimensions (ggml allows at most {MAX_DIMS})"),
            ));
        }
        let mut dims = Vec::with_capacity(n_dims as usize);
        for d in 0..n_dims {
            dims.push(self.u64(&|| format!("dimension {d} of tensor `{name}`"))?);
        }
        let type_id = self.u32(&|| format!("the ggml type of tensor `{name}`"))?;
        let ggml_type = GgmlType::from_id(type_id).ok_or_else(|| GgufError::UnknownType {
            path: self.path.to_path_buf(),
            tensor: name.clone(),
            type_id,
        })?;
        let offset = self.u64(&|| format!("the data offset of tensor `{name}`"))?;
        Ok(RawTensorInfo {
            name,
            dims,
            ggml_type,
            offset,
        })
    }
}
