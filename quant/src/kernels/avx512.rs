//! The AVX-512 kernels (F + BW, with the AVX2, FMA and F16C sets the CPUs that have it
//! carry): a chunk is two zmm registers, the running sums of a pair two more.
//!
//! Tiles: 1 activation row × 4 weight rows (8 independent sums: enough to hide the FMA
//! latency at single-stream decode, and the activations are loaded once for 4 rows),
//! 2–4 rows × 2, 5–8 rows × 1 (at most 16 sums + the chunk in the 32 registers).

use super::simd::Simd;
use core::arch::x86_64::*;

/// AVX-512 F + BW.
#[derive(Clone, Copy)]
pub(crate) struct Avx512;

// SAFETY: only called from the `#[target_feature]` functions below, which run after
// `Isa::Avx512.is_supported()`; pointer reads and writes as documented (unaligned loads).
unsafe impl Simd for Avx512 {
    type W = [__m512; 2];
    type B = __m256i;
    type Acc = [__m512; 2];

    #[inline(always)]
    unsafe fn load_b(p: *const u8) -> __m256i {
        // SAFETY: the trait's contract.
        unsafe { _mm256_loadu_si256(p as *const __m256i) }
    }
    #[inline(always)]
    unsafe fn nibbles16(p: *const u8) -> __m256i {
        // SAFETY: the trait's contract.
        unsafe {
            let v = _mm_loadu_si128(p as *const __m128i);
            let m = _mm_set1_epi8(0x0F);
            let lo = _mm_and_si128(v, m);
            let hi = _mm_and_si128(_mm_srli_epi16::<4>(v), m);
            _mm256_set_m128i(hi, lo)
        }
    }
    #[inline(always)]
    unsafe fn and_b(b: __m256i, m: u8) -> __m256i {
        // SAFETY: the trait's contract.
        unsafe { _mm256_and_si256(b, _mm256_set1_epi8(m as i8)) }
    }
    #[inline(always)]
    unsafe fn or_b(b: __m256i, c: __m256i) -> __m256i {
        // SAFETY: the trait's contract.
        unsafe { _mm256_or_si256(b, c) }
    }
    #[inline(always)]
    unsafe fn shr_b(b: __m256i, n: u32) -> __m256i {
        // SAFETY: the trait's contract. A 16-bit shift, then the bits that crossed from the
        // neighbouring byte masked off.
        unsafe {
            let s = _mm256_srl_epi16(b, _mm_cvtsi32_si128(n as i32));
            _mm256_and_si256(s, _mm256_set1_epi8((0xFFu8 >> n) as i8))
        }
    }
    #[inline(always)]
    unsafe fn shl_b(b: __m256i, n: u32) -> __m256i {
        // SAFETY: the trait's contract (as `shr_b`).
        unsafe {
            let s = _mm256_sll_epi16(b, _mm_cvtsi32_si128(n as i32));
            _mm256_and_si256(s, _mm256_set1_epi8((0xFFu8 << n) as i8))
        }
    }
    #[inline(always)]
    unsafe fn u8_to_w(b: __m256i) -> [__m512; 2] {
        // SAFETY: the trait's contract.
        unsafe {
            let lo = _mm512_cvtepu8_epi32(_mm256_castsi256_si128(b));
            let hi = _mm512_cvtepu8_epi32(_mm256_extracti128_si256::<1>(b));
            [_mm512_cvtepi32_ps(lo), _mm512_cvtepi32_ps(hi)]
        }
    }
    #[inline(always)]
    unsafe fn i8_to_w(b: __m256i) -> [__m512; 2] {
        // SAFETY: the trait's contract.
        unsafe {
            let lo = _mm512_cvtepi8_epi32(_mm256_castsi256_si128(b));
            let hi = _mm512_cvtepi8_epi32(_mm256_extracti128_si256::<1>(b));
            [_mm512_cvtepi32_ps(lo), _mm512_cvtepi32_ps(hi)]
        }
    }
    #[inline(always)]
    unsafe fn nibbles16_w(p: *const u8) -> [__m512; 2] {
        // SAFETY: the trait's contract. Widen the 16 bytes to 32-bit lanes first, then split
        // the nibbles there (no 128-bit shuffles).
        unsafe {
            let v = _mm512_cvtepu8_epi32(_mm_loadu_si128(p as *const __m128i));
            let lo = _mm512_and_si512(v, _mm512_set1_epi32(0x0F));
            let hi = _mm512_srli_epi32::<4>(v);
            [_mm512_cvtepi32_ps(lo), _mm512_cvtepi32_ps(hi)]
        }
    }
    #[inline(always)]
    unsafe fn add_s(w: [__m512; 2], a: f32) -> [__m512; 2] {
        // SAFETY: the trait's contract.
        unsafe {
            let a = _mm512_set1_ps(a);
            [_mm512_add_ps(w[0], a), _mm512_add_ps(w[1], a)]
        }
    }
    #[inline(always)]
    unsafe fn mul_s(w: [__m512; 2], a: f32) -> [__m512; 2] {
        // SAFETY: the trait's contract.
        unsafe {
            let a = _mm512_set1_ps(a);
            [_mm512_mul_ps(w[0], a), _mm512_mul_ps(w[1], a)]
        }
    }
    #[inline(always)]
    unsafe fn mul_s2(w: [__m512; 2], a: f32, b: f32) -> [__m512; 2] {
        // SAFETY: the trait's contract.
        unsafe {
            [
                _mm512_mul_ps(w[0], _mm512_set1_ps(a)),
                _mm512_mul_ps(w[1], _mm512_set1_ps(b)),
            ]
        }
    }
    #[inline(always)]
    unsafe fn fma_s(w: [__m512; 2], a: f32, c: f32) -> [__m512; 2] {
        // SAFETY: the trait's contract.
        unsafe {
            let (a, c) = (_mm512_set1_ps(a), _mm512_set1_ps(c));
            [_mm512_fmadd_ps(w[0], a, c), _mm512_fmadd_ps(w[1], a, c)]
        }
    }
    #[inline(always)]
    unsafe fn load_f32(p: *const u8) -> [__m512; 2] {
        // SAFETY: the trait's contract.
        unsafe {
            let p = p as *const f32;
            [_mm512_loadu_ps(p), _mm512_loadu_ps(p.add(16))]
        }
    }
    #[inline(always)]
    unsafe fn load_f16(p: *const u8) -> [__m512; 2] {
        // SAFETY: the trait's contract.
        unsafe {
            let p = p as *const __m256i;
            [
                _mm512_cvtph_ps(_mm256_loadu_si256(p)),
                _mm512_cvtph_ps(_mm256_loadu_si256(p.add(1))),
            ]
        }
    }
    #[inline(always)]
    unsafe fn load_bf16(p: *const u8) -> [__m512; 2] {
        // SAFETY: the trait's contract. bf16 is the upper half of an f32.
        unsafe {
            let p = p as *const __m256i;
            let w = |v| _mm512_castsi512_ps(_mm512_slli_epi32::<16>(_mm512_cvtepu16_epi32(v)));
            [w(_mm256_loadu_si256(p)), w(_mm256_loadu_si256(p.add(1)))]
        }
    }
    #[inline(always)]
    unsafe fn f16(p: *const u8) -> f32 {
        // SAFETY: the trait's contract (F16C).
        unsafe {
            let h = (p as *const u16).read_unaligned();
            _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(h as i32)))
        }
    }
    #[inline(always)]
    unsafe fn store(w: [__m512; 2], p: *mut f32) {
        // SAFETY: the trait's contract.
        unsafe {
            _mm512_storeu_ps(p, w[0]);
            _mm512_storeu_ps(p.add(16), w[1]);
        }
    }
    #[inline(always)]
    unsafe fn prefetch(p: *const u8) {
        // SAFETY: a prefetch never faults.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p as *const i8) }
    }
    #[inline(always)]
    unsafe fn acc_zero() -> [__m512; 2] {
        // SAFETY: the trait's contract.
        unsafe { [_mm512_setzero_ps(); 2] }
    }
    #[inline(always)]
    unsafe fn acc_fma(acc: &mut [__m512; 2], w: [__m512; 2], x: *const f32) {
        // SAFETY: the trait's contract.
        unsafe {
            acc[0] = _mm512_fmadd_ps(w[0], _mm512_loadu_ps(x), acc[0]);
            acc[1] = _mm512_fmadd_ps(w[1], _mm512_loadu_ps(x.add(16)), acc[1]);
        }
    }
    #[inline(always)]
    unsafe fn acc_sum(acc: [__m512; 2]) -> f32 {
        // SAFETY: the trait's contract. `_mm512_reduce_add_ps` is a fixed shuffle tree.
        unsafe { _mm512_reduce_add_ps(_mm512_add_ps(acc[0], acc[1])) }
    }
}

super::isa_kernels!(
    Avx512,
    [#[target_feature(enable = "avx512f,avx512bw,avx2,fma,f16c")]],
    max_mr = 8,
    nr = |mr| match mr {
        1 => 4,
        2..=4 => 2,
        _ => 1,
    },
    tiles = [
        (1, 4),
        (1, 1),
        (2, 2),
        (2, 1),
        (3, 2),
        (3, 1),
        (4, 2),
        (4, 1),
        (5, 1),
        (6, 1),
        (7, 1),
        (8, 1)
    ]
);
