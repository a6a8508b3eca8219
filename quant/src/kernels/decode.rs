//! Block decoders: how each [`WeightFormat`] turns into 32-value f32 chunks, written once
//! against [`Simd`] and compiled for every instruction set.
//!
//! A decoder sees a row as a run of *steps* of `ELEMS` values (`BYTES` bytes): one ggml
//! block for the quantized formats, 32 values for the plain ones. [`Decode::prep`] reads a
//! step's scales once (f16 → f32, the K formats' 6-bit scale unpacking); [`Decode::chunk`]
//! then yields chunk `c` (values `32c..32c + 32`) in registers. The arithmetic is the
//! reference's ([`crate::dequant`]): `(d · sc) · q`, `d · q - m`, `(q - 8) · d`, except that
//! `d · q + m` is one fused multiply-add where the instruction set has it.

use super::simd::Simd;
use crate::WeightFormat;

/// Decodes steps of one format (see the module docs).
///
/// # Safety
/// `prep` and `chunk` read `BYTES` bytes at `p`; `c < ELEMS / 32`; the [`Simd`] contract
/// holds.
pub(crate) unsafe trait Decode<S: Simd> {
    /// The format decoded.
    const FORMAT: WeightFormat;
    /// Values per step (a multiple of 32).
    const ELEMS: usize;
    /// Bytes per step.
    const BYTES: usize;
    /// What `prep` reads once per step.
    type St: Copy;
    /// Reads the step's scales.
    unsafe fn prep(p: *const u8) -> Self::St;
    /// Values `32c..32c + 32` of the step at `p`.
    unsafe fn chunk(st: &Self::St, p: *const u8, c: usize) -> S::W;
}

/// Plain f32 rows.
pub(crate) struct F32;
/// IEEE half rows.
pub(crate) struct F16;
/// bfloat16 rows.
pub(crate) struct Bf16;
/// `block_q8_0`.
pub(crate) struct Q8_0;
/// `block_q4_0`.
pub(crate) struct Q4_0;
/// `block_q4_1`.
pub(crate) struct Q4_1;
/// `block_q4_K`.
pub(crate) struct Q4K;
/// `block_q5_K`.
pub(crate) struct Q5K;
/// `block_q6_K`.
pub(crate) struct Q6K;

// SAFETY (all impls below): each reads only inside the `BYTES` bytes of its step, at the
// offsets of ggml's block layout, and calls `Simd` methods under the caller's contract.

unsafe impl<S: Simd> Decode<S> for F32 {
    const FORMAT: WeightFormat = WeightFormat::F32;
    const ELEMS: usize = 32;
    const BYTES: usize = 128;
    type St = ();
    #[inline(always)]
    unsafe fn prep(_: *const u8) {}
    #[inline(always)]
    unsafe fn chunk(_: &(), p: *const u8, _: usize) -> S::W {
        // SAFETY: see the impl note.
        unsafe { S::load_f32(p) }
    }
}

unsafe impl<S: Simd> Decode<S> for F16 {
    const FORMAT: WeightFormat = WeightFormat::F16;
    const ELEMS: usize = 32;
    const BYTES: usize = 64;
    type St = ();
    #[inline(always)]
    unsafe fn prep(_: *const u8) {}
    #[inline(always)]
    unsafe fn chunk(_: &(), p: *const u8, _: usize) -> S::W {
        // SAFETY: see the impl note.
        unsafe { S::load_f16(p) }
    }
}

unsafe impl<S: Simd> Decode<S> for Bf16 {
    const FORMAT: WeightFormat = WeightFormat::BF16;
    const ELEMS: usize = 32;
    const BYTES: usize = 64;
    type St = ();
    #[inline(always)]
    unsafe fn prep(_: *const u8) {}
    #[inline(always)]
    unsafe fn chunk(_: &(), p: *const u8, _: usize) -> S::W {
        // SAFETY: see the impl note.
        unsafe { S::load_bf16(p) }
    }
}

unsafe impl<S: Simd> Decode<S> for Q8_0 {
    const FORMAT: WeightFormat = WeightFormat::Q8_0;
    const ELEMS: usize = 32;
    const BYTES: usize = 34;
    type St = f32;
    #[inline(always)]
    unsafe fn prep(p: *const u8) -> f32 {
        // SAFETY: see the impl note.
        unsafe { S::f16(p) }
    }
    #[inline(always)]
    unsafe fn chunk(d: &f32, p: *const u8, _: usize) -> S::W {
        // SAFETY: see the impl note (`qs` at 2..34).
        unsafe { S::mul_s(S::i8_to_w(S::load_b(p.add(2))), *d) }
    }
}

unsafe impl<S: Simd> Decode<S> for Q4_0 {
    const FORMAT: WeightFormat = WeightFormat::Q4_0;
    const ELEMS: usize = 32;
    const BYTES: usize = 18;
    type St = f32;
    #[inline(always)]
    unsafe fn prep(p: *const u8) -> f32 {
        // SAFETY: see the impl note.
        unsafe { S::f16(p) }
    }
    #[inline(always)]
    unsafe fn chunk(d: &f32, p: *const u8, _: usize) -> S::W {
        // SAFETY: see the impl note (`qs` at 2..18). `nibble - 8` is exact in f32, so this is
        // the reference's `(q - 8) · d` bit for bit.
        unsafe { S::mul_s(S::add_s(S::nibbles16_w(p.add(2)), -8.0), *d) }
    }
}

