//! Properties of the CPU backend's `matmul` that the shared suite (`hir-backend-tests`) does not
//! pin down on awkward shapes: agreement with an f64 reference within the classical error bound
//! of a length-k dot product, on shapes with tails in every dimension and a large `k`; the
//! `beta` contract (0 ignores NaN in C, 1 accumulates, anything else scales); and bit-identical
//! results on 1, 2 and 3 threads, including shapes large enough to run on several threads.

use hir_backend_cpu::CpuBackend;
use hir_core::backend::{Backend, Matmul};
use hir_core::rng::Rng;

fn normal(seed: u64, n: usize) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| rng.next_normal()).collect()
}

/// Element (i, p) of op(A) for a stored A.
fn op_a(a: &[f32], mm: &Matmul, i: usize, p: usize) -> f64 {
    f64::from(if mm.trans_a {
        a[p * mm.m + i]
    } else {
        a[i * mm.k + p]
    })
}

/// Element (p, j) of op(B) for a stored B.
fn op_b(b: &[f32], mm: &Matmul, p: usize, j: usize) -> f64 {
    f64::from(if mm.trans_b {
        b[j * mm.k + p]
    } else {
        b[p * mm.n + j]
    })
}

/// Runs `mm` on `backend` with C starting as `c0`.
fn run(backend: &CpuBackend, a: &[f32], b: &[f32], c0: &[f32], mm: Matmul) -> Vec<f32> {
    let (ta, tb) = (backend.upload(a).unwrap(), backend.upload(b).unwrap());
    let mut tc = backend.upload(c0).unwrap();
    backend.matmul(&ta, &tb, &mut tc, mm).unwrap();
    backend.download(&tc).unwrap()
}

/// Checks `matmul` against an f64 reference: |c − ref| ≤ 2·(k + 2)·u·(|α|·Σ|a·b| + |β·c0|)
/// with u = 2⁻²⁴ (the worst-case bound of a k-term dot product, doubled for headroom), where
/// `beta = 0` takes the reference's C term as 0 whatever C held (NaN included).
fn check_against_f64(backend: &CpuBackend, mm: Matmul, seed: u64, c0_nan: bool) {
    let a = normal(seed, mm.m * mm.k);
    let b = normal(seed + 1, mm.k * mm.n);
    let c0 = if c0_nan {
        vec![f32::NAN; mm.m * mm.n]
    } else {
        normal(seed + 2, mm.m * mm.n)
    };
    let c = run(backend, &a, &b, &c0, mm);
    let u = f64::from(f32::EPSILON) / 2.0;
    for i in 0..mm.m {
        for j in 0..mm.n {
            let (mut dot, mut abs) = (0.0f64, 0.0f64);
            for p in 0..mm.k {
                let t = op_a(&a, &mm, i, p) * op_b(&b, &mm, p, j);
                dot += t;
                abs += t.abs();
            }
            let old = if mm.beta == 0.0 {
                0.0
            } else {
                f64::from(mm.beta) * f64::from(c0[i * mm.n + j])
            };
            let want = f64::from(mm.alpha) * dot + old;
            let bound =
                2.0 * (mm.k as f64 + 2.0) * u * (f64::from(mm.alpha).abs() * abs + old.abs());
            let got = f64::from(c[i * mm.n + j]);
            assert!(
                (got - want).abs() <= bound,
                "{mm:?}: c[{i}, {j}] = {got}, f64 reference {want}, bound {bound}"
            );
        }
    }
}

/// Shapes with tails in every dimension around the usual SIMD widths and tile sizes (8, 16, 32,
/// 48, 64), a large k, and degenerate ones.
const SHAPES: &[(usize, usize, usize)] = &[
    (1, 1, 1),
    (1, 7, 1),
    (2, 3, 5),
    (17, 33, 65),
    (65, 17, 33),
    (33, 65, 17),
    (15, 1, 31),
    (49, 100, 97),
    (14, 257, 96),
    (3, 5000, 7),
    (31, 1300, 47),
    (129, 70, 200),
];

#[test]
fn matches_f64_reference_on_awkward_shapes() {
    let backend = CpuBackend::with_threads(2).unwrap();
    let mut seed = 10;
    for &(m, k, n) in SHAPES {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let mut mm = Matmul::new(m, k, n);
            mm.trans_a = ta;
            mm.trans_b = tb;
            check_against_f64(&backend, mm, seed, true);
            check_against_f64(&backend, mm.accumulate(), seed + 3, false);
            check_against_f64(&backend, mm.alpha(-0.75).beta(0.5), seed + 5, false);
            seed += 7;
        }
    }
}

#[test]
fn k_zero_scales_c_and_empty_outputs_are_fine() {
    let backend = CpuBackend::with_threads(2).unwrap();
    let c0 = normal(3, 12);
    let zero = run(&backend, &[], &[], &[f32::NAN; 12], Matmul::new(3, 0, 4));
    assert!(zero.iter().all(|&x| x == 0.0), "beta = 0, k = 0 gives 0");
    let kept = run(&backend, &[], &[], &c0, Matmul::new(3, 0, 4).accumulate());
    assert_eq!(kept, c0, "beta = 1, k = 0 keeps C");
    let half = run(&backend, &[], &[], &c0, Matmul::new(3, 0, 4).beta(0.5));
    let want: Vec<f32> = c0.iter().map(|x| 0.5 * x).collect();
    assert_eq!(half, want, "k = 0 gives beta · C");
    assert!(run(&backend, &[], &[], &[], Matmul::new(0, 5, 0)).is_empty());
    assert!(run(&backend, &[], &normal(1, 15), &[], Matmul::new(0, 5, 3)).is_empty());
    assert!(run(&backend, &normal(1, 10), &[], &[], Matmul::new(2, 5, 0)).is_empty());
}

#[test]
fn one_two_and_three_threads_give_the_same_bits() {
    let pools: Vec<CpuBackend> = [1, 2, 3]
        .iter()
        .map(|&t| CpuBackend::with_threads(t).unwrap())
        .collect();
    // Odd shapes, some large enough for the parallel path, and two of the model's products.
    let shapes = [
        (17, 33, 65),
        (257, 300, 515),
        (1000, 37, 601),
        (95, 1023, 129),
        (384, 2048, 1024),
        (2048, 384, 128),
    ];
    let mut seed = 100;
    for (m, k, n) in shapes {
        for (ta, tb, beta) in [
            (false, true, 0.0),
            (true, false, 1.0),
            (false, false, 0.0),
            (true, true, 0.5),
        ] {
            let mut mm = Matmul::new(m, k, n).beta(beta);
            mm.trans_a = ta;
            mm.trans_b = tb;
            let a = normal(seed, m * k);
            let b = normal(seed + 1, k * n);
            let c0 = normal(seed + 2, m * n);
            seed += 3;
            let first = run(&pools[0], &a, &b, &c0, mm);
            for p in &pools[1..] {
                let other = run(p, &a, &b, &c0, mm);
                assert!(
                    first
                        .iter()
                        .zip(&other)
                        .all(|(x, y)| x.to_bits() == y.to_bits()),
                    "{mm:?} differs between 1 and {} threads",
                    p.threads()
                );
            }
        }
    }
}
