//! Stored weights (`upload_weight`) on the CPU backend against the same weights dequantized
//! to f32: products at decode sizes (straight from the blocks), at prefill sizes (dequantized
//! tiles into the f32 GEMM), the embedding gather, determinism across thread counts, and the
//! errors of the ops that need f32 tensors.

use hir_backend_cpu::{CpuBackend, CpuTensor};
use hir_core::backend::weight::dequantize;
use hir_core::backend::{Backend, BackendError, Matmul, QuantMatrix, WeightFormat};

/// A small xorshift generator (the test needs no statistical quality, only variety).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn byte(&mut self) -> u8 {
        (self.next() >> 24) as u8
    }
    fn uniform(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
    }
    /// An f16 bit pattern of magnitude in [2^-8, 2^-6) (a block scale), sign positive.
    fn f16_scale(&mut self) -> [u8; 2] {
        let bits = (0x0B << 10) | (self.next() as u16 & 0x07FF);
        bits.to_le_bytes()
    }
}

/// `rows` random rows of `cols` values in `format`: random quants with finite, modest scales.
fn random_matrix(format: WeightFormat, rows: usize, cols: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let n = format.row_bytes(cols).unwrap() * rows;
    let mut bytes: Vec<u8> = (0..n).map(|_| rng.byte()).collect();
    let bb = format.block_bytes();
    for block in bytes.chunks_exact_mut(bb) {
        match format {
            WeightFormat::F16 => {
                // Sign, exponent 12..15 (values in [2^-3, 1)), random mantissa.
                let bits = ((rng.next() as u16 & 1) << 15)
                    | ((12 + (rng.next() as u16 % 4)) << 10)
                    | (rng.next() as u16 & 0x03FF);
                block.copy_from_slice(&bits.to_le_bytes());
            }
            WeightFormat::BF16 => {
                let bits = ((rng.next() as u16 & 1) << 15)
                    | ((124 + (rng.next() as u16 % 3)) << 7)
                    | (rng.next() as u16 & 0x7F);
                block.copy_from_slice(&bits.to_le_bytes());
            }
            WeightFormat::F32 => block.copy_from_slice(&rng.uniform().to_le_bytes()),
            WeightFormat::Q8_0 | WeightFormat::Q4_0 => {
                block[0..2].copy_from_slice(&rng.f16_scale());
            }
            WeightFormat::Q4_1 | WeightFormat::Q4_K | WeightFormat::Q5_K => {
                // d and m (dmin for the K-quants) lead the block.
                block[0..2].copy_from_slice(&rng.f16_scale());
                block[2..4].copy_from_slice(&rng.f16_scale());
            }
            WeightFormat::Q6_K => {
                // ql[128], qh[64], scales[16], d: the scale comes last.
                block[208..210].copy_from_slice(&rng.f16_scale());
            }
        }
    }
    bytes
}

fn random_f32(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = Rng(seed | 1);
    (0..n).map(|_| rng.uniform()).collect()
}

/// The formats under test (every one hir-quant stores).
const FORMATS: [WeightFormat; 8] = [
    WeightFormat::F16,
    WeightFormat::BF16,
    WeightFormat::Q8_0,
    WeightFormat::Q4_0,
    WeightFormat::Q4_1,
    WeightFormat::Q4_K,
    WeightFormat::Q5_K,
    WeightFormat::Q6_K,
];

/// `x · Wᵀ` through a stored `W` and through its f32 dequantization, with `mm`'s alpha/beta
/// on the same initial `C`; returns `(stored, f32, Σ|x||w| per element)`.
fn both(
    cpu: &CpuBackend,
    w: &QuantMatrix<'_>,
    m: usize,
    mm: Matmul,
    seed: u64,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let (n, k) = (w.rows(), w.cols());
    let x = random_f32(m * k, seed);
    let c0 = random_f32(m * n, seed + 1);
    let wf = dequantize(w);
    let xt = cpu.upload(&x).unwrap();
    let stored = cpu.upload_weight(*w).unwrap();
    let dense = cpu.upload(&wf).unwrap();
    let mut c_s = cpu.upload(&c0).unwrap();
    let mut c_f = cpu.upload(&c0).unwrap();
    cpu.matmul(&xt, &stored, &mut c_s, mm).unwrap();
    cpu.matmul(&xt, &dense, &mut c_f, mm).unwrap();
    let mut scale = vec![0f32; m * n];
    for r in 0..m {
        for j in 0..n {
            let s: f32 = (0..k).map(|c| (x[r * k + c] * wf[j * k + c]).abs()).sum();
            scale[r * n + j] = mm.alpha.abs() * s + mm.beta.abs() * c0[r * n + j].abs();
        }
    }
    (
        cpu.download(&c_s).unwrap(),
        cpu.download(&c_f).unwrap(),
        scale,
    )
}