unsafe impl<S: Simd> Decode<S> for Q4_1 {
    const FORMAT: WeightFormat = WeightFormat::Q4_1;
    const ELEMS: usize = 32;
    const BYTES: usize = 20;
    type St = (f32, f32);
    #[inline(always)]
    unsafe fn prep(p: *const u8) -> (f32, f32) {
        // SAFETY: see the impl note (`d` at 0, `m` at 2).
        unsafe { (S::f16(p), S::f16(p.add(2))) }
    }
    #[inline(always)]
    unsafe fn chunk(&(d, m): &(f32, f32), p: *const u8, _: usize) -> S::W {
        // SAFETY: see the impl note (`qs` at 4..20).
        unsafe { S::fma_s(S::nibbles16_w(p.add(4)), d, m) }
    }
}

/// `d · sc` and `dmin · m` of the 8 sub-blocks of a Q4_K / Q5_K super-block (`d`, `dmin` at
/// 0 and 2, the 12 packed scale bytes at 4..16), as `get_scale_min_k4`.
#[inline(always)]
unsafe fn k4_scales<S: Simd>(p: *const u8) -> ([f32; 8], [f32; 8]) {
    // SAFETY: the caller's step holds 16 header bytes.
    let (d, dmin, q) = unsafe { (S::f16(p), S::f16(p.add(2)), &*(p.add(4) as *const [u8; 12])) };
    let mut ds = [0f32; 8];
    let mut ms = [0f32; 8];
    for j in 0..8 {
        let (sc, m) = if j < 4 {
            (q[j] & 63, q[j + 4] & 63)
        } else {
            (
                (q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4),
                (q[j + 4] >> 4) | ((q[j] >> 6) << 4),
            )
        };
        ds[j] = d * sc as f32;
        ms[j] = dmin * m as f32;
    }
    (ds, ms)
}

unsafe impl<S: Simd> Decode<S> for Q4K {
    const FORMAT: WeightFormat = WeightFormat::Q4_K;
    const ELEMS: usize = 256;
    const BYTES: usize = 144;
    type St = ([f32; 8], [f32; 8]);
    #[inline(always)]
    unsafe fn prep(p: *const u8) -> Self::St {
        // SAFETY: see the impl note.
        unsafe { k4_scales::<S>(p) }
    }
    #[inline(always)]
    unsafe fn chunk((ds, ms): &Self::St, p: *const u8, c: usize) -> S::W {
        // SAFETY: see the impl note: `qs` at 16..144, 32 bytes per pair of sub-blocks; the
        // even sub-block is the low nibbles, the odd one the high nibbles.
        unsafe {
            let b = S::load_b(p.add(16 + 32 * (c / 2)));
            let q = if c.is_multiple_of(2) {
                S::and_b(b, 0x0F)
            } else {
                S::shr_b(b, 4)
            };
            S::fma_s(S::u8_to_w(q), ds[c], -ms[c])
        }
    }
}

unsafe impl<S: Simd> Decode<S> for Q5K {
    const FORMAT: WeightFormat = WeightFormat::Q5_K;
    const ELEMS: usize = 256;
    const BYTES: usize = 176;
    type St = ([f32; 8], [f32; 8]);
    #[inline(always)]
    unsafe fn prep(p: *const u8) -> Self::St {
        // SAFETY: see the impl note.
        unsafe { k4_scales::<S>(p) }
    }
    #[inline(always)]
    unsafe fn chunk((ds, ms): &Self::St, p: *const u8, c: usize) -> S::W {
        // SAFETY: see the impl note: `qh` at 16..48 (bit `c` of byte `l` is the fifth bit of
        // value `l` of sub-block `c`), `qs` at 48..176 as in Q4_K.
        unsafe {
            let b = S::load_b(p.add(48 + 32 * (c / 2)));
            let lo = if c.is_multiple_of(2) {
                S::and_b(b, 0x0F)
            } else {
                S::shr_b(b, 4)
            };
            let hi = S::shl_b(S::and_b(S::shr_b(S::load_b(p.add(16)), c as u32), 1), 4);
            S::fma_s(S::u8_to_w(S::or_b(lo, hi)), ds[c], -ms[c])
        }
    }
}

unsafe impl<S: Simd> Decode<S> for Q6K {
    const FORMAT: WeightFormat = WeightFormat::Q6_K;
    const ELEMS: usize = 256;
    const BYTES: usize = 210;
    type St = [f32; 16];
    #[inline(always)]
    unsafe fn prep(p: *const u8) -> [f32; 16] {
        // SAFETY: see the impl note (`scales` at 192..208, `d` at 208).
        unsafe {
            let d = S::f16(p.add(208));
            let sc = &*(p.add(192) as *const [u8; 16]);
            let mut ds = [0f32; 16];
            for (o, &s) in ds.iter_mut().zip(sc) {
                *o = d * (s as i8) as f32;
            }
            ds
        }
    }
    #[inline(always)]
    unsafe fn chunk(ds: &[f32; 16], p: *const u8, c: usize) -> S::W {
        // SAFETY: see the impl note. Half `n` (128 values) has `ql` at 64n..64n+64 and `qh`
        // at 128+32n..160+32n; its quarter `i` takes the low (i < 2) or high nibbles of
        // `ql[32(i % 2)..]` and bits 2i, 2i+1 of `qh`, minus 32, with the scales
        // `8n + 2i` (values 0..16) and `8n + 2i + 1` (16..32).
        unsafe {
            let (n, i) = (c / 4, c % 4);
            let b = S::load_b(p.add(64 * n + 32 * (i % 2)));
            let lo = if i < 2 {
                S::and_b(b, 0x0F)
            } else {
                S::shr_b(b, 4)
            };
            let qh = S::load_b(p.add(128 + 32 * n));
            let hi = S::shl_b(S::and_b(S::shr_b(qh, 2 * i as u32), 3), 4);
            let q = S::add_s(S::u8_to_w(S::or_b(lo, hi)), -32.0);
            S::mul_s2(q, ds[8 * n + 2 * i], ds[8 * n + 2 * i + 1])
        }
    }
}
