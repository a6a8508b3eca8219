//! `C = alpha · A · Wᵀ + beta · C` with `W` a stored weight (GGUF blocks, f16/bf16 rows;
//! contract in [`hir_core::backend::weight`]).
//!
//! Two paths, chosen by the number of activation rows `m` alone (never by the thread count):
//! * `m ≤ DIRECT_MAX_ROWS` (decoding, batched decoding, short prompts): [`hir_quant::matmul_xwt`] reads the
//!   blocks directly. The weight's rows are split into fixed runs of about `TASK_BYTES` bytes
//!   (a function of the shape only), one rayon task each; every output element is one dot
//!   product computed by one call, so the bits do not depend on the split or the threads.
//!   This is what makes decoding read ~4.5 bits per weight instead of 32.
//! * larger `m` (prompt prefill): the weight is dequantized to f32 in tiles of rows and each
//!   tile goes through the f32 GEMM ([`crate::matmul`]): at that size the product is
//!   compute-bound, and the GEMM's register blocking beats a dot product per output.
//!
//! The instruction set of the direct path is detected once ([`Isa::detect`]).
//!
//! Without `trans_b` (`C = alpha · A · W + beta · C`, a linear layer's input gradient
//! `dy · W` in a LoRA run's backward pass, whose base is frozen in its storage format) the
//! weight's rows run along the contraction: tiles of rows are dequantized and each goes
//! through the f32 GEMM with the matching columns of `A` ([`dequantized_k_tiles`]). A weight
//! that fits one tile gives exactly the f32 product.

use std::sync::OnceLock;

use hir_core::backend::weight::stored_weight_error;
use hir_core::backend::{Matmul, QuantMatrix, Result};
use hir_quant::{matmul_xwt, Isa};
use rayon::prelude::*;

use crate::memory::zeroed;

/// Largest `m` computed straight from the blocks; above it the weight is dequantized into the
/// f32 GEMM. Measured with hir-quant's AVX-512 kernels on SmolLM2-135M Q4_1, 2 threads
/// (`hir bench prompt --seq m --dtype auto`, this threshold at 8 vs 64 in one interleaved run,
/// shared machine): at m = 16 the direct path gave 108–143 tokens/s against 43 for the
/// dequantized tiles, at m = 32 137–160 against 63–94, at m = 64 93–99 against 90–110 (even).
pub(crate) const DIRECT_MAX_ROWS: usize = 48;

/// Weight bytes per rayon task of the direct path: enough rows that a task's work (tens of
/// microseconds) dwarfs the hand-off, few enough that a `[576, 576]` Q4_1 projection still
/// splits into several tasks.
const TASK_BYTES: usize = 32 << 10;

/// f32 values per dequantized tile of the prefill path (16 MiB): bounds the scratch memory of
/// a large head (`[49152, 576]` would be 113 MB at once).
const TILE_VALUES: usize = 4 << 20;

/// The instruction set of the direct kernels, detected on first use.
fn isa() -> Isa {
    static ISA: OnceLock<Isa> = OnceLock::new();
    *ISA.get_or_init(Isa::detect)
}

/// See the module docs. `a` is `[m, k]` f32 (`trans_a` is refused), `w` is `[n, k]`
/// (`trans_b` required), `c` is `[m, n]`.
pub(crate) fn matmul_stored(
    a: &[f32],
    w: &QuantMatrix<'_>,
    c: &mut [f32],
    mm: Matmul,
) -> Result<()> {
    if mm.trans_a {
        return Err(stored_weight_error("matmul with trans_a", w.format()));
    }
    mm.check(a.len(), w.rows() * w.cols(), c.len())?;
    if !mm.trans_b {
        return dequantized_k_tiles(a, w, c, mm);
    }
    let Matmul { m, k, n, .. } = mm;
    if k != w.cols() {
        return Err(hir_core::backend::BackendError::Shape {
            op: "matmul",
            detail: format!(
                "a stored b [n, k] must have k = {k} columns per row, it has {}",
                w.cols()
            ),
        });
    }
    if m == 0 || n == 0 {
        return Ok(());
    }
    if m <= DIRECT_MAX_ROWS {
        direct(a, w, c, mm);
        Ok(())
    } else {
        dequantized_tiles(a, w, c, mm)
    }
}

/// `c = alpha · prod + beta · c` for one `[m, cols]` block of products landing at column
/// `col0` of the `[m, n]` matrix `c`; `beta = 0` ignores the old `c` (NaN included).
fn combine(prod: &[f32], c: &mut [f32], n: usize, col0: usize, mm: &Matmul) {
    let cols = prod.len() / mm.m;
    for (r, p) in prod.chunks_exact(cols).enumerate() {
        let dst = &mut c[r * n + col0..r * n + col0 + cols];
        if mm.beta == 0.0 {
            if mm.alpha == 1.0 {
                dst.copy_from_slice(p);
            } else {
                for (d, &x) in dst.iter_mut().zip(p) {
                    *d = mm.alpha * x;
                }
            }
        } else {
            for (d, &x) in dst.iter_mut().zip(p) {
                *d = mm.alpha * x + mm.beta * *d;
            }
        }
    }
}

