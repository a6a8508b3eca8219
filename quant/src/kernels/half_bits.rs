//! IEEE half → f32 by integer arithmetic, for aarch64: stable Rust has no f16 vector
//! intrinsics there, so the NEON kernels widen halves with this recipe lane by lane. The
//! scalar form here is what they mirror, and is checked against `half` for all 65,536 bit
//! patterns.
//!
//! Recipe: put the 15 exponent-and-mantissa bits where f32 keeps them (`<< 13`), which reads
//! as the value times 2⁻¹¹²; multiply by 2¹¹² (exact: normal halves become normal f32,
//! subnormal halves are f32 subnormals scaled into the normal range); for infinities and
//! NaNs (exponent all ones) set the f32 exponent to all ones instead; then the sign.

/// 2¹¹² as f32 bits (exponent 112 + 127).
pub(crate) const TWO_POW_112: u32 = 0x7780_0000;

/// The half with bits `h`, as f32.
#[inline(always)]
pub(crate) fn f16_bits_to_f32(h: u16) -> f32 {
    let h = h as u32;
    let sign = (h & 0x8000) << 16;
    let em = h & 0x7FFF;
    let mag = if em >= 0x7C00 {
        (em << 13) | 0x7F80_0000
    } else {
        (f32::from_bits(em << 13) * f32::from_bits(TWO_POW_112)).to_bits()
    };
    f32::from_bits(mag | sign)
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_half_for_every_bit_pattern() {
        for h in 0..=u16::MAX {
            let want = half::f16::from_bits(h).to_f32();
            let got = super::f16_bits_to_f32(h);
            if want.is_nan() {
                assert!(got.is_nan(), "{h:#06x}");
            } else {
                assert_eq!(got.to_bits(), want.to_bits(), "{h:#06x}");
            }
        }
    }
}
