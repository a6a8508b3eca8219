//! The kernels behind [`crate::matmul_xwt`] and [`crate::dequantize_rows`].
//!
//! # Design
//! * `simd.rs` names the ~20 vector operations everything is written against (a *chunk* is
//!   32 weight values in registers, built from 32 bytes); each instruction set implements
//!   them once: `portable.rs` (plain Rust on arrays, which the compiler vectorizes for the
//!   baseline target), `avx2.rs` (AVX2 + FMA + F16C), `avx512.rs` (AVX-512 F + BW),
//!   `neon.rs` (aarch64).
//! * `decode.rs` turns each format's blocks into chunks, written once, generic over the
//!   instruction set: scales read once per block (the K formats' 6-bit scales unpacked
//!   once per super-block), nibbles and high bits split in the byte domain, then widened to
//!   f32 and scaled: `(d · sc) · q`, `(q - 8) · d`, `d · q + m` (fused where there is FMA).
//! * `driver.rs` holds the loops: a register tile of `MR` activation rows × `NR` weight
//!   rows that decodes each chunk of its weight rows once and multiplies it into all `MR`
//!   rows' sums, and the row dequantizer. Every (activation row, weight row) pair has its
//!   own sums, added chunk by chunk in row order and reduced in a fixed tree: the bits do not
//!   depend on `MR`, `NR`, `m` or how callers split the rows between threads.
//! * This module plans a call: activation rows in groups of the instruction set's `max_mr`
//!   (8 for AVX-512, 4 otherwise), weight rows in panels of 4 (`NR` = 4, 2 or 1 by group
//!   size so the sums and a chunk fit the registers: AVX-512 runs 1×4, 2–4×2, 5–8×1; AVX2
//!   and NEON 1×2, 2–4×1). The panel is the outer loop, so its weight bytes come from memory
//!   once and from L1 for the further groups. On x86-64 each weight row is prefetched 640
//!   bytes ahead. Nothing is allocated.
//!
//! Activations stay f32, so results equal the product with [`crate::dequant`]'s values up
//! to summation order (property tests in `tests/kernels.rs`: within `1e-5 · Σ|w·x|` of an f64
//! sum, for every format × instruction set; the NEON path was run under `qemu-aarch64`).
//! A mode that quantizes activations to 8 bits (as llama.cpp does) would cut the decode work
//! further; it is not here.
//!
//! # Numbers
//! `cargo run --release -p hir-quant --example qbench`, one thread, 2-vCPU Xeon (Sapphire
//! Rapids) shared with other builds (load average ~12): fastest single call of many, weights
//! streamed from memory (256 MB of copies cycled); "old" is the path `matmul_xwt` had before
//! (dequantize a row to f32, dot it). µs per call, GB/s of weight bytes, GFLOP/s:
//!
//! | format, shape | m | avx512 | avx2 | portable | old |
//! |---|---|---|---|---|---|
//! | Q4_1 576→1536 | 1 | 86.5 (6.4 GB/s) | 131 | 483 | 990 |
//! | Q4_1 576→1536 | 4 | 131 (54 GFLOP/s) | 154 | 630 | 2562 |
//! | Q4_1 576→1536 | 16 | 372 (76 GFLOP/s) | 610 | 2541 | 49329 |
//! | Q4_1 1536→576 | 1 | 104 | 138 | 479 | 990 |
//! | Q8_0 576→1536 | 1 | 148 | 141 | 421 | 740 |
//! | Q8_0 576→1536 | 16 | 454 (62 GFLOP/s) | 962 | 2102 | 41120 |
//! | Q8_0 576→49152 (tied head) | 1 | 7073 (4.3 GB/s) | 9073 | 25885 | 49240 |
//! | Q4_K 512→1536 | 1 | 98 | 111 | 452 | 679 |
//! | Q6_K 512→1536 | 1 | 153 | 161 | 641 | 870 |
//! | F16 576→1536 | 1 | 145 (12 GB/s) | 165 | 1347 | 2989 |
//! | F32 576→1536 | 1 | 229 (15 GB/s) | 242 | 488 | 2372 |
//!
//! This machine has a 260 MB L3, so a 96 MB model stays in cache and decode is bound by the
//! kernels' compute, not by memory. Weights in cache (`QBENCH_HOT=1`, same run, quieter
//! moment), AVX-512, m = 1: Q4_1 75 µs (7.4 GB/s of blocks, 24 GFLOP/s), Q4_0 78, Q8_0 72
//! (13 GB/s), F16 40 (44 GB/s), F32 119 (30 GB/s); m = 16: Q4_1 372 µs (76 GFLOP/s). A Q4_1
//! chunk of 32 values costs ~11 vector instructions per weight row (widen, mask, shift,
//! 2 converts, 2 FMAs to dequantize, 2 to accumulate, 2 scale broadcasts), and 512-bit
//! instructions issue on only two ports, so m = 1 is instruction-bound at ~5.5 cycles per
//! 32 values. Tried and dropped: picking the 16 possible values of a nibble from one
//! register with `vpermps` (same results): m = 1 unchanged, m = 4 30% slower (port 5 is
//! the bottleneck then). Calls longer than a few ms (the 49152-row head at m ≥ 4) are
//! preempted on this shared machine and read slow. `dequantize_rows` writes ~5 G values/s
//! (Q4_1, AVX-512), 2.6× the scalar reference.

