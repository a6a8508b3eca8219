//! `y = x · Wᵀ` straight from the weight's blocks.

use crate::{Isa, QuantMatrix};
use alloc::vec;

/// `out[r, j - rows.start] = Σ_c x[r, c] · W[j, c]` for every activation row `r < m` and every
/// weight row `j` in `rows`: `x` is `[m, W.cols]` row-major f32, `out` is
/// `[m, rows.len()]` row-major (overwritten).
///
/// The kernel for `isa` must be supported by this CPU ([`Isa::is_supported`]); callers pick
/// it with [`Isa::detect`] once. Results equal the product with the dequantized matrix up to
/// summation order. Callers split `rows` between threads.
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
    // Portable reference path: dequantize one weight row, dot it with every activation row.
    let mut wrow = vec![0f32; k];
    for (jj, j) in rows.enumerate() {
        w.dequantize_row(j, &mut wrow);
        for r in 0..m {
            let xr = &x[r * k..(r + 1) * k];
            let mut acc = 0f32;
            for (a, b) in xr.iter().zip(&wrow) {
                acc += a * b;
            }
            out[r * n + jj] = acc;
        }
    }
}
