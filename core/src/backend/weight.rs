//! Frozen weights kept in a storage format: `upload_weight` and what a stored weight may be
//! given to.
//!
//! Contract:
//! - [`Backend::upload_weight`](super::Backend::upload_weight) takes a [`QuantMatrix`]: a
//!   `[rows, cols]` matrix in a [`WeightFormat`] (GGUF blocks such as Q4_1 or Q8_0, f16 or
//!   bf16 rows, or plain f32), each row a run of whole blocks along `cols`. A backend may keep
//!   the bytes as they are; the default implementation dequantizes to f32 and uploads, so a
//!   backend that does nothing special computes exactly what it computes on f32 weights.
//! - A stored weight `W = [rows = d_out, cols = d_in]` serves as
//!   * `matmul`'s `b` (`C = alpha · A · Wᵀ + beta · C`, a linear layer `x · Wᵀ`; or without
//!     trans_b `C = alpha · A · W + beta · C`, the input gradient `dy · W` of a frozen linear
//!     in a LoRA run's backward pass), with the same alpha/beta rules as the f32 product and
//!     `A` not transposed. The result equals the product with the dequantized matrix up to
//!     summation order;
//!   * `embedding`'s `table` (rows gathered and dequantized);
//!   * `download` and `len`, which give the dequantized `[rows, cols]` view (`rows · cols`
//!     values).
//! - Every other op needs f32 tensors: given a stored weight it returns
//!   [`BackendError::StoredWeight`](super::BackendError::StoredWeight), naming the op and the
//!   storage format. Stored weights are frozen: there is no gradient or optimiser step for
//!   them (a full fine-tune holds its weights in f32; a LoRA run trains adapters beside a
//!   stored base).
//!
//! What the backends store: the CPU backend keeps every format but F32 as it is (GGUF blocks,
//! f16/bf16 rows); the wgpu backend keeps an F16 weight as f16 on an adapter with
//! `SHADER_F16` (its kernels read f16 and accumulate in f32) and dequantizes every other
//! format, or any format without `SHADER_F16`, to f32 (the default).

use alloc::vec;
use alloc::vec::Vec;

pub use hir_quant::{QuantError, QuantMatrix, WeightFormat};

use super::BackendError;

/// `w` dequantized to `rows · cols` f32 values, row-major (what the default
/// `upload_weight` uploads and what `download` of a stored weight returns).
pub fn dequantize(w: &QuantMatrix<'_>) -> Vec<f32> {
    let cols = w.cols();
    let mut out = vec![0f32; w.rows() * cols];
    if cols > 0 {
        for (r, row) in out.chunks_exact_mut(cols).enumerate() {
            w.dequantize_row(r, row);
        }
    }
    out
}

/// The error of an op that needs an f32 tensor but was given a weight stored as `format`.
pub fn stored_weight_error(op: &'static str, format: WeightFormat) -> BackendError {
    BackendError::StoredWeight { op, format }
}
