//! The AVX2 kernels (with FMA and F16C): a chunk is four ymm registers, the running sums of
//! a pair two (chunk vectors 0, 2 into one, 1, 3 into the other).
//!
//! Tiles: 1 activation row × 2 weight rows (4 independent sums), 2–4 rows × 1 (at most 8
//! sums + the 4-register chunk in the 16 registers).

use super::simd::Simd;
use core::arch::x86_64::*;

/// AVX2 + FMA + F16C.
#[derive(Clone, Copy)]
pub(crate) struct Avx2;

/// 8 f32 of 8 bytes at `p` zero- or sign-extended (`cvt`: `_mm256_cvtepu8_epi32` or
/// `_mm256_cvtepi8_epi32`).
#[inline(always)]
unsafe fn bytes_w(b: __m256i, cvt: unsafe fn(__m128i) -> __m256i) -> [__m256; 4] {
    // SAFETY: AVX2 is enabled in every caller.
    unsafe {
        let lo = _mm256_castsi256_si128(b);
        let hi = _mm256_extracti128_si256::<1>(b);
        [
            _mm256_cvtepi32_ps(cvt(lo)),
            _mm256_cvtepi32_ps(cvt(_mm_srli_si128::<8>(lo))),
            _mm256_cvtepi32_ps(cvt(hi)),
            _mm256_cvtepi32_ps(cvt(_mm_srli_si128::<8>(hi))),
        ]
    }
}

#[inline(always)]
unsafe fn cvt_u8(v: __m128i) -> __m256i {
    // SAFETY: AVX2 is enabled in every caller.
    unsafe { _mm256_cvtepu8_epi32(v) }
}

#[inline(always)]
unsafe fn cvt_i8(v: __m128i) -> __m256i {
    // SAFETY: AVX2 is enabled in every caller.
    unsafe { _mm256_cvtepi8_epi32(v) }
}

