//! `C = alpha * op(A) · op(B) + beta * C` through the `gemm` crate (contract in
//! [`hir_core::backend::matmul`]).
//!
//! The transposes are expressed as strides, so no operand is ever copied. The `gemm` crate
//! computes `dst = α·dst + β·lhs·rhs` (note: its α and β are swapped with respect to BLAS);
//! with `read_dst = false` it never reads `dst`, which gives the "beta = 0 ignores NaN in C"
//! guarantee of the contract.
//!
//! Threads: `matmul` cuts `C` into at most 4 blocks along its longer side, by a rule that looks
//! at the shape only ([`Split`]), and runs one single-threaded `gemm` call per block on rayon's
//! pool. The crate's reduction order over `k` depends only on the block's shape (cache
//! blocking), so results are bit-identical across thread counts (`tests/matmul_props.rs` checks
//! 1, 2 and 3 threads on odd and model-sized shapes).
//!
//! The crate is built with its `x86-v4` feature (Cargo.toml): without it, it only has AVX2/FMA
//! microkernels (`perf` on a 2048³ product showed 93% of the time in `fma::f32::x2x6`, a
//! 16 × 6 AVX2 tile), i.e. half the FLOPs per instruction an AVX-512 machine offers. With it,
//! the crate detects AVX-512F at run time (falling back to AVX2/FMA, then scalar code, on CPUs
//! without it) and uses its AVX-512 microkernels. On 2 vCPUs of a Sapphire Rapids Xeon, 2
//! threads, interleaved with PyTorch's sgemm on `benches/gemm_cases.txt`
//! (`benches/sgemm_compare.sh`): see the commit that turned it on for the table; 2048³ went
//! from ≈ 0.5× PyTorch to ≈ 1.0×. AVX-512 changes the bits of results with respect to the
//! AVX2 path (a different summation order inside the kernel), so results are reproducible per
//! machine kind, as before.

use gemm::Parallelism;
use hir_core::backend::{Matmul, Result};
use rayon::prelude::*;

/// Multiply-adds a block of `C` must have to be worth its own task: a product is cut into at
/// most `work / FLOPS_PER_BLOCK` blocks (and at most [`MAX_BLOCKS`]).
const FLOPS_PER_BLOCK: usize = 1 << 21;

/// The most blocks one product is cut into (a power of two, so that 2 and 4 threads get equal
/// shares). Fewer, larger blocks pack less twice: with 8 blocks of ≥ 64 rows a 1024×256×256
/// `A·Bᵀ` ran at 130 GFLOP/s on one thread against 165 uncut; 4 blocks of ≥ 128 were as fast
/// as 8 on 2 threads within the (large) noise of the shared machine.
const MAX_BLOCKS: usize = 4;

/// The fewest rows (or columns) of `C` a block has.
const MIN_BLOCK_DIM: usize = 128;

/// How a product is cut into independent blocks of `C`: `parts` equal slices (the last one
/// shorter) of `len` rows, or of `len` columns when `by_rows` is false.
///
/// The cut depends on the shape only, never on the thread count: each block is one
/// single-threaded `gemm` call whose blocking over `k` depends on the block's shape, so the
/// bits of every element are the same whichever thread computes which block.
///
/// Why not the crate's own `Parallelism::Rayon`: on 2 threads it left the products with a
/// transposed operand on one thread (2 vCPUs of a Sapphire Rapids Xeon, 1024×256×256: `A·Bᵀ`
/// 163 GFLOP/s on 1 thread and 163 on 2, `Aᵀ·B` 142 and 131, `A·B` 170 and 212, best of three
/// interleaved runs), while PyTorch reached ≈ 320 on all three. Cut by shape (8 blocks), the
/// same products ran at 254, 243 and 309 on 2 threads in the same run.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Split {
    /// Cut the rows of `C` (else its columns).
    by_rows: bool,
    /// Number of blocks.
    parts: usize,
    /// Rows (or columns) per block.
    len: usize,
}

impl Split {
    /// The cut of an `m × n` output reduced over `k`: along the longer side of `C`, into the
    /// largest power of two of blocks that keeps each block at least [`MIN_BLOCK_DIM`] wide
    /// and [`FLOPS_PER_BLOCK`] large.
    fn of(m: usize, k: usize, n: usize) -> Self {
        let by_rows = m >= n;
        let dim = if by_rows { m } else { n };
        let work = m.saturating_mul(n).saturating_mul(k);
        let most = (dim / MIN_BLOCK_DIM)
            .min(work / FLOPS_PER_BLOCK)
            .clamp(1, MAX_BLOCKS);
        let parts = 1 << most.ilog2();
        let len = dim.div_ceil(parts);
        Self {
            by_rows,
            parts: dim.div_ceil(len),
            len,
        }
    }
}

