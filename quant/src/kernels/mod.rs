//! The kernels behind [`crate::matmul_xwt`] and [`crate::dequantize_rows`].
//!
//! # Design
//! * [`simd`] names the ~20 vector operations everything is written against; each
//!   instruction set implements them once: [`portable`] (plain Rust on arrays, which the
//!   compiler vectorizes for the baseline target), `avx2` (AVX2 + FMA + F16C), `avx512`
//!   (AVX-512 F + BW), `neon` (aarch64).
//! * [`decode`] turns each format's blocks into 32-value f32 chunks in registers, once,
//!   generic over the instruction set; [`driver`] holds the loops: a register tile of `MR`
//!   activation rows × `NR` weight rows (each weight chunk decoded once and multiplied into
//!   all `MR` rows), and a row dequantizer for callers that convert tiles to f32 and use a
//!   GEMM (prompt processing, m ≥ ~32).
//! * This module plans a call: activation rows in groups of the instruction set's `max_mr`,
//!   weight rows in panels of 4 (`NR` = 4, 2 or 1 by group size, so the sums fit the
//!   registers); the panel is the outer loop so its weight bytes are read from memory once
//!   and from L1 for the further groups.
//!
//! Activations stay f32: a chunk is dequantized in registers (`d · q + m` per value), then
//! multiplied into the sums, so results equal the product with [`crate::dequant`]'s f32
//! values up to summation order (and one rounding where `d · q + m` is fused).
//!
//! # Numbers
//! See `examples/qbench.rs` and the crate's README section in the commit that added this
//! module: single-thread GB/s of weight bytes and GFLOP/s per format, `m` and instruction
//! set on SmolLM2's shapes.

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
