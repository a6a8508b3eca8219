//! # hir-quant
//!
//! Frozen weight matrices kept in the blocks a GGUF file stores them in (or as f16 / bf16
//! rows), and the matrix products that read those blocks directly instead of a dequantized
//! f32 copy: a decoding step reads ~4.5 bits per weight instead of 32.
//!
//! Design:
//! * [`WeightFormat`] names a storage format and its block layout (values per block, bytes per
//!   block) exactly as ggml's `type_traits`; [`QuantMatrix`] is a validated, borrowed
//!   `[rows, cols]` matrix in one format, each row a run of whole blocks (GGUF's layout: `cols`
//!   is `ne[0]`, the fastest dimension).
//! * [`dequant`] turns blocks into f32 value for value as ggml's `dequantize_row_*` does; it is
//!   the reference every kernel is checked against, and also what a GGUF reader uses for the
//!   types this crate only dequantizes (Q5_0, Q2_K, ...).
//! * [`matmul_xwt`] computes `y = x · Wᵀ` for a few rows of f32 activations `x` and a range of
//!   the weight's rows, with the instruction set picked by [`Isa`]: AVX-512 or AVX2 on
//!   x86-64, NEON on aarch64, and a portable fallback that runs everywhere (and can be forced,
//!   for tests and for comparing). Activations stay f32, so results equal the product with
//!   the dequantized matrix up to summation order. Each output's sum is computed the same way
//!   whatever the row split between threads or the number of activation rows (same bits).
//! * [`dequantize_rows`] converts a range of rows to f32 with the same SIMD decoders, for
//!   products with many activation rows (prompt processing) that a GEMM does better.
//! * [`kernels`] documents how the kernels are built and what they measured.
//!
//! `no_std` + `alloc`; the `std` feature adds run-time CPU feature detection.
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod dequant;
mod format;
mod isa;
pub mod kernels;
mod matmul;
mod matrix;

pub use format::WeightFormat;
pub use isa::Isa;
pub use matmul::{dequantize_rows, matmul_xwt};
pub use matrix::{QuantError, QuantMatrix};
