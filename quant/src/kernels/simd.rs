//! [`Simd`]: the handful of vector operations the block decoders and the tile driver are
//! written against, implemented once per instruction set (`portable.rs`, `avx2.rs`,
//! `avx512.rs`, `neon.rs`).
//!
//! The unit of work is a *chunk* of 32 consecutive weight values ([`Simd::W`], 32 f32 in
//! registers) built from 32 bytes of quantized values ([`Simd::B`]). Every operation is
//! `#[inline(always)]` and `unsafe`: it is only ever inlined into a function compiled with
//! the instruction set's `#[target_feature]`s, after run-time detection said the CPU has them.

/// Vector operations for one instruction set (see the module docs).
///
/// # Safety
/// Implementations use instructions of their instruction set; every method may only run
/// where [`crate::Isa::is_supported`] holds for it. Pointer arguments must be valid for the
/// reads and writes the method's doc names.
pub(crate) unsafe trait Simd {
    /// 32 f32 values (a chunk of one weight row).
    type W: Copy;
    /// 32 bytes.
    type B: Copy;
    /// The running sums of one (activation row, weight row) pair.
    type Acc: Copy;

    /// Whether the tile widens the f16 scales of the legacy formats 32 blocks ahead
    /// (`Decode::HALVES`, [`Simd::scales_ahead`]) and broadcasts them from memory instead of
    /// converting and shuffling them block by block. Measured, cache-resident, m = 1, A/B
    /// interleaved in one run: AVX2 Q4_1 576→1536 129 → ~95 µs, Q8_0 109 → ~85 µs; AVX-512
    /// (with a gather, see its `scales_ahead`) Q4_1 75 → 62–70 µs, 1536→576 73 → 56–59,
    /// Q8_0 71 → 58–67, m = 4 Q4_1 ~130 → 108–126. The portable and NEON kernels keep the
    /// block-by-block path (not measured).
    const SCALES_AHEAD: bool = false;

    /// 32 bytes at `p`.
    unsafe fn load_b(p: *const u8) -> Self::B;
    /// The 16 bytes at `p` split into nibbles: low nibbles in bytes 0..16, high in 16..32
    /// (the legacy 4-bit layout).
    unsafe fn nibbles16(p: *const u8) -> Self::B;
    /// `b & m` per byte.
    unsafe fn and_b(b: Self::B, m: u8) -> Self::B;
    /// `b | c` per byte.
    unsafe fn or_b(b: Self::B, c: Self::B) -> Self::B;
    /// `b >> n` per byte (logical, `n < 8`).
    unsafe fn shr_b(b: Self::B, n: u32) -> Self::B;
    /// `b << n` per byte (`n < 8`).
    unsafe fn shl_b(b: Self::B, n: u32) -> Self::B;
    /// The bytes as unsigned integers, converted to f32.
    unsafe fn u8_to_w(b: Self::B) -> Self::W;
    /// The bytes as signed integers, converted to f32.
    unsafe fn i8_to_w(b: Self::B) -> Self::W;
    /// The 16 bytes at `p` as nibbles in f32 (low nibbles are values 0..16, high 16..32):
    /// `u8_to_w(nibbles16(p))`, which an instruction set may do in fewer steps.
    #[inline(always)]
    unsafe fn nibbles16_w(p: *const u8) -> Self::W {
        // SAFETY: the caller's contract.
        unsafe { Self::u8_to_w(Self::nibbles16(p)) }
    }

    /// `w + a`.
    unsafe fn add_s(w: Self::W, a: f32) -> Self::W;
    /// `w · a`.
    unsafe fn mul_s(w: Self::W, a: f32) -> Self::W;
    /// Values 0..16 times `a`, values 16..32 times `b`.
    unsafe fn mul_s2(w: Self::W, a: f32, b: f32) -> Self::W;
    /// `w · a + c` (fused where the instruction set fuses).
    unsafe fn fma_s(w: Self::W, a: f32, c: f32) -> Self::W;

    /// 32 little-endian f32 at `p` (any alignment).
    unsafe fn load_f32(p: *const u8) -> Self::W;
    /// 32 little-endian IEEE halves at `p`, widened.
    unsafe fn load_f16(p: *const u8) -> Self::W;
    /// 32 little-endian bfloat16 at `p`, widened.
    unsafe fn load_bf16(p: *const u8) -> Self::W;
    /// The little-endian half at `p`, as f32.
    unsafe fn f16(p: *const u8) -> f32;
    /// The 16 halves at `src` widened into `dst[0..16]`.
    #[inline(always)]
    unsafe fn f16x16(src: *const u16, dst: *mut f32) {
        // SAFETY: the caller's contract (16 readable halves, 16 writable values).
        unsafe {
            for i in 0..16 {
                *dst.add(i) = Self::f16(src.add(i) as *const u8);
            }
        }
    }
    /// The first `halves` (1 or 2) f16 of each of `seg` (≤ 32) blocks of `bytes` bytes at
    /// `row`, widened: half `i` of block `s` into `out[32 i + s]`.
    #[inline(always)]
    unsafe fn scales_ahead(row: *const u8, bytes: usize, halves: usize, seg: usize, out: *mut f32) {
        // SAFETY: the caller's contract (`seg` blocks readable, 64 values writable).
        unsafe {
            let mut h = [0u16; 64];
            for s in 0..seg {
                for i in 0..halves {
                    let p = row.add(s * bytes + 2 * i);
                    h[32 * i + s] = u16::from_le_bytes([*p, *p.add(1)]);
                }
            }
            for i in 0..halves {
                for c in (0..seg).step_by(16) {
                    Self::f16x16(h.as_ptr().add(32 * i + c), out.add(32 * i + c));
                }
            }
        }
    }
    /// Writes the 32 values to `p`.
    unsafe fn store(w: Self::W, p: *mut f32);

    /// Hints that the bytes at `p` will be read soon (any address; no fault).
    #[inline(always)]
    unsafe fn prefetch(_p: *const u8) {}

    /// Zeroed sums.
    unsafe fn acc_zero() -> Self::Acc;
    /// `acc += w · x[0..32]` lane by lane.
    unsafe fn acc_fma(acc: &mut Self::Acc, w: Self::W, x: *const f32);
    /// The total of the sums, reduced in a fixed order.
    unsafe fn acc_sum(acc: Self::Acc) -> f32;
}