// SAFETY: only called from the `#[target_feature]` functions below, which run after
// `Isa::Avx2.is_supported()`; pointer reads and writes as documented (unaligned loads).
unsafe impl Simd for Avx2 {
    type W = [__m256; 4];
    type B = __m256i;
    type Acc = [__m256; 2];

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
    unsafe fn u8_to_w(b: __m256i) -> [__m256; 4] {
        // SAFETY: the trait's contract.
        unsafe { bytes_w(b, cvt_u8) }
    }
    #[inline(always)]
    unsafe fn i8_to_w(b: __m256i) -> [__m256; 4] {
        // SAFETY: the trait's contract.
        unsafe { bytes_w(b, cvt_i8) }
    }
    #[inline(always)]
    unsafe fn nibbles16_w(p: *const u8) -> [__m256; 4] {
        // SAFETY: the trait's contract. Widen 8 bytes at a time to 32-bit lanes, then split
        // the nibbles there.
        unsafe {
            let v = _mm_loadu_si128(p as *const __m128i);
            let a = _mm256_cvtepu8_epi32(v);
            let b = _mm256_cvtepu8_epi32(_mm_srli_si128::<8>(v));
            let m = _mm256_set1_epi32(0x0F);
            [
                _mm256_cvtepi32_ps(_mm256_and_si256(a, m)),
                _mm256_cvtepi32_ps(_mm256_and_si256(b, m)),
                _mm256_cvtepi32_ps(_mm256_srli_epi32::<4>(a)),
                _mm256_cvtepi32_ps(_mm256_srli_epi32::<4>(b)),
            ]
        }
    }
    #[inline(always)]
    unsafe fn add_s(w: [__m256; 4], a: f32) -> [__m256; 4] {
        // SAFETY: the trait's contract.
        unsafe {
            let a = _mm256_set1_ps(a);
            w.map(|v| _mm256_add_ps(v, a))
        }
    }
    #[inline(always)]
    unsafe fn mul_s(w: [__m256; 4], a: f32) -> [__m256; 4] {
        // SAFETY: the trait's contract.
        unsafe {
            let a = _mm256_set1_ps(a);
            w.map(|v| _mm256_mul_ps(v, a))
        }
    }
    #[inline(always)]
    unsafe fn mul_s2(w: [__m256; 4], a: f32, b: f32) -> [__m256; 4] {
        // SAFETY: the trait's contract.
        unsafe {
            let (a, b) = (_mm256_set1_ps(a), _mm256_set1_ps(b));
            [
                _mm256_mul_ps(w[0], a),
                _mm256_mul_ps(w[1], a),
                _mm256_mul_ps(w[2], b),
                _mm256_mul_ps(w[3], b),
            ]
        }
    }
    #[inline(always)]
    unsafe fn fma_s(w: [__m256; 4], a: f32, c: f32) -> [__m256; 4] {
        // SAFETY: the trait's contract.
        unsafe {
            let (a, c) = (_mm256_set1_ps(a), _mm256_set1_ps(c));
            w.map(|v| _mm256_fmadd_ps(v, a, c))
        }
    }
    #[inline(always)]
    unsafe fn load_f32(p: *const u8) -> [__m256; 4] {
        // SAFETY: the trait's contract.
        unsafe {
            let p = p as *const f32;
            core::array::from_fn(|i| _mm256_loadu_ps(p.add(8 * i)))
        }
    }
    #[inline(always)]
    unsafe fn load_f16(p: *const u8) -> [__m256; 4] {
        // SAFETY: the trait's contract.
        unsafe {
            let p = p as *const __m128i;
            core::array::from_fn(|i| _mm256_cvtph_ps(_mm_loadu_si128(p.add(i))))
        }
    }
    #[inline(always)]
    unsafe fn load_bf16(p: *const u8) -> [__m256; 4] {
        // SAFETY: the trait's contract. bf16 is the upper half of an f32.
        unsafe {
            let p = p as *const __m128i;
            core::array::from_fn(|i| {
                let v = _mm256_cvtepu16_epi32(_mm_loadu_si128(p.add(i)));
                _mm256_castsi256_ps(_mm256_slli_epi32::<16>(v))
            })
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
    unsafe fn store(w: [__m256; 4], p: *mut f32) {
        // SAFETY: the trait's contract.
        unsafe {
            for (i, v) in w.into_iter().enumerate() {
                _mm256_storeu_ps(p.add(8 * i), v);
            }
        }
    }
    #[inline(always)]
    unsafe fn prefetch(p: *const u8) {
        // SAFETY: a prefetch never faults.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p as *const i8) }
    }
    #[inline(always)]
    unsafe fn acc_zero() -> [__m256; 2] {
        // SAFETY: the trait's contract.
        unsafe { [_mm256_setzero_ps(); 2] }
    }
    #[inline(always)]
    unsafe fn acc_fma(acc: &mut [__m256; 2], w: [__m256; 4], x: *const f32) {
        // SAFETY: the trait's contract.
        unsafe {
            for (i, v) in w.into_iter().enumerate() {
                acc[i % 2] = _mm256_fmadd_ps(v, _mm256_loadu_ps(x.add(8 * i)), acc[i % 2]);
            }
        }
    }
    #[inline(always)]
    unsafe fn acc_sum(acc: [__m256; 2]) -> f32 {
        // SAFETY: the trait's contract. A fixed tree: 8 → 4 → 2 → 1 lanes.
        unsafe {
            let v = _mm256_add_ps(acc[0], acc[1]);
            let q = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
            let d = _mm_add_ps(q, _mm_movehl_ps(q, q));
            let s = _mm_add_ss(d, _mm_movehdup_ps(d));
            _mm_cvtss_f32(s)
        }
    }
}

super::isa_kernels!(
    Avx2,
    [#[target_feature(enable = "avx2,fma,f16c")]],
    max_mr = 4,
    nr = |mr| if mr == 1 { 2 } else { 1 },
    tiles = [(1, 2), (1, 1), (2, 1), (3, 1), (4, 1)]
);
