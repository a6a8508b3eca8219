//! Dequantization of ggml blocks to f32, value for value as ggml's `dequantize_row_*`
//! (ggml-quants.c) and gguf-py's `gguf.quants.dequantize` compute it.
//!
//! The block functions live in [`hir_quant::dequant`] (shared with the quantized kernels, which
//! are checked against them); each supported type has a block function `fn(&[u8], &mut [f32])` that turns one block of
//! `type_size` bytes into `block_size` values; [`dequantize`] splits a tensor into runs of
//! blocks and converts them in parallel (rayon). The arithmetic is done in f32 in the same
//! order as the reference (`d * q - m`, `(d * sc) * q`) and never fused, so results are
//! bit-identical to gguf-py's numpy code.

use super::dtype::GgmlType;
use hir_quant::dequant::{k_quants, legacy, BlockFn};
use rayon::prelude::*;

/// Blocks converted per parallel task.
const BLOCKS_PER_TASK: usize = 512;

/// The block converter of `ty`, or `None` if it is not supported.
fn block_fn(ty: GgmlType) -> Option<BlockFn> {
    Some(match ty {
        GgmlType::F32 => legacy::f32_block,
        GgmlType::F16 => legacy::f16_block,
        GgmlType::BF16 => legacy::bf16_block,
        GgmlType::Q4_0 => legacy::q4_0,
        GgmlType::Q4_1 => legacy::q4_1,
        GgmlType::Q5_0 => legacy::q5_0,
        GgmlType::Q5_1 => legacy::q5_1,
        GgmlType::Q8_0 => legacy::q8_0,
        GgmlType::Q2_K => k_quants::q2_k,
        GgmlType::Q3_K => k_quants::q3_k,
        GgmlType::Q4_K => k_quants::q4_k,
        GgmlType::Q5_K => k_quants::q5_k,
        GgmlType::Q6_K => k_quants::q6_k,
        GgmlType::Q8_K => k_quants::q8_k,
        _ => return None,
    })
}

/// Whether [`dequantize`] supports `ty`.
pub fn is_supported(ty: GgmlType) -> bool {
    block_fn(ty).is_some()
}

/// Dequantizes `bytes` (whole blocks of `ty`) to f32, or `None` when `ty` is not supported.
/// A trailing partial block (impossible for data checked by `GgufFile`) is ignored.
pub fn dequantize(ty: GgmlType, bytes: &[u8]) -> Option<Vec<f32>> {
    let f = block_fn(ty)?;
    let ts = ty.type_size() as usize;
    let bs = ty.block_size() as usize;
    let n_blocks = bytes.len() / ts;
    let mut out = vec![0f32; n_blocks * bs];
    out.par_chunks_mut(bs * BLOCKS_PER_TASK)
        .zip(bytes.par_chunks(ts * BLOCKS_PER_TASK))
        .for_each(|(o, b)| {
            for (ob, bb) in o.chunks_exact_mut(bs).zip(b.chunks_exact(ts)) {
                f(bb, ob);
            }
        });
    Some(out)
}
