//! The aarch64 NEON kernels: a chunk is eight q registers, the running sums of a pair four
//! (chunk vector `v` into sum `v % 4`).
//!
//! Tiles: 1 activation row × 2 weight rows (8 independent sums), 2–4 rows × 1 (at most 16
//! sums + the 8-register chunk in the 32 registers). Halves are widened by integer
//! arithmetic ([`super::half_bits`]): stable Rust has no f16 vector intrinsics here.

use super::half_bits::{f16_bits_to_f32, TWO_POW_112};
use super::simd::Simd;
use core::arch::aarch64::*;

/// aarch64 Advanced SIMD (always present on aarch64).
#[derive(Clone, Copy)]
pub(crate) struct Neon;

/// Four f32 from the four integers `v` (`u32` lanes).
#[inline(always)]
unsafe fn u32_f(v: uint32x4_t) -> float32x4_t {
    // SAFETY: NEON is baseline on aarch64.
    unsafe { vcvtq_f32_u32(v) }
}

/// Sixteen f32 from sixteen unsigned bytes.
#[inline(always)]
unsafe fn u8x16_w(b: uint8x16_t) -> [float32x4_t; 4] {
    // SAFETY: NEON is baseline on aarch64.
    unsafe {
        let lo = vmovl_u8(vget_low_u8(b));
        let hi = vmovl_high_u8(b);
        [
            u32_f(vmovl_u16(vget_low_u16(lo))),
            u32_f(vmovl_high_u16(lo)),
            u32_f(vmovl_u16(vget_low_u16(hi))),
            u32_f(vmovl_high_u16(hi)),
        ]
    }
}

/// Sixteen f32 from sixteen signed bytes.
#[inline(always)]
unsafe fn i8x16_w(b: uint8x16_t) -> [float32x4_t; 4] {
    // SAFETY: NEON is baseline on aarch64.
    unsafe {
        let b = vreinterpretq_s8_u8(b);
        let lo = vmovl_s8(vget_low_s8(b));
        let hi = vmovl_high_s8(b);
        [
            vcvtq_f32_s32(vmovl_s16(vget_low_s16(lo))),
            vcvtq_f32_s32(vmovl_high_s16(lo)),
            vcvtq_f32_s32(vmovl_s16(vget_low_s16(hi))),
            vcvtq_f32_s32(vmovl_high_s16(hi)),
        ]
    }
}

/// Four halves (`u32` lanes holding the 16 bits) as f32: [`f16_bits_to_f32`] lane-wise.
#[inline(always)]
unsafe fn f16x4(h: uint32x4_t) -> float32x4_t {
    // SAFETY: NEON is baseline on aarch64.
    unsafe {
        let sign = vshlq_n_u32::<16>(vandq_u32(h, vdupq_n_u32(0x8000)));
        let em = vandq_u32(h, vdupq_n_u32(0x7FFF));
        let shifted = vshlq_n_u32::<13>(em);
        let scaled = vmulq_f32(
            vreinterpretq_f32_u32(shifted),
            vreinterpretq_f32_u32(vdupq_n_u32(TWO_POW_112)),
        );
        let special = vorrq_u32(shifted, vdupq_n_u32(0x7F80_0000));
        let is_special = vcgeq_u32(em, vdupq_n_u32(0x7C00));
        let mag = vbslq_u32(is_special, special, vreinterpretq_u32_f32(scaled));
        vreinterpretq_f32_u32(vorrq_u32(mag, sign))
    }
}

/// `f` applied to the 32 little-endian u16 at `p`, widened to `u32` lanes four at a time, in
/// order.
#[inline(always)]
unsafe fn u16_groups(p: *const u8, f: impl Fn(uint32x4_t) -> float32x4_t) -> [float32x4_t; 8] {
    // SAFETY: the caller's 64 readable bytes; NEON is baseline on aarch64.
    unsafe {
        let mut w = [vdupq_n_f32(0.0); 8];
        for i in 0..4 {
            let v = vreinterpretq_u16_u8(vld1q_u8(p.add(16 * i)));
            w[2 * i] = f(vmovl_u16(vget_low_u16(v)));
            w[2 * i + 1] = f(vmovl_high_u16(v));
        }
        w
    }
}

// SAFETY: NEON is baseline on aarch64; pointer reads and writes as documented (byte loads,
// so any alignment).
unsafe impl Simd for Neon {
    type W = [float32x4_t; 8];
    type B = [uint8x16_t; 2];
    type Acc = [float32x4_t; 4];

