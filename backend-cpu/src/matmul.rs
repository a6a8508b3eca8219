//! `C = alpha * op(A) · op(B) + beta * C` through the `gemm` crate (contract in
//! [`hir_core::backend::matmul`]).
//!
//! The transposes are expressed as strides, so no operand is ever copied. The `gemm` crate
//! computes `dst = α·dst + β·lhs·rhs` (note: its α and β are swapped with respect to BLAS);
//! with `read_dst = false` it never reads `dst`, which gives the "beta = 0 ignores NaN in C"
//! guarantee of the contract. Its reduction order over `k` depends only on the shape (cache
//! blocking), never on the thread count, so results are bit-identical across thread counts
//! (`tests/matmul_props.rs` checks 1, 2 and 3 threads on odd and model-sized shapes).
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

/// Multiply-adds each thread must have for one more thread to pay for waking it: below
/// `2 · FLOPS_PER_THREAD` a product runs on one thread, and it uses at most
/// `work / FLOPS_PER_THREAD` threads. Measured on a 16-core machine (two interleaved A/B
/// runs against "every product ≥ 64³ on all threads"): the ~10M model's training step went
/// from 2024 / 2914 to 3208 / 3658 tokens/s; SmolLM2-135M-shaped decode, prefill, batched
/// generation and training steps stayed within the run-to-run noise. On 2 cores nothing
/// changes measurably.
const FLOPS_PER_THREAD: usize = 1 << 17;

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
    // `current_num_threads` is the backend's own pool when the call runs inside it.
    let work = m.saturating_mul(n).saturating_mul(k);
    let threads = (work / FLOPS_PER_THREAD).min(rayon::current_num_threads());
    let parallelism = if threads >= 2 {
        Parallelism::Rayon(threads)
    } else {
        Parallelism::None
    };
    let read_dst = beta != 0.0;
    // SAFETY: the length checks above guarantee that every (row, column) addressed through
    // these strides lies inside `a`, `b` and `c`; `c` is uniquely borrowed and does not alias
    // `a` or `b` (Rust borrows), and the pointers stay valid for the duration of the call.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            1,
            n as isize,
            read_dst,
            a.as_ptr(),
            lhs_cs,
            lhs_rs,
            b.as_ptr(),
            rhs_cs,
            rhs_rs,
            if read_dst { beta } else { 0.0 },
            alpha,
            false,
            false,
            false,
            parallelism,
        );
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
