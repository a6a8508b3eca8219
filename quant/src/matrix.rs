//! [`QuantMatrix`]: a borrowed, validated `[rows, cols]` matrix of blocks.

use crate::WeightFormat;
use core::fmt;

/// Why bytes do not form a [`QuantMatrix`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuantError {
    /// `cols` is not a multiple of the format's block size.
    PartialBlock {
        /// The format.
        format: WeightFormat,
        /// The row length asked for.
        cols: usize,
    },
    /// The byte count is not `rows · row_bytes`.
    Length {
        /// The format.
        format: WeightFormat,
        /// Rows asked for.
        rows: usize,
        /// Columns asked for.
        cols: usize,
        /// Bytes expected (`None`: the size overflows).
        expected: Option<usize>,
        /// Bytes given.
        got: usize,
    },
}

impl fmt::Display for QuantError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PartialBlock { format, cols } => write!(
                f,
                "a {format} row holds whole blocks of {} values, but a row of {cols} values was asked for",
                format.block_elems()
            ),
            Self::Length {
                format,
                rows,
                cols,
                expected: Some(e),
                got,
            } => write!(
                f,
                "a [{rows}, {cols}] {format} matrix is {e} bytes, got {got}"
            ),
            Self::Length {
                format,
                rows,
                cols,
                expected: None,
                got,
            } => write!(
                f,
                "a [{rows}, {cols}] {format} matrix is too large to address (got {got} bytes)"
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for QuantError {}

/// A `[rows, cols]` weight matrix in `format`, borrowed: row `r` is the `row_bytes` bytes at
/// `r · row_bytes`, each a run of whole blocks along `cols` (GGUF's layout, `cols = ne[0]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuantMatrix<'a> {
    format: WeightFormat,
    rows: usize,
    cols: usize,
    row_bytes: usize,
    bytes: &'a [u8],
}

impl<'a> QuantMatrix<'a> {
    /// Checks that `bytes` holds exactly `rows` rows of `cols` values in `format`.
    pub fn new(
        format: WeightFormat,
        rows: usize,
        cols: usize,
        bytes: &'a [u8],
    ) -> Result<Self, QuantError> {
        let row_bytes = format
            .row_bytes(cols)
            .ok_or(QuantError::PartialBlock { format, cols })?;
        let expected = row_bytes.checked_mul(rows);
        if expected != Some(bytes.len()) {
            return Err(QuantError::Length {
                format,
                rows,
                cols,
                expected,
                got: bytes.len(),
            });
        }
        Ok(Self {
            format,
            rows,
            cols,
            row_bytes,
            bytes,
        })
    }

    /// The storage format.
    pub fn format(&self) -> WeightFormat {
        self.format
    }

    /// Rows (output features of a linear layer).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Values per row (input features).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Bytes per row.
    pub fn row_bytes(&self) -> usize {
        self.row_bytes
    }

    /// All bytes, row after row.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The bytes of row `r` (`r < rows`).
    pub fn row(&self, r: usize) -> &'a [u8] {
        &self.bytes[r * self.row_bytes..(r + 1) * self.row_bytes]
    }

    /// Row `r` dequantized into `out` (`out.len() == cols`).
    pub fn dequantize_row(&self, r: usize, out: &mut [f32]) {
        crate::dequant::dequantize_row(self.format, self.row(r), out);
    }
}
