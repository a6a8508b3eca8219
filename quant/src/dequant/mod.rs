//! Dequantization of ggml blocks to f32, value for value as ggml's `dequantize_row_*`
//! (ggml-quants.c) and gguf-py's `gguf.quants.dequantize` compute it.
//!
//! Each type has a block function `fn(&[u8], &mut [f32])` that turns one block of
//! `block_bytes` bytes into `block_elems` values. The arithmetic is done in f32 in the same
//! order as the reference (`d * q - m`, `(d * sc) * q`) and never fused, so results are
//! bit-identical to gguf-py's numpy code. Besides the [`WeightFormat`]s, the block functions
//! cover the types a GGUF reader only dequantizes (Q5_0, Q5_1, Q2_K, Q3_K, Q8_K).

pub mod k_quants;
pub mod legacy;

use crate::WeightFormat;

/// Converts one block to f32.
pub type BlockFn = fn(&[u8], &mut [f32]);

/// The block converter of `format`.
pub fn block_fn(format: WeightFormat) -> BlockFn {
    match format {
        WeightFormat::F32 => legacy::f32_block,
        WeightFormat::F16 => legacy::f16_block,
        WeightFormat::BF16 => legacy::bf16_block,
        WeightFormat::Q8_0 => legacy::q8_0,
        WeightFormat::Q4_0 => legacy::q4_0,
        WeightFormat::Q4_1 => legacy::q4_1,
        WeightFormat::Q4_K => k_quants::q4_k,
        WeightFormat::Q5_K => k_quants::q5_k,
        WeightFormat::Q6_K => k_quants::q6_k,
    }
}

/// Dequantizes whole blocks of `format` from `bytes` into `out`, which holds exactly
/// `bytes.len() / block_bytes · block_elems` values.
///
/// # Panics
/// When `bytes` is not a whole number of blocks or `out` has the wrong length.
pub fn dequantize_row(format: WeightFormat, bytes: &[u8], out: &mut [f32]) {
    let (bs, ts) = (format.block_elems(), format.block_bytes());
    assert!(
        bytes.len().is_multiple_of(ts) && out.len() == bytes.len() / ts * bs,
        "dequantize_row: {} bytes of {format} do not make {} values",
        bytes.len(),
        out.len()
    );
    let f = block_fn(format);
    if format.block_elems() == 1 {
        // Plain formats: convert value by value without the per-block call overhead.
        for (o, b) in out.iter_mut().zip(bytes.chunks_exact(ts)) {
            f(b, core::slice::from_mut(o));
        }
        return;
    }
    for (o, b) in out.chunks_exact_mut(bs).zip(bytes.chunks_exact(ts)) {
        f(b, o);
    }
}

/// An f16 stored little-endian at `b[i..i + 2]`, as f32.
#[inline]
pub(crate) fn f16_at(b: &[u8], i: usize) -> f32 {
    half::f16::from_le_bytes([b[i], b[i + 1]]).to_f32()
}