fn assert_close(got: &[f32], want: &[f32], scale: &[f32], what: &str) {
    for (i, ((g, w), s)) in got.iter().zip(want).zip(scale).enumerate() {
        assert!(
            (g - w).abs() <= 1e-5 * s.max(f32::MIN_POSITIVE),
            "{what}: element {i}: {g} vs {w} (1e-5 of Σ|x·w| = {s})"
        );
    }
}

#[test]
fn stored_products_match_the_dequantized_f32_product() {
    let cpu = CpuBackend::new();
    let (n, k) = (300, 512);
    for (fi, format) in FORMATS.into_iter().enumerate() {
        let bytes = random_matrix(format, n, k, fi as u64 + 1);
        let w = QuantMatrix::new(format, n, k, &bytes).unwrap();
        // 1 (decode), a few rows (batched decode), and prefill sizes (dequantized tiles).
        for m in [1, 3, 8, 48, 49, 80] {
            for mm in [
                Matmul::new(m, k, n).transpose_b(),
                Matmul::new(m, k, n).transpose_b().alpha(0.5).accumulate(),
            ] {
                let (s, f, scale) = both(&cpu, &w, m, mm, 7 + m as u64);
                let what = format!("{format} m={m} alpha={} beta={}", mm.alpha, mm.beta);
                assert_close(&s, &f, &scale, &what);
                if m > 48 {
                    // The prefill path is the f32 GEMM on the dequantized matrix.
                    assert_eq!(s, f, "{what}: the prefill path is the f32 product");
                }
            }
        }
    }
}

#[test]
fn beta_zero_ignores_nan_in_c() {
    let cpu = CpuBackend::new();
    let (n, k) = (64, 256);
    let bytes = random_matrix(WeightFormat::Q4_1, n, k, 3);
    let w = cpu
        .upload_weight(QuantMatrix::new(WeightFormat::Q4_1, n, k, &bytes).unwrap())
        .unwrap();
    for m in [1, 2, 60] {
        let x = cpu.upload(&random_f32(m * k, 5)).unwrap();
        let mut c = cpu.upload(&vec![f32::NAN; m * n]).unwrap();
        cpu.matmul(
            &x,
            &w,
            &mut c,
            Matmul::new(m, k, n).transpose_b().alpha(2.0),
        )
        .unwrap();
        assert!(cpu.download(&c).unwrap().iter().all(|v| v.is_finite()));
    }
}

#[test]
fn prefill_tiles_of_a_large_matrix_match() {
    // More rows than one dequantized tile holds (4 Mi values / 512 columns = 8192 rows).
    let cpu = CpuBackend::new();
    let (n, k, m) = (8192 + 40, 512, 50);
    let bytes = random_matrix(WeightFormat::Q4_0, n, k, 11);
    let w = QuantMatrix::new(WeightFormat::Q4_0, n, k, &bytes).unwrap();
    for mm in [
        Matmul::new(m, k, n).transpose_b(),
        Matmul::new(m, k, n).transpose_b().alpha(-1.5).beta(0.25),
    ] {
        let (s, f, scale) = both(&cpu, &w, m, mm, 13);
        assert_close(&s, &f, &scale, "Q4_0 [8232, 512], m = 50");
    }
}

