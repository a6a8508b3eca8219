//! The loops around the decoders, generic over [`Simd`] and [`Decode`]: a register tile of
//! `MR` activation rows × `NR` weight rows, and the row dequantizer.
//!
//! A tile decodes each 32-value chunk of its `NR` weight rows once into registers and
//! multiplies it into the sums of all `MR` activation rows, so a weight block is read and
//! decoded once per `MR` rows instead of once per row. Each (activation row, weight row)
//! pair has its own [`Simd::Acc`] and adds the chunks in row order, so its result does not
//! depend on `MR`, `NR`, or which rows a caller's thread was given: same bits for any split.

use super::decode::Decode;
use super::simd::Simd;

/// One call of a tile kernel: `out[r · out_stride + n] = Σ_c x[r · k + c] · W_n[c]` for
/// `r < MR`, `n < NR`, where `W_n` is the row at `w + n · row_bytes`.
pub(crate) struct Tile {
    /// Activation row 0 of the tile (`MR` rows of `k` values follow).
    pub x: *const f32,
    /// Values per row.
    pub k: usize,
    /// Weight row 0 of the tile (`NR` rows of `row_bytes` follow).
    pub w: *const u8,
    /// Bytes per weight row.
    pub row_bytes: usize,
    /// Output element (0, 0) of the tile.
    pub out: *mut f32,
    /// Distance between output rows.
    pub out_stride: usize,
}

/// Rows `0..rows` of a weight matrix dequantized to f32.
pub(crate) struct Rows {
    /// Weight row 0.
    pub w: *const u8,
    /// Bytes per weight row.
    pub row_bytes: usize,
    /// Values per row.
    pub k: usize,
    /// Rows to convert.
    pub rows: usize,
    /// `rows · k` values, row-major.
    pub out: *mut f32,
}

/// Value `i` of the row at `w`, for the plain formats' tail past the last whole chunk.
#[inline(always)]
unsafe fn plain_value<S: Simd, D: Decode<S>>(w: *const u8, i: usize) -> f32 {
    let size = D::FORMAT.block_bytes();
    let mut v = 0f32;
    // SAFETY: the caller's row holds value `i` (plain formats are one value per block).
    let bytes = unsafe { core::slice::from_raw_parts(w.add(i * size), size) };
    crate::dequant::block_fn(D::FORMAT)(bytes, core::slice::from_mut(&mut v));
    v
}

/// How far ahead of a step its weight row is prefetched, in bytes (x86-64; about 10 cache
/// lines: on the 28 MB Q8_0 head at m = 1 the best of interleaved runs went from 12.2 to
/// 11.3 ms, within the noise of a loaded machine elsewhere).
const PREFETCH: usize = 640;

/// The tile kernel (see [`Tile`]).
///
/// # Safety
/// The pointers of `t` are valid for the tile's reads and writes; `k` is a whole number of
/// the format's blocks; the [`Simd`] contract holds.
#[inline(always)]
pub(crate) unsafe fn tile<S: Simd, D: Decode<S>, const MR: usize, const NR: usize>(t: &Tile) {
    let steps = t.k / D::ELEMS;
    // SAFETY (whole body): every pointer stays inside the rows the caller vouched for:
    // step `s` of weight row `n` is `BYTES` bytes at `w + n · row_bytes + s · BYTES`, and
    // chunk `c` of activation row `r` is 32 values at `x + r · k + s · ELEMS + 32c`.
    unsafe {
        let mut acc = [[S::acc_zero(); NR]; MR];
        for s in 0..steps {
            let wp: [*const u8; NR] =
                core::array::from_fn(|n| t.w.add(n * t.row_bytes + s * D::BYTES));
            for &p in &wp {
                S::prefetch(p.wrapping_add(PREFETCH));
            }
            let st: [D::St; NR] = core::array::from_fn(|n| D::prep(wp[n]));
            let xs = t.x.add(s * D::ELEMS);
            for c in 0..D::ELEMS / 32 {
                for n in 0..NR {
                    let w = D::chunk(&st[n], wp[n], c);
                    for (r, acc_r) in acc.iter_mut().enumerate() {
                        S::acc_fma(&mut acc_r[n], w, xs.add(r * t.k + 32 * c));
                    }
                }
            }
        }
        let done = steps * D::ELEMS;
        for (r, acc_r) in acc.iter().enumerate() {
            for (n, &a) in acc_r.iter().enumerate() {
                let mut tail = 0f32;
                for i in done..t.k {
                    tail +=
                        plain_value::<S, D>(t.w.add(n * t.row_bytes), i) * *t.x.add(r * t.k + i);
                }
                *t.out.add(r * t.out_stride + n) = S::acc_sum(a) + tail;
            }
        }
    }
}

/// The row dequantizer (see [`Rows`]).
///
/// # Safety
/// As [`tile`], for the pointers of `d`.
#[inline(always)]
pub(crate) unsafe fn dequant<S: Simd, D: Decode<S>>(d: &Rows) {
    let steps = d.k / D::ELEMS;
    // SAFETY: as in `tile`; row `j` of the output is `k` values at `out + j · k`.
    unsafe {
        for j in 0..d.rows {
            let w = d.w.add(j * d.row_bytes);
            let out = d.out.add(j * d.k);
            for s in 0..steps {
                let p = w.add(s * D::BYTES);
                let st = D::prep(p);
                for c in 0..D::ELEMS / 32 {
                    S::store(D::chunk(&st, p, c), out.add(s * D::ELEMS + 32 * c));
                }
            }
            for i in steps * D::ELEMS..d.k {
                *out.add(i) = plain_value::<S, D>(w, i);
            }
        }
    }
}