/// The direct path: weight rows split into fixed runs, one `matmul_xwt` call per run.
fn direct(a: &[f32], w: &QuantMatrix<'_>, c: &mut [f32], mm: Matmul) {
    let (m, n) = (mm.m, mm.n);
    let per_task = (TASK_BYTES / w.row_bytes().max(1)).clamp(1, n);
    let isa = isa();
    if m == 1 && mm.beta == 0.0 && mm.alpha == 1.0 {
        // One activation row: each task's output is a contiguous run of `c`.
        c.par_chunks_mut(per_task).enumerate().for_each(|(t, out)| {
            let j0 = t * per_task;
            matmul_xwt(isa, a, 1, w, j0..j0 + out.len(), out);
        });
        return;
    }
    // Several rows (or alpha/beta to apply): each task fills a `[m, run]` block of its own,
    // then the blocks are combined into `c`.
    let mut prod = zeroed(m * n);
    prod.par_chunks_mut(m * per_task)
        .enumerate()
        .for_each(|(t, out)| {
            let j0 = t * per_task;
            matmul_xwt(isa, a, m, w, j0..j0 + out.len() / m, out);
        });
    for (t, block) in prod.chunks(m * per_task).enumerate() {
        combine(block, c, n, t * per_task, &mm);
    }
    crate::memory::recycle(prod);
}

/// The prefill path: tiles of weight rows dequantized (in parallel, row by row) and multiplied
/// with the f32 GEMM.
fn dequantized_tiles(a: &[f32], w: &QuantMatrix<'_>, c: &mut [f32], mm: Matmul) -> Result<()> {
    let (m, k, n) = (mm.m, mm.k, mm.n);
    let tile_rows = (TILE_VALUES / k.max(1)).clamp(1, n);
    let mut wf = zeroed(tile_rows.min(n) * k);
    // Only needed when there is more than one tile.
    let mut prod = if tile_rows < n {
        zeroed(m * tile_rows)
    } else {
        Vec::new()
    };
    let mut result = Ok(());
    for j0 in (0..n).step_by(tile_rows) {
        let rows = tile_rows.min(n - j0);
        let wt = &mut wf[..rows * k];
        wt.par_chunks_mut(k)
            .enumerate()
            .for_each(|(r, row)| w.dequantize_row(j0 + r, row));
        if rows == n {
            // One tile: the GEMM writes `c` itself with the caller's alpha and beta.
            result = crate::matmul::matmul(a, wt, c, mm);
            break;
        }
        let p = &mut prod[..m * rows];
        result = crate::matmul::matmul(a, wt, p, Matmul::new(m, k, rows).transpose_b());
        if result.is_err() {
            break;
        }
        combine(p, c, n, j0, &mm);
    }
    crate::memory::recycle(wf);
    crate::memory::recycle(prod);
    result
}

/// `C = alpha · A · W + beta · C` with the stored `W: [k, n]` (rows along the contraction):
/// tiles of `W`'s rows dequantized in parallel, each multiplied by the matching columns of
/// `A` (copied out contiguously when there is more than one tile) and accumulated into `C`.
fn dequantized_k_tiles(a: &[f32], w: &QuantMatrix<'_>, c: &mut [f32], mm: Matmul) -> Result<()> {
    let (m, k, n) = (mm.m, mm.k, mm.n);
    if w.rows() != k || w.cols() != n {
        return Err(hir_core::backend::BackendError::Shape {
            op: "matmul",
            detail: format!(
                "a stored b [k, n] without trans_b must be [{k}, {n}], it is [{}, {}]",
                w.rows(),
                w.cols()
            ),
        });
    }
    if m == 0 || n == 0 {
        return Ok(());
    }
    let tile_rows = (TILE_VALUES / n.max(1)).clamp(1, k.max(1));
    if k == 0 || tile_rows >= k {
        // One tile: exactly the f32 product with the dequantized weight.
        let mut wf = zeroed(k * n);
        wf.par_chunks_mut(n.max(1))
            .enumerate()
            .for_each(|(r, row)| w.dequantize_row(r, row));
        let result = crate::matmul::matmul(a, &wf, c, mm);
        crate::memory::recycle(wf);
        return result;
    }
    let mut wf = zeroed(tile_rows * n);
    let mut a_cols = zeroed(m * tile_rows);
    let mut result = Ok(());
    for k0 in (0..k).step_by(tile_rows) {
        let rows = tile_rows.min(k - k0);
        let wt = &mut wf[..rows * n];
        wt.par_chunks_mut(n)
            .enumerate()
            .for_each(|(r, row)| w.dequantize_row(k0 + r, row));
        let at = &mut a_cols[..m * rows];
        for (dst, src) in at.chunks_exact_mut(rows).zip(a.chunks_exact(k)) {
            dst.copy_from_slice(&src[k0..k0 + rows]);
        }
        // The first tile applies the caller's beta; the others add on top.
        let beta = if k0 == 0 { mm.beta } else { 1.0 };
        let part = Matmul::new(m, rows, n).alpha(mm.alpha).beta(beta);
        result = crate::matmul::matmul(at, wt, c, part);
        if result.is_err() {
            break;
        }
    }
    crate::memory::recycle(wf);
    crate::memory::recycle(a_cols);
    result
}