#[test]
fn stored_products_are_bit_identical_across_thread_counts() {
    let one = CpuBackend::with_threads(1).unwrap();
    let two = CpuBackend::with_threads(2).unwrap();
    let (n, k) = (1000, 256);
    for (fi, format) in [WeightFormat::Q8_0, WeightFormat::Q4_1, WeightFormat::Q6_K]
        .into_iter()
        .enumerate()
    {
        let bytes = random_matrix(format, n, k, 20 + fi as u64);
        let w = QuantMatrix::new(format, n, k, &bytes).unwrap();
        for m in [1, 4, 16, 64] {
            let x = random_f32(m * k, 21);
            let run = |cpu: &CpuBackend| {
                let wt = cpu.upload_weight(w).unwrap();
                let xt = cpu.upload(&x).unwrap();
                let mut c = cpu.zeros(m * n).unwrap();
                cpu.matmul(&xt, &wt, &mut c, Matmul::new(m, k, n).transpose_b())
                    .unwrap();
                cpu.download(&c).unwrap()
            };
            let (a, b) = (run(&one), run(&two));
            assert!(
                a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()),
                "{format} m={m}: 1 and 2 threads differ"
            );
        }
    }
}

#[test]
fn embedding_from_a_stored_table_gathers_dequantized_rows() {
    let cpu = CpuBackend::new();
    let (v, d) = (50, 64);
    for (fi, format) in FORMATS
        .into_iter()
        .filter(|f| f.block_elems() <= d)
        .enumerate()
    {
        let bytes = random_matrix(format, v, d, 30 + fi as u64);
        let w = QuantMatrix::new(format, v, d, &bytes).unwrap();
        let stored = cpu.upload_weight(w).unwrap();
        let dense = cpu.upload(&dequantize(&w)).unwrap();
        let ids = cpu.upload_index(&[3, 0, 49, 3, 17]).unwrap();
        assert_eq!(
            cpu.download(&cpu.embedding(&stored, &ids, d).unwrap())
                .unwrap(),
            cpu.download(&cpu.embedding(&dense, &ids, d).unwrap())
                .unwrap(),
            "{format}"
        );
        // download and len give the dequantized view; a copy is the same weight.
        assert_eq!(cpu.len(&stored), v * d);
        assert_eq!(cpu.download(&stored).unwrap(), dequantize(&w));
        let copy = cpu.copy(&stored).unwrap();
        assert_eq!(copy.weight_format(), Some(format));
        assert_eq!(cpu.download(&copy).unwrap(), dequantize(&w));
        // Out-of-range ids are still shape errors.
        let bad = cpu.upload_index(&[50]).unwrap();
        assert!(matches!(
            cpu.embedding(&stored, &bad, d),
            Err(BackendError::Shape {
                op: "embedding",
                ..
            })
        ));
    }
}

#[test]
fn f32_format_uploads_an_ordinary_tensor() {
    let cpu = CpuBackend::new();
    let data = random_f32(4 * 8, 40);
    let bytes: Vec<u8> = data.iter().flat_map(|v| v.to_le_bytes()).collect();
    let t: CpuTensor = cpu
        .upload_weight(QuantMatrix::new(WeightFormat::F32, 4, 8, &bytes).unwrap())
        .unwrap();
    assert_eq!(t.weight_format(), None);
    assert_eq!(t.as_slice(), data.as_slice());
}

#[test]
fn other_ops_refuse_a_stored_weight_naming_op_and_format() {
    let cpu = CpuBackend::new();
    let (n, k) = (8, 64);
    let bytes = random_matrix(WeightFormat::Q4_1, n, k, 50);
    let w = cpu
        .upload_weight(QuantMatrix::new(WeightFormat::Q4_1, n, k, &bytes).unwrap())
        .unwrap();
    let x = cpu.upload(&random_f32(n * k, 51)).unwrap();
    let norm = cpu.upload(&vec![1.0; k]).unwrap();
    let check = |r: Result<(), BackendError>, op: &str| {
        let e = r.expect_err(op);
        assert!(
            matches!(e, BackendError::StoredWeight { op: o, format: WeightFormat::Q4_1 } if o == op),
            "{op}: {e:?}"
        );
        let msg = e.to_string();
        assert!(msg.contains(op) && msg.contains("Q4_1"), "{msg}");
    };
    check(cpu.rmsnorm(&w, &norm, k, 1e-5).map(drop), "rmsnorm");
    check(cpu.rmsnorm(&x, &w, k, 1e-5).map(drop), "rmsnorm");
    check(cpu.swiglu(&w, &x).map(drop), "swiglu");
    check(cpu.add_bias(&mut x.clone(), &w, k), "add_bias");
    check(cpu.scale(&mut w.clone(), 2.0), "scale");
    check(cpu.fill_zero(&mut w.clone()), "fill_zero");
    check(cpu.sum_squares(&[&x, &w]).map(drop), "sum_squares");
    // As matmul's `a` (also transposed), or as its `c`.
    let mut c = cpu.zeros(n * n).unwrap();
    check(
        cpu.matmul(&w, &x, &mut c, Matmul::new(n, k, n).transpose_b()),
        "matmul",
    );
    check(
        cpu.matmul(&x, &w, &mut c, Matmul::new(k, n, k).transpose_a()),
        "matmul with trans_a",
    );
    let mut wc = w.clone();
    check(
        cpu.matmul(&x, &x, &mut wc, Matmul::new(n, k, n).transpose_b()),
        "matmul",
    );
}