    #[inline(always)]
    unsafe fn load_b(p: *const u8) -> [uint8x16_t; 2] {
        // SAFETY: the trait's contract.
        unsafe { [vld1q_u8(p), vld1q_u8(p.add(16))] }
    }
    #[inline(always)]
    unsafe fn nibbles16(p: *const u8) -> [uint8x16_t; 2] {
        // SAFETY: the trait's contract.
        unsafe {
            let v = vld1q_u8(p);
            [vandq_u8(v, vdupq_n_u8(0x0F)), vshrq_n_u8::<4>(v)]
        }
    }
    #[inline(always)]
    unsafe fn and_b(b: [uint8x16_t; 2], m: u8) -> [uint8x16_t; 2] {
        // SAFETY: the trait's contract.
        unsafe { b.map(|v| vandq_u8(v, vdupq_n_u8(m))) }
    }
    #[inline(always)]
    unsafe fn or_b(b: [uint8x16_t; 2], c: [uint8x16_t; 2]) -> [uint8x16_t; 2] {
        // SAFETY: the trait's contract.
        unsafe { [vorrq_u8(b[0], c[0]), vorrq_u8(b[1], c[1])] }
    }
    #[inline(always)]
    unsafe fn shr_b(b: [uint8x16_t; 2], n: u32) -> [uint8x16_t; 2] {
        // SAFETY: the trait's contract (a negative count shifts right, logically for u8).
        unsafe { b.map(|v| vshlq_u8(v, vdupq_n_s8(-(n as i8)))) }
    }
    #[inline(always)]
    unsafe fn shl_b(b: [uint8x16_t; 2], n: u32) -> [uint8x16_t; 2] {
        // SAFETY: the trait's contract.
        unsafe { b.map(|v| vshlq_u8(v, vdupq_n_s8(n as i8))) }
    }
    #[inline(always)]
    unsafe fn u8_to_w(b: [uint8x16_t; 2]) -> [float32x4_t; 8] {
        // SAFETY: the trait's contract.
        unsafe {
            let (a, c) = (u8x16_w(b[0]), u8x16_w(b[1]));
            [a[0], a[1], a[2], a[3], c[0], c[1], c[2], c[3]]
        }
    }
    #[inline(always)]
    unsafe fn i8_to_w(b: [uint8x16_t; 2]) -> [float32x4_t; 8] {
        // SAFETY: the trait's contract.
        unsafe {
            let (a, c) = (i8x16_w(b[0]), i8x16_w(b[1]));
            [a[0], a[1], a[2], a[3], c[0], c[1], c[2], c[3]]
        }
    }
    #[inline(always)]
    unsafe fn add_s(w: [float32x4_t; 8], a: f32) -> [float32x4_t; 8] {
        // SAFETY: the trait's contract.
        unsafe {
            let a = vdupq_n_f32(a);
            w.map(|v| vaddq_f32(v, a))
        }
    }
    #[inline(always)]
    unsafe fn mul_s(w: [float32x4_t; 8], a: f32) -> [float32x4_t; 8] {
        // SAFETY: the trait's contract.
        unsafe { w.map(|v| vmulq_n_f32(v, a)) }
    }
    #[inline(always)]
    unsafe fn mul_s2(w: [float32x4_t; 8], a: f32, b: f32) -> [float32x4_t; 8] {
        // SAFETY: the trait's contract.
        unsafe { core::array::from_fn(|i| vmulq_n_f32(w[i], if i < 4 { a } else { b })) }
    }
    #[inline(always)]
    unsafe fn fma_s(w: [float32x4_t; 8], a: f32, c: f32) -> [float32x4_t; 8] {
        // SAFETY: the trait's contract.
        unsafe {
            let c = vdupq_n_f32(c);
            w.map(|v| vfmaq_n_f32(c, v, a))
        }
    }
    #[inline(always)]
    unsafe fn load_f32(p: *const u8) -> [float32x4_t; 8] {
        // SAFETY: the trait's contract.
        unsafe { core::array::from_fn(|i| vreinterpretq_f32_u8(vld1q_u8(p.add(16 * i)))) }
    }
    #[inline(always)]
    unsafe fn load_f16(p: *const u8) -> [float32x4_t; 8] {
        // SAFETY: the trait's contract (64 bytes).
        unsafe { u16_groups(p, |h| f16x4(h)) }
    }
    #[inline(always)]
    unsafe fn load_bf16(p: *const u8) -> [float32x4_t; 8] {
        // SAFETY: the trait's contract (64 bytes). bf16 is the upper half of an f32.
        unsafe { u16_groups(p, |h| vreinterpretq_f32_u32(vshlq_n_u32::<16>(h))) }
    }
    #[inline(always)]
    unsafe fn f16(p: *const u8) -> f32 {
        // SAFETY: the trait's contract (2 bytes).
        f16_bits_to_f32(unsafe { (p as *const u16).read_unaligned() })
    }
    #[inline(always)]
    unsafe fn store(w: [float32x4_t; 8], p: *mut f32) {
        // SAFETY: the trait's contract.
        unsafe {
            for (i, v) in w.into_iter().enumerate() {
                vst1q_f32(p.add(4 * i), v);
            }
        }
    }
    #[inline(always)]
    unsafe fn acc_zero() -> [float32x4_t; 4] {
        // SAFETY: the trait's contract.
        unsafe { [vdupq_n_f32(0.0); 4] }
    }
    #[inline(always)]
    unsafe fn acc_fma(acc: &mut [float32x4_t; 4], w: [float32x4_t; 8], x: *const f32) {
        // SAFETY: the trait's contract.
        unsafe {
            for (i, v) in w.into_iter().enumerate() {
                acc[i % 4] = vfmaq_f32(acc[i % 4], v, vld1q_f32(x.add(4 * i)));
            }
        }
    }
    #[inline(always)]
    unsafe fn acc_sum(acc: [float32x4_t; 4]) -> f32 {
        // SAFETY: the trait's contract. A fixed tree: (0 + 1) + (2 + 3), then across lanes.
        unsafe {
            vaddvq_f32(vaddq_f32(
                vaddq_f32(acc[0], acc[1]),
                vaddq_f32(acc[2], acc[3]),
            ))
        }
    }
}

super::isa_kernels!(
    Neon,
    [],
    max_mr = 4,
    nr = |mr| if mr == 1 { 2 } else { 1 },
    tiles = [(1, 2), (1, 1), (2, 1), (3, 1), (4, 1)]
);
