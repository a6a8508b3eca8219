//! The storage formats of a frozen weight matrix and their block layouts.

use core::fmt;

/// How a frozen weight matrix is stored: plain f32, half-precision rows, or one of ggml's
/// block quantizations (layouts as `type_traits` in ggml.c).
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WeightFormat {
    /// 4 bytes per value.
    F32,
    /// IEEE half precision, 2 bytes per value.
    F16,
    /// bfloat16 (the upper half of an f32), 2 bytes per value.
    BF16,
    /// `{ f16 d; i8 qs[32]; }`: 32 values in 34 bytes.
    Q8_0,
    /// `{ f16 d; u8 qs[16]; }`: 32 values in 18 bytes.
    Q4_0,
    /// `{ f16 d; f16 m; u8 qs[16]; }`: 32 values in 20 bytes.
    Q4_1,
    /// 256-value super-blocks of 4-bit values with 6-bit sub-block scales and mins, 144 bytes.
    Q4_K,
    /// 256-value super-blocks of 5-bit values with 6-bit sub-block scales and mins, 176 bytes.
    Q5_K,
    /// 256-value super-blocks of 6-bit values with 8-bit sub-block scales, 210 bytes.
    Q6_K,
}

impl WeightFormat {
    /// Every format, in declaration order.
    pub const ALL: [WeightFormat; 9] = [
        Self::F32,
        Self::F16,
        Self::BF16,
        Self::Q8_0,
        Self::Q4_0,
        Self::Q4_1,
        Self::Q4_K,
        Self::Q5_K,
        Self::Q6_K,
    ];

    /// Values per block (1 for the plain formats).
    pub const fn block_elems(self) -> usize {
        match self {
            Self::F32 | Self::F16 | Self::BF16 => 1,
            Self::Q8_0 | Self::Q4_0 | Self::Q4_1 => 32,
            Self::Q4_K | Self::Q5_K | Self::Q6_K => 256,
        }
    }

    /// Bytes per block.
    pub const fn block_bytes(self) -> usize {
        match self {
            Self::F32 => 4,
            Self::F16 | Self::BF16 => 2,
            Self::Q8_0 => 34,
            Self::Q4_0 => 18,
            Self::Q4_1 => 20,
            Self::Q4_K => 144,
            Self::Q5_K => 176,
            Self::Q6_K => 210,
        }
    }

    /// ggml's name of the format (`"Q4_K"`, `"F16"`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Self::F32 => "F32",
            Self::F16 => "F16",
            Self::BF16 => "BF16",
            Self::Q8_0 => "Q8_0",
            Self::Q4_0 => "Q4_0",
            Self::Q4_1 => "Q4_1",
            Self::Q4_K => "Q4_K",
            Self::Q5_K => "Q5_K",
            Self::Q6_K => "Q6_K",
        }
    }

    /// The format named `name` (ggml's spelling, any case), if this crate stores it.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// Bytes of one row of `cols` values, or `None` when `cols` is not a whole number of
    /// blocks (or the size overflows).
    pub fn row_bytes(self, cols: usize) -> Option<usize> {
        if !cols.is_multiple_of(self.block_elems()) {
            return None;
        }
        (cols / self.block_elems()).checked_mul(self.block_bytes())
    }
}

impl fmt::Display for WeightFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
