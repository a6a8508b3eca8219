//! `y = x · Wᵀ` straight from the weight's blocks.

use crate::{Isa, QuantMatrix};

/// `out[r, j - rows.start] = Σ_c x[r, c] · W[j, c]` for every activation row `r < m` and every
/// weight row `j` in `rows`: `x` is `[m, W.cols]` row-major f32, `out` is
/// `[m, rows.len()]` row-major (overwritten).
///
/// The kernel for `isa` must be supported by this CPU ([`Isa::is_supported`]); callers pick
/// it with [`Isa::detect`] once. Results equal the product with the dequantized matrix up to
/// summation order. Callers split `rows` between threads: each output's sum is computed the
/// same way whatever the split, `m` or the position of the row in `rows` (same bits), and
/// nothing is allocated. See [`crate::kernels`] for the design and the measured speed.
///
/// # Panics
/// When the lengths do not match the shapes, `rows` is out of range or `isa` is not
/// supported.
pub fn matmul_xwt(
    isa: Isa,
    x: &[f32],
    m: usize,
    w: &QuantMatrix<'_>,
    rows: core::ops::Range<usize>,
    out: &mut [f32],
) {
    let k = w.cols();
    assert!(x.len() == m * k, "matmul_xwt: x is not [{m}, {k}]");
    assert!(
        rows.end <= w.rows() && rows.start <= rows.end,
        "matmul_xwt: rows out of range"
    );
    let n = rows.len();
    assert!(out.len() == m * n, "matmul_xwt: out is not [{m}, {n}]");
    assert!(
        isa.is_supported(),
        "matmul_xwt: {} is not supported here",
        isa.name()
    );
    crate::kernels::matmul(isa, x, m, w, rows, out);
}

/// Rows `rows` of `w` dequantized into `out` (`[rows.len(), W.cols]` row-major, overwritten)
/// with the kernels of `isa`: the same values as [`crate::dequant`] (bit for bit, except
/// that Q4_1, Q4_K and Q5_K compute `d · q + m` fused where the instruction set has FMA).
/// For callers that convert tiles of a large product to f32 and use a GEMM.
///
/// # Panics
/// When `out` has the wrong length, `rows` is out of range or `isa` is not supported.
pub fn dequantize_rows(
    isa: Isa,
    w: &QuantMatrix<'_>,
    rows: core::ops::Range<usize>,
    out: &mut [f32],
) {
    assert!(
        rows.end <= w.rows() && rows.start <= rows.end,
        "dequantize_rows: rows out of range"
    );
    assert!(
        out.len() == rows.len() * w.cols(),
        "dequantize_rows: out is not [{}, {}]",
        rows.len(),
        w.cols()
    );
    assert!(
        isa.is_supported(),
        "dequantize_rows: {} is not supported here",
        isa.name()
    );
    crate::kernels::dequant_rows(isa, w, rows, out);
}