/// Raw pointers of one product, shareable between the threads that compute its blocks.
#[derive(Clone, Copy)]
struct Operands {
    a: *const f32,
    b: *const f32,
    c: *mut f32,
}

// SAFETY: the blocks handed to different threads write disjoint elements of `c` and only read
// `a` and `b`; the pointers outlive the parallel loop (it ends before `matmul` returns).
unsafe impl Send for Operands {}
// SAFETY: as above.
unsafe impl Sync for Operands {}

impl Operands {
    /// The pointers moved by element offsets (a method, so that closures capture the whole
    /// `Send + Sync` struct rather than its raw-pointer fields).
    ///
    /// # Safety
    /// Each offset must stay inside its allocation (see `matmul`).
    unsafe fn offset(self, a: isize, b: isize, c: usize) -> (*const f32, *const f32, *mut f32) {
        // SAFETY: the caller keeps the offsets inside the allocations.
        unsafe { (self.a.offset(a), self.b.offset(b), self.c.add(c)) }
    }
}

/// See [`hir_core::backend::matmul`].
pub(crate) fn matmul(a: &[f32], b: &[f32], c: &mut [f32], mm: Matmul) -> Result<()> {
    mm.check(a.len(), b.len(), c.len())?;
    let Matmul {
        m,
        k,
        n,
        trans_a,
        trans_b,
        alpha,
        beta,
    } = mm;
    if m == 0 || n == 0 {
        return Ok(());
    }
    // Element (i, p) of op(A) lives at i*lhs_rs + p*lhs_cs; element (p, j) of op(B) at
    // p*rhs_rs + j*rhs_cs; C is row-major [m, n].
    let (lhs_rs, lhs_cs) = if trans_a {
        (1, m as isize)
    } else {
        (k as isize, 1)
    };
    let (rhs_rs, rhs_cs) = if trans_b {
        (1, k as isize)
    } else {
        (n as isize, 1)
    };
    let read_dst = beta != 0.0;
    let split = Split::of(m, k, n);
    let ops = Operands {
        a: a.as_ptr(),
        b: b.as_ptr(),
        c: c.as_mut_ptr(),
    };
    let block = |i: usize| {
        let start = i * split.len;
        let (rows, cols, a_off, b_off, c_off) = if split.by_rows {
            let rows = split.len.min(m - start);
            (rows, n, start as isize * lhs_rs, 0, start * n)
        } else {
            let cols = split.len.min(n - start);
            (m, cols, 0, start as isize * rhs_cs, start)
        };
        // SAFETY: `mm.check` guarantees that every (row, column) of op(A), op(B) and C
        // addressed through these strides lies inside `a`, `b` and `c`; a block addresses
        // rows `start..start + rows` (or columns `start..start + cols`) of them only, so the
        // offsets stay inside too, and blocks write disjoint elements of `c`. `c` is uniquely
        // borrowed for the whole call, so it does not alias `a` or `b`.
        unsafe {
            let (a, b, c) = ops.offset(a_off, b_off, c_off);
            gemm::gemm(
                rows,
                cols,
                k,
                c,
                1,
                n as isize,
                read_dst,
                a,
                lhs_cs,
                lhs_rs,
                b,
                rhs_cs,
                rhs_rs,
                if read_dst { beta } else { 0.0 },
                alpha,
                false,
                false,
                false,
                Parallelism::None,
            );
        }
    };
    if split.parts == 1 {
        block(0);
    } else {
        (0..split.parts).into_par_iter().for_each(block);
    }
    Ok(())
}

/// A read-only strided matrix view: element `(r, c)` is `data[off + r·rs + c·cs]`.
///
/// Lets the attention kernels multiply one head's rows of a `[N, heads, head_dim]` tensor (or
/// their transpose) without copying them out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MatRef<'a> {
    /// The underlying storage.
    pub data: &'a [f32],
    /// Index of element `(0, 0)`.
    pub off: usize,
    /// Row stride.
    pub rs: usize,
    /// Column stride.
    pub cs: usize,
}

