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