pub(crate) mod decode;
pub(crate) mod driver;
#[cfg(any(test, target_arch = "aarch64"))]
pub(crate) mod half_bits;
pub(crate) mod portable;
pub(crate) mod simd;

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2;
#[cfg(target_arch = "x86_64")]
pub(crate) mod avx512;
#[cfg(target_arch = "aarch64")]
pub(crate) mod neon;

use crate::{Isa, QuantMatrix, WeightFormat};
use driver::{Rows, Tile};

/// A compiled tile kernel.
pub(crate) type TileFn = unsafe fn(&Tile);
/// A compiled row dequantizer.
pub(crate) type RowsFn = unsafe fn(&Rows);

/// One instruction set's kernels.
pub(crate) struct Kernels {
    /// The largest `MR` compiled.
    pub max_mr: usize,
    /// `NR` (1, 2 or 4) for a group of `mr` rows.
    pub nr: fn(usize) -> usize,
    /// The tile kernel of a format for (`mr`, `nr`).
    pub tile: fn(WeightFormat, usize, usize) -> TileFn,
    /// The row dequantizer of a format.
    pub rows: fn(WeightFormat) -> RowsFn,
}

/// Runs `$body` with `$D` bound to the decoder of `$f`.
macro_rules! by_format {
    ($f:expr, $D:ident => $body:expr) => {{
        use $crate::kernels::decode as dec;
        match $f {
            $crate::WeightFormat::F32 => {
                type $D = dec::F32;
                $body
            }
            $crate::WeightFormat::F16 => {
                type $D = dec::F16;
                $body
            }
            $crate::WeightFormat::BF16 => {
                type $D = dec::Bf16;
                $body
            }
            $crate::WeightFormat::Q8_0 => {
                type $D = dec::Q8_0;
                $body
            }
            $crate::WeightFormat::Q4_0 => {
                type $D = dec::Q4_0;
                $body
            }
            $crate::WeightFormat::Q4_1 => {
                type $D = dec::Q4_1;
                $body
            }
            $crate::WeightFormat::Q4_K => {
                type $D = dec::Q4K;
                $body
            }
            $crate::WeightFormat::Q5_K => {
                type $D = dec::Q5K;
                $body
            }
            $crate::WeightFormat::Q6_K => {
                type $D = dec::Q6K;
                $body
            }
        }
    }};
}

