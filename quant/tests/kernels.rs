//! The kernels of `matmul_xwt` and `dequantize_rows` against the reference dequantizer, for
//! every format × every instruction set this CPU runs (the portable one always).
//!
//! Tolerance: `|got − ref| ≤ 1e-5 · Σ|w·x| + 1e-12`, where `ref` is the f64 sum over the
//! dequantized f32 weights. The issue asks for "1e-5 relative of the dequantized f32
//! computation"; relative to `|Σ w·x|` that is not attainable by any f32 summation once
//! terms cancel (the sum can be ~0 while its terms are not), so the bound is relative to
//! `Σ|w·x|`, the quantity f32 rounding error actually scales with.

mod common;

use common::*;
use hir_quant::{dequantize_rows, matmul_xwt, Isa, QuantMatrix, WeightFormat};
use proptest::prelude::*;

/// `matmul_xwt` of a case with `isa`.
fn run(isa: Isa, c: &Case, bytes: &[u8], x: &[f32]) -> Vec<f32> {
    let w = QuantMatrix::new(c.format, c.rows, c.cols, bytes).unwrap();
    let mut out = vec![f32::NAN; c.m * c.range.len()];
    matmul_xwt(isa, x, c.m, &w, c.range.clone(), &mut out);
    out
}

fn check(isa: Isa, c: &Case) -> Result<(), TestCaseError> {
    let bytes = weights(c.format, c.rows, c.cols, c.seed);
    let x = activations(c.m * c.cols, c.seed ^ 0x5555);
    let w = QuantMatrix::new(c.format, c.rows, c.cols, &bytes).unwrap();
    let want = reference(&x, c.m, &w, c.range.clone());
    let got = run(isa, c, &bytes, &x);
    for (i, (&g, &(s, a))) in got.iter().zip(&want).enumerate() {
        let tol = REL * a + ABS;
        prop_assert!(
            (g as f64 - s).abs() <= tol,
            "{} {}: out[{i}] = {g}, reference {s} (Σ|w·x| = {a}, tolerance {tol})",
            isa.name(),
            c.format
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Every instruction set this CPU runs matches the reference.
    #[test]
    fn every_isa_matches_the_dequantized_product(c in cases()) {
        for isa in Isa::available() {
            check(isa, &c)?;
        }
    }

    /// The portable kernels, forced, match the reference (they are the fallback everywhere).
    #[test]
    fn portable_matches_the_dequantized_product(c in cases()) {
        check(Isa::Portable, &c)?;
    }

    /// The instruction sets agree with each other (each within the tolerance of the
    /// reference, so within twice of each other).
    #[test]
    fn instruction_sets_agree(c in cases()) {
        let bytes = weights(c.format, c.rows, c.cols, c.seed);
        let x = activations(c.m * c.cols, c.seed ^ 0x77);
        let w = QuantMatrix::new(c.format, c.rows, c.cols, &bytes).unwrap();
        let abs = reference(&x, c.m, &w, c.range.clone());
        let base = run(Isa::Portable, &c, &bytes, &x);
        for isa in Isa::available() {
            let got = run(isa, &c, &bytes, &x);
            for ((g, b), (_, a)) in got.iter().zip(&base).zip(&abs) {
                prop_assert!((g - b).abs() as f64 <= 2.0 * (REL * a + ABS), "{}: {g} vs portable {b}", isa.name());
            }
        }
    }

    /// Same call, same bits; and the bits do not depend on how the weight rows are split
    /// (threads) or on which other activation rows are in the call (batched decode).
    #[test]
    fn deterministic_across_calls_splits_and_batches(c in cases(), cut in any::<u16>()) {
        let bytes = weights(c.format, c.rows, c.cols, c.seed);
        let x = activations(c.m * c.cols, c.seed ^ 0x99);
        let w = QuantMatrix::new(c.format, c.rows, c.cols, &bytes).unwrap();
        let (n, k) = (c.range.len(), c.cols);
        for isa in Isa::available() {
            let a = run(isa, &c, &bytes, &x);
            let b = run(isa, &c, &bytes, &x);
            prop_assert_eq!(bits(&a), bits(&b));
            // Split the rows in two at `mid`.
            let mid = c.range.start + cut as usize % (n + 1);
            let mut lo = vec![0f32; c.m * (mid - c.range.start)];
            let mut hi = vec![0f32; c.m * (c.range.end - mid)];
            matmul_xwt(isa, &x, c.m, &w, c.range.start..mid, &mut lo);
            matmul_xwt(isa, &x, c.m, &w, mid..c.range.end, &mut hi);
            for r in 0..c.m {
                let joined: Vec<f32> = lo[r * (mid - c.range.start)..(r + 1) * (mid - c.range.start)]
                    .iter()
                    .chain(&hi[r * (c.range.end - mid)..(r + 1) * (c.range.end - mid)])
                    .copied()
                    .collect();
                prop_assert_eq!(bits(&joined), bits(&a[r * n..(r + 1) * n]), "{} split", isa.name());
                // Row r alone.
                let mut one = vec![0f32; n];
                matmul_xwt(isa, &x[r * k..(r + 1) * k], 1, &w, c.range.clone(), &mut one);
                prop_assert_eq!(bits(&one), bits(&a[r * n..(r + 1) * n]), "{} row alone", isa.name());
            }
        }
    }

    /// `dequantize_rows` gives the reference's values: bit for bit where the arithmetic is
    /// the same, within one rounding of `d · q` and `m` where `d · q + m` is fused.
    #[test]
    fn dequantize_rows_matches_the_reference(c in cases()) {
        let bytes = weights(c.format, c.rows, c.cols, c.seed);
        let w = QuantMatrix::new(c.format, c.rows, c.cols, &bytes).unwrap();
        let k = c.cols;
        let mut want = vec![0f32; c.range.len() * k];
        for (i, j) in c.range.clone().enumerate() {
            w.dequantize_row(j, &mut want[i * k..(i + 1) * k]);
        }
        let fused = matches!(c.format, WeightFormat::Q4_1 | WeightFormat::Q4_K | WeightFormat::Q5_K);
        for isa in Isa::available() {
            let mut got = vec![f32::NAN; want.len()];
            dequantize_rows(isa, &w, c.range.clone(), &mut got);
            if !fused || isa == Isa::Portable {
                prop_assert_eq!(bits(&got), bits(&want), "{} {}", isa.name(), c.format);
            } else {
                // |fma(q, d, -m) - (q·d - m)| ≤ one rounding of q·d plus one of the result;
                // both are below 2⁻²³ · (|q·d| + |m|) ≤ 2⁻²³ · (|y| + 2|m|), and |m| is at
                // most the block's largest |y| (q = 0 gives y = -m).
                let big = want.iter().fold(0f32, |a, v| a.max(v.abs()));
                for (g, v) in got.iter().zip(&want) {
                    prop_assert!((g - v).abs() <= 2.0 * f32::EPSILON * (v.abs() + 2.0 * big), "{} {}: {g} vs {v}", isa.name(), c.format);
                }
            }
        }
    }
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|f| f.to_bits()).collect()
}

/// Edge shapes: nothing to do, and a single weight row.
#[test]
fn empty_and_single_shapes() {
    for f in WeightFormat::ALL {
        let cols = f.block_elems().max(32);
        let bytes = weights(f, 3, cols, 7);
        let w = QuantMatrix::new(f, 3, cols, &bytes).unwrap();
        let x = activations(2 * cols, 3);
        for isa in Isa::available() {
            let mut out: Vec<f32> = vec![];
            matmul_xwt(isa, &x, 2, &w, 1..1, &mut out);
            matmul_xwt(isa, &[], 0, &w, 0..3, &mut out);
            let c = Case {
                format: f,
                rows: 3,
                cols,
                range: 2..3,
                m: 2,
                seed: 7,
            };
            check(isa, &c).unwrap();
        }
    }
}
