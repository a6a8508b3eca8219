//! The portable kernels: [`Simd`] on plain arrays (32 values, 16 running sums per pair),
//! written as independent lane-wise loops so the compiler vectorizes them for whatever
//! baseline the target has (SSE2 on x86-64), and correct on any target alone.

use super::simd::Simd;

/// Plain Rust, no explicit SIMD.
#[derive(Clone, Copy)]
pub(crate) struct Portable;

/// Lanes of the running sums.
const L: usize = 16;

#[inline(always)]
fn map_b(b: [u8; 32], f: impl Fn(u8) -> u8) -> [u8; 32] {
    b.map(f)
}

#[inline(always)]
fn map_w(w: [f32; 32], f: impl Fn(f32) -> f32) -> [f32; 32] {
    w.map(f)
}

// SAFETY: no instruction beyond the target's baseline; pointer reads as documented.
unsafe impl Simd for Portable {
    type W = [f32; 32];
    type B = [u8; 32];
    type Acc = [f32; L];

    #[inline(always)]
    unsafe fn load_b(p: *const u8) -> [u8; 32] {
        // SAFETY: the caller's contract (32 readable bytes).
        unsafe { (p as *const [u8; 32]).read_unaligned() }
    }
    #[inline(always)]
    unsafe fn nibbles16(p: *const u8) -> [u8; 32] {
        // SAFETY: the caller's contract (16 readable bytes).
        let q = unsafe { (p as *const [u8; 16]).read_unaligned() };
        core::array::from_fn(|i| if i < 16 { q[i] & 0x0F } else { q[i - 16] >> 4 })
    }
    #[inline(always)]
    unsafe fn and_b(b: [u8; 32], m: u8) -> [u8; 32] {
        map_b(b, |v| v & m)
    }
    #[inline(always)]
    unsafe fn or_b(b: [u8; 32], c: [u8; 32]) -> [u8; 32] {
        core::array::from_fn(|i| b[i] | c[i])
    }
    #[inline(always)]
    unsafe fn shr_b(b: [u8; 32], n: u32) -> [u8; 32] {
        map_b(b, |v| v >> n)
    }
    #[inline(always)]
    unsafe fn shl_b(b: [u8; 32], n: u32) -> [u8; 32] {
        map_b(b, |v| v << n)
    }
    #[inline(always)]
    unsafe fn u8_to_w(b: [u8; 32]) -> [f32; 32] {
        b.map(|v| v as f32)
    }
    #[inline(always)]
    unsafe fn i8_to_w(b: [u8; 32]) -> [f32; 32] {
        b.map(|v| v as i8 as f32)
    }
    #[inline(always)]
    unsafe fn add_s(w: [f32; 32], a: f32) -> [f32; 32] {
        map_w(w, |v| v + a)
    }
    #[inline(always)]
    unsafe fn mul_s(w: [f32; 32], a: f32) -> [f32; 32] {
        map_w(w, |v| v * a)
    }
    #[inline(always)]
    unsafe fn mul_s2(w: [f32; 32], a: f32, b: f32) -> [f32; 32] {
        core::array::from_fn(|i| w[i] * if i < 16 { a } else { b })
    }
    #[inline(always)]
    unsafe fn fma_s(w: [f32; 32], a: f32, c: f32) -> [f32; 32] {
        map_w(w, |v| v * a + c)
    }
    #[inline(always)]
    unsafe fn load_f32(p: *const u8) -> [f32; 32] {
        // SAFETY: the caller's contract (128 readable bytes).
        let b = unsafe { (p as *const [[u8; 4]; 32]).read_unaligned() };
        b.map(f32::from_le_bytes)
    }
    #[inline(always)]
    unsafe fn load_f16(p: *const u8) -> [f32; 32] {
        // SAFETY: the caller's contract (64 readable bytes).
        let b = unsafe { (p as *const [[u8; 2]; 32]).read_unaligned() };
        b.map(|h| half::f16::from_le_bytes(h).to_f32())
    }
    #[inline(always)]
    unsafe fn load_bf16(p: *const u8) -> [f32; 32] {
        // SAFETY: the caller's contract (64 readable bytes).
        let b = unsafe { (p as *const [[u8; 2]; 32]).read_unaligned() };
        b.map(|h| f32::from_bits((u16::from_le_bytes(h) as u32) << 16))
    }
    #[inline(always)]
    unsafe fn f16(p: *const u8) -> f32 {
        // SAFETY: the caller's contract (2 readable bytes).
        let b = unsafe { (p as *const [u8; 2]).read_unaligned() };
        half::f16::from_le_bytes(b).to_f32()
    }
    #[inline(always)]
    unsafe fn store(w: [f32; 32], p: *mut f32) {
        // SAFETY: the caller's contract (32 writable values).
        unsafe { (p as *mut [f32; 32]).write_unaligned(w) }
    }
    #[inline(always)]
    unsafe fn acc_zero() -> [f32; L] {
        [0.0; L]
    }
    #[inline(always)]
    unsafe fn acc_fma(acc: &mut [f32; L], w: [f32; 32], x: *const f32) {
        // SAFETY: the caller's contract (32 readable values).
        let x = unsafe { (x as *const [f32; 32]).read_unaligned() };
        for h in 0..2 {
            for l in 0..L {
                acc[l] += w[h * L + l] * x[h * L + l];
            }
        }
    }
    #[inline(always)]
    unsafe fn acc_sum(acc: [f32; L]) -> f32 {
        // A fixed pairwise tree.
        let mut a = acc;
        let mut len = L;
        while len > 1 {
            len /= 2;
            for i in 0..len {
                a[i] += a[i + len];
            }
        }
        a[0]
    }
}

super::isa_kernels!(
    Portable,
    [],
    max_mr = 4,
    nr = |_| 1,
    tiles = [(1, 1), (2, 1), (3, 1), (4, 1)]
);