/// Defines `KERNELS` for the [`simd::Simd`] type `$S`: the tile and row kernels of every
/// format, compiled with the attributes given (the instruction set's `#[target_feature]`s),
/// and the (`mr`, `nr`) pairs listed.
macro_rules! isa_kernels {
    ($S:ty, [$(#[$attr:meta])*], max_mr = $max:expr, nr = $nr:expr,
     tiles = [$(($m:literal, $n:literal)),* $(,)?]) => {
        $(#[$attr])*
        unsafe fn tile<D: $crate::kernels::decode::Decode<$S>, const MR: usize, const NR: usize>(
            t: &$crate::kernels::driver::Tile,
        ) {
            // SAFETY: the caller's contract ([`TileFn`]): valid pointers, a supported CPU.
            unsafe { $crate::kernels::driver::tile::<$S, D, MR, NR>(t) }
        }

        $(#[$attr])*
        unsafe fn rows<D: $crate::kernels::decode::Decode<$S>>(r: &$crate::kernels::driver::Rows) {
            // SAFETY: the caller's contract ([`RowsFn`]): valid pointers, a supported CPU.
            unsafe { $crate::kernels::driver::dequant::<$S, D>(r) }
        }

        fn tile_for<D: $crate::kernels::decode::Decode<$S>>(
            mr: usize,
            nr: usize,
        ) -> $crate::kernels::TileFn {
            match (mr, nr) {
                $(($m, $n) => tile::<D, $m, $n>,)*
                _ => unreachable!("no {mr}×{nr} tile compiled"),
            }
        }

        fn tile_fn(f: $crate::WeightFormat, mr: usize, nr: usize) -> $crate::kernels::TileFn {
            $crate::kernels::by_format!(f, D => tile_for::<D>(mr, nr))
        }

        fn rows_fn(f: $crate::WeightFormat) -> $crate::kernels::RowsFn {
            $crate::kernels::by_format!(f, D => rows::<D> as $crate::kernels::RowsFn)
        }

        /// This instruction set's kernels.
        pub(crate) const KERNELS: $crate::kernels::Kernels = $crate::kernels::Kernels {
            max_mr: $max,
            nr: $nr,
            tile: tile_fn,
            rows: rows_fn,
        };
    };
}
pub(crate) use {by_format, isa_kernels};

/// The kernels of `isa` (which must be supported).
fn kernels(isa: Isa) -> &'static Kernels {
    match isa {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => &avx512::KERNELS,
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => &avx2::KERNELS,
        #[cfg(target_arch = "aarch64")]
        Isa::Neon => &neon::KERNELS,
        _ => &portable::KERNELS,
    }
}

/// Weight rows per panel (the `NR`s divide it).
const PANEL: usize = 4;

/// [`crate::matmul_xwt`] after its checks.
pub(crate) fn matmul(
    isa: Isa,
    x: &[f32],
    m: usize,
    w: &QuantMatrix<'_>,
    rows: core::ops::Range<usize>,
    out: &mut [f32],
) {
    let (k, n) = (w.cols(), rows.len());
    if m == 0 || n == 0 {
        return;
    }
    let kern = kernels(isa);
    let f = w.format();
    // The row groups: full ones of `max_mr`, then the remainder; their kernels for a whole
    // panel and for single rows.
    let full = m / kern.max_mr;
    let rem = m % kern.max_mr;
    let group_fns = |mr: usize| {
        let nr = (kern.nr)(mr);
        ((kern.tile)(f, mr, nr), nr, (kern.tile)(f, mr, 1))
    };
    let full_fns = (full > 0).then(|| group_fns(kern.max_mr));
    let rem_fns = (rem > 0).then(|| group_fns(rem));
    let base = w.bytes().as_ptr();
    let xp = x.as_ptr();
    let op = out.as_mut_ptr();
    let mut p0 = 0;
    while p0 < n {
        let pn = PANEL.min(n - p0);
        for g in 0..full + usize::from(rem > 0) {
            let (r0, (panel_fn, nr, single_fn)) = if g < full {
                (g * kern.max_mr, full_fns.unwrap())
            } else {
                (full * kern.max_mr, rem_fns.unwrap())
            };
            let (func, step) = if pn == PANEL {
                (panel_fn, nr)
            } else {
                (single_fn, 1)
            };
            let mut j = 0;
            while j < pn {
                let t = Tile {
                    // SAFETY: `r0 < m` and `x` is `[m, k]`.
                    x: unsafe { xp.add(r0 * k) },
                    k,
                    // SAFETY: row `rows.start + p0 + j < rows.end <= w.rows()` of `w`'s bytes.
                    w: unsafe { base.add((rows.start + p0 + j) * w.row_bytes()) },
                    row_bytes: w.row_bytes(),
                    // SAFETY: element (r0, p0 + j) of `out`, `[m, n]`.
                    out: unsafe { op.add(r0 * n + p0 + j) },
                    out_stride: n,
                };
                // SAFETY: the tile's `MR` activation rows, `step` weight rows and outputs lie
                // inside `x`, `w` and `out` (the groups and panels partition `m × n`); `k`
                // is whole blocks (a `QuantMatrix` invariant); the caller checked that `isa`
                // is supported.
                unsafe { func(&t) };
                j += step;
            }
        }
        p0 += pn;
    }
}

/// [`crate::dequantize_rows`] after its checks.
pub(crate) fn dequant_rows(
    isa: Isa,
    w: &QuantMatrix<'_>,
    rows: core::ops::Range<usize>,
    out: &mut [f32],
) {
    let r = Rows {
        // SAFETY: `rows.start <= w.rows()`.
        w: unsafe { w.bytes().as_ptr().add(rows.start * w.row_bytes()) },
        row_bytes: w.row_bytes(),
        k: w.cols(),
        rows: rows.len(),
        out: out.as_mut_ptr(),
    };
    // SAFETY: the rows lie in `w`, `out` holds `rows.len() · cols` values (checked by the
    // caller), `isa` is supported.
    unsafe { (kernels(isa).rows)(w.format())(&r) };
}