impl<'a> MatRef<'a> {
    /// A row-major `[rows, cols]` matrix whose rows are `rs` apart, starting at `off`.
    pub fn rows(data: &'a [f32], off: usize, rs: usize) -> Self {
        Self {
            data,
            off,
            rs,
            cs: 1,
        }
    }

    /// The transpose (no copy).
    pub fn t(self) -> Self {
        Self {
            rs: self.cs,
            cs: self.rs,
            ..self
        }
    }

    /// The view starting at row `r` (the rows above are dropped).
    pub fn skip_rows(self, r: usize) -> Self {
        Self {
            off: self.off + r * self.rs,
            ..self
        }
    }

    /// Panics unless every element of the `[rows, cols]` block lies inside `data` (an
    /// internal invariant of the callers, checked because `gemm` reads through raw pointers).
    fn assert_fits(&self, rows: usize, cols: usize) {
        if rows > 0 && cols > 0 {
            let last = self.off + (rows - 1) * self.rs + (cols - 1) * self.cs;
            assert!(last < self.data.len(), "strided view out of bounds");
        }
    }
}

/// `dst[m, n] = alpha · lhs[m, k] · rhs[k, n]` (`mm.beta = 0`) or
/// `dst += alpha · lhs · rhs` (`mm.beta = 1`, [`Matmul::accumulate`]), on the calling thread.
///
/// The views carry the layouts, so `mm.trans_a` and `mm.trans_b` must be false. `dst` is
/// row-major with rows `dst_rs` apart. The reduction order of every element depends on the
/// shapes only, so the same call on the same data always gives the same bits.
pub(crate) fn gemm_strided(
    mm: Matmul,
    dst: &mut [f32],
    dst_rs: usize,
    lhs: MatRef<'_>,
    rhs: MatRef<'_>,
) {
    let Matmul {
        m,
        k,
        n,
        alpha,
        beta,
        ..
    } = mm;
    debug_assert!(!mm.trans_a && !mm.trans_b, "the views carry the transposes");
    debug_assert!(
        beta == 0.0 || beta == 1.0,
        "gemm_strided overwrites or accumulates"
    );
    let accumulate = beta != 0.0;
    if m == 0 || n == 0 {
        return;
    }
    assert!(
        (m - 1) * dst_rs + n <= dst.len() && n <= dst_rs,
        "gemm destination out of bounds"
    );
    if k == 0 {
        if !accumulate {
            for r in 0..m {
                dst[r * dst_rs..r * dst_rs + n].fill(0.0);
            }
        }
        return;
    }
    lhs.assert_fits(m, k);
    rhs.assert_fits(k, n);
    // SAFETY: the asserts above keep every addressed element inside `dst`, `lhs.data` and
    // `rhs.data`; `dst` is uniquely borrowed so it cannot alias the inputs, and every pointer
    // stays valid for the duration of the call. Strides fit in `isize` because they address
    // elements of existing slices.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            dst_rs as isize,
            accumulate,
            lhs.data.as_ptr().add(lhs.off),
            lhs.cs as isize,
            lhs.rs as isize,
            rhs.data.as_ptr().add(rhs.off),
            rhs.cs as isize,
            rhs.rs as isize,
            if accumulate { 1.0 } else { 0.0 },
            alpha,
            false,
            false,
            false,
            Parallelism::None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::Split;

    #[test]
    fn split_covers_the_longer_side_in_at_most_four_blocks() {
        for (m, k, n) in [
            (1, 1, 1),
            (2048, 384, 128),
            (128, 2048, 384),
            (1024, 256, 8192),
            (65, 3000, 63),
            (1000, 0, 1000),
            (4097, 4096, 4096),
        ] {
            let s = Split::of(m, k, n);
            let dim = if s.by_rows { m } else { n };
            assert_eq!(s.by_rows, m >= n, "{m}×{k}×{n}");
            assert!((1..=4).contains(&s.parts), "{m}×{k}×{n}: {s:?}");
            assert!(
                s.parts * s.len >= dim && (s.parts - 1) * s.len < dim,
                "{s:?}"
            );
            assert!(s.parts == 1 || s.len >= 128, "{s:?}");
        }
        assert_eq!(Split::of(2048, 384, 128).parts, 4);
        assert_eq!(Split::of(128, 2048, 384).parts, 2);
        assert_eq!(Split::of(1000, 0, 1000).parts, 1);
    }
}
