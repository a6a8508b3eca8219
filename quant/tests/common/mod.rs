//! Random weight matrices for the kernel tests: random bytes for the quantized values, with
//! every f16 scale overwritten by a finite one (|d| in [1e-4, 1]) so no block is inf or NaN.

#![allow(dead_code)]

use hir_quant::{QuantMatrix, WeightFormat};
use proptest::prelude::*;

/// A finite f16 with magnitude in [1e-4, 1] (or zero), little-endian.
pub fn scale_bytes(mag: f32, neg: bool) -> [u8; 2] {
    let v = if neg { -mag } else { mag };
    half::f16::from_f32(v).to_le_bytes()
}

/// Byte offsets of the f16 scales inside one block of `f`.
pub fn scale_offsets(f: WeightFormat) -> &'static [usize] {
    match f {
        WeightFormat::Q8_0 | WeightFormat::Q4_0 => &[0],
        WeightFormat::Q4_1 | WeightFormat::Q4_K | WeightFormat::Q5_K => &[0, 2],
        WeightFormat::Q6_K => &[208],
        _ => &[],
    }
}

/// `rows × cols` weights of `f` built from `seed` bytes: quantized blocks get random bytes
/// with sane scales, plain formats random values in [-2, 2].
pub fn weights(f: WeightFormat, rows: usize, cols: usize, seed: u64) -> Vec<u8> {
    let mut rng = seed;
    let mut next = move || {
        // splitmix64
        rng = rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let unit = |v: u64| (v >> 40) as f32 / (1u64 << 24) as f32; // [0, 1)
    let n = rows * cols;
    match f {
        WeightFormat::F32 => (0..n)
            .flat_map(|_| (unit(next()) * 4.0 - 2.0).to_le_bytes())
            .collect(),
        WeightFormat::F16 => (0..n)
            .flat_map(|_| half::f16::from_f32(unit(next()) * 4.0 - 2.0).to_le_bytes())
            .collect(),
        WeightFormat::BF16 => (0..n)
            .flat_map(|_| half::bf16::from_f32(unit(next()) * 4.0 - 2.0).to_le_bytes())
            .collect(),
        _ => {
            let bb = f.block_bytes();
            let blocks = n / f.block_elems();
            let mut b: Vec<u8> = (0..blocks * bb).map(|_| next() as u8).collect();
            for blk in b.chunks_exact_mut(bb) {
                for &o in scale_offsets(f) {
                    let r = next();
                    // log-uniform magnitude in [1e-4, 1]
                    let mag = 10f32.powf(-4.0 * unit(r));
                    blk[o..o + 2].copy_from_slice(&scale_bytes(mag, r & 1 == 1));
                }
            }
            b
        }
    }
}

/// Activations in [-1, 1].
pub fn activations(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

/// `(Σ w·x in f64, Σ |w·x|)` for every (activation row, weight row in `rows`), from the
/// reference dequantizer.
pub fn reference(
    x: &[f32],
    m: usize,
    w: &QuantMatrix<'_>,
    rows: core::ops::Range<usize>,
) -> Vec<(f64, f64)> {
    let k = w.cols();
    let n = rows.len();
    let mut out = vec![(0.0, 0.0); m * n];
    let mut wr = vec![0f32; k];
    for (jj, j) in rows.enumerate() {
        w.dequantize_row(j, &mut wr);
        for r in 0..m {
            let (mut s, mut a) = (0f64, 0f64);
            for (xv, wv) in x[r * k..(r + 1) * k].iter().zip(&wr) {
                let p = *xv as f64 * *wv as f64;
                s += p;
                a += p.abs();
            }
            out[r * n + jj] = (s, a);
        }
    }
    out
}

/// The relative tolerance of the kernels against the f64 reference, on `Σ |w·x|`.
pub const REL: f64 = 1e-5;
/// The absolute slack added to it (for sums that are exactly zero).
pub const ABS: f64 = 1e-12;

/// A test case: format, shape, row range, activation rows, seeds.
#[derive(Debug, Clone)]
pub struct Case {
    pub format: WeightFormat,
    pub rows: usize,
    pub cols: usize,
    pub range: core::ops::Range<usize>,
    pub m: usize,
    pub seed: u64,
}

/// Cases over every format: `cols` a random multiple of the block size (any length for the
/// plain formats, so the tail past the last 32 values is covered), m in 1..=17, a random
/// row range.
pub fn cases() -> impl Strategy<Value = Case> {
    (
        proptest::sample::select(WeightFormat::ALL.to_vec()),
        1usize..=9,
        1usize..=24,
        1usize..=17,
        any::<u64>(),
        any::<(u16, u16)>(),
    )
        .prop_map(|(format, rows, units, m, seed, (a, b))| {
            let cols = match format.block_elems() {
                1 => units * 13 + (seed as usize % 7),
                32 => units * 32,
                _ => (units % 3 + 1) * 256,
            };
            let (a, b) = (a as usize % (rows + 1), b as usize % (rows + 1));
            Case {
                format,
                rows,
                cols,
                range: a.min(b)..a.max(b),
                m,
                seed,
            }
        })
}