/// A stored `W: [k, n]` as matmul's `b` without trans_b (`C = alpha·A·W + beta·C`, the input
/// gradient `dy·W` of a frozen linear): one tile gives exactly the f32 product with the
/// dequantized weight, in every format; a weight of several tiles (`k·n` over the 4 Mi-value
/// tile) matches an f64 reference within 1e-5 of `Σ|a·w|`, and the same bits on 1 and 2
/// threads.
#[test]
fn stored_weight_without_trans_b_matches_the_dequantized_product() {
    let cpu = CpuBackend::new();
    let (m, k, n) = (7, 40, 256);
    for format in FORMATS {
        let bytes = random_matrix(format, k, n, 60);
        let q = QuantMatrix::new(format, k, n, &bytes).unwrap();
        let w = cpu.upload_weight(q).unwrap();
        let wf = cpu.upload(&dequantize(&q)).unwrap();
        let a = cpu.upload(&random_f32(m * k, 61)).unwrap();
        let c0 = random_f32(m * n, 62);
        for mm in [
            Matmul::new(m, k, n),
            Matmul::new(m, k, n).alpha(0.5).beta(1.0),
        ] {
            let mut got = cpu.upload(&c0).unwrap();
            cpu.matmul(&a, &w, &mut got, mm).unwrap();
            let mut want = cpu.upload(&c0).unwrap();
            cpu.matmul(&a, &wf, &mut want, mm).unwrap();
            assert_eq!(
                cpu.download(&got).unwrap(),
                cpu.download(&want).unwrap(),
                "{format}: one tile must be the f32 product"
            );
        }
    }

    // Several tiles: k·n = 16500·256 values > 4 Mi.
    let (m, k, n) = (3, 16_500, 256);
    let bytes = random_matrix(WeightFormat::Q4_1, k, n, 70);
    let q = QuantMatrix::new(WeightFormat::Q4_1, k, n, &bytes).unwrap();
    let deq = dequantize(&q);
    let a = random_f32(m * k, 71);
    let c0 = random_f32(m * n, 72);
    let run = |threads: usize| {
        let b = CpuBackend::with_threads(threads).unwrap();
        let w = b.upload_weight(q).unwrap();
        let mut c = b.upload(&c0).unwrap();
        b.matmul(
            &b.upload(&a).unwrap(),
            &w,
            &mut c,
            Matmul::new(m, k, n).alpha(0.5).beta(1.0),
        )
        .unwrap();
        b.download(&c).unwrap()
    };
    let got = run(2);
    assert_eq!(got, run(1), "1 and 2 threads must give the same bits");
    for i in 0..m {
        for j in 0..n {
            let (mut sum, mut mag) = (0f64, 0f64);
            for t in 0..k {
                let p = a[i * k + t] as f64 * deq[t * n + j] as f64;
                sum += p;
                mag += p.abs();
            }
            let want = 0.5 * sum + c0[i * n + j] as f64;
            let err = (got[i * n + j] as f64 - want).abs();
            assert!(
                err <= 1e-5 * (0.5 * mag + c0[i * n + j].abs() as f64) + 1e-12,
                "[{i}, {j}]: got {}, want {want}",
                got[i * n + j]
            );
        }
    }
}
