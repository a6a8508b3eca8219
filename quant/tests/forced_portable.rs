//! `HIR_SIMD=avx2` caps the choice and `HIR_SIMD=portable` forces the portable kernels (its own test binary: the environment is
//! process-wide), and they match the reference.

mod common;

use common::*;
use hir_quant::{matmul_xwt, Isa, QuantMatrix, WeightFormat};

#[test]
fn hir_simd_portable_is_honoured_and_correct() {
    // The only test of this binary: nothing else reads the environment meanwhile.
    std::env::set_var("HIR_SIMD", "avx2");
    if Isa::Avx2.is_supported() {
        assert_eq!(Isa::detect(), Isa::Avx2);
    }
    std::env::set_var("HIR_SIMD", "portable");
    let isa = Isa::detect();
    assert_eq!(isa, Isa::Portable);
    for f in WeightFormat::ALL {
        let (rows, cols, m) = (5, 2 * f.block_elems().max(48), 3);
        let bytes = weights(f, rows, cols, 11);
        let w = QuantMatrix::new(f, rows, cols, &bytes).unwrap();
        let x = activations(m * cols, 5);
        let mut out = vec![0f32; m * rows];
        matmul_xwt(isa, &x, m, &w, 0..rows, &mut out);
        for (g, (s, a)) in out.iter().zip(reference(&x, m, &w, 0..rows)) {
            assert!((*g as f64 - s).abs() <= REL * a + ABS, "{f}: {g} vs {s}");
        }
    }
}
