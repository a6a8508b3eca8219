//! `matmul`: `C = alpha·op(A)·op(B) + beta·C` in every storage layout.

use hir_core::backend::{Backend, Matmul, Result};

use crate::finite_difference::{fd_check, weighted_sum};
use crate::inputs::normal;
use crate::report::{CaseReport, Expected, Outputs, Tolerance};
use crate::suite::{shape_error, Case, Outcome, Suite};

/// `C = op(A)·op(B)` with these dimensions and layouts (`alpha = 1`, `beta = 0`).
pub fn plain(m: usize, k: usize, n: usize, trans_a: bool, trans_b: bool) -> Matmul {
    Matmul {
        trans_a,
        trans_b,
        ..Matmul::new(m, k, n)
    }
}

/// The one place this crate calls [`Backend::matmul`].
pub fn matmul<B: Backend>(
    b: &B,
    a: &B::Tensor,
    bm: &B::Tensor,
    c: &mut B::Tensor,
    g: Matmul,
) -> Result<()> {
    b.matmul(a, bm, c, g)
}

/// `alpha·op(A)·op(B) + beta·C` in f64 with plain loops (`beta = 0` ignores `C`).
pub fn reference(a: &[f32], bm: &[f32], c: &[f32], g: Matmul) -> Vec<f64> {
    let Matmul {
        m,
        k,
        n,
        trans_a: ta,
        trans_b: tb,
        ..
    } = g;
    let mut out = vec![0.0f64; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0f64;
            for p in 0..k {
                let av = if ta { a[p * m + i] } else { a[i * k + p] } as f64;
                let bv = if tb { bm[j * k + p] } else { bm[p * n + j] } as f64;
                s += av * bv;
            }
            let c_term = if g.beta == 0.0 {
                0.0
            } else {
                g.beta as f64 * c[i * n + j] as f64
            };
            out[i * n + j] = g.alpha as f64 * s + c_term;
        }
    }
    out
}

/// Shapes `(m, k, n)`: ones, odd sizes, non-multiples of 16, up to 256.
const SHAPES: [(usize, usize, usize); 8] = [
    (1, 1, 1),
    (1, 7, 1),
    (3, 1, 5),
    (17, 33, 9),
    (64, 16, 48),
    (31, 129, 47),
    (256, 3, 1),
    (100, 67, 255),
];

/// Kernel variants of a GPU backend the shapes above do not reach: `(m, k, n, alpha, beta)`.
/// - Multiples of the tiles of the wgpu tiled kernel (256 × 40 × 256 for 128-wide tiles,
///   128 × 48 × 64 and 64 × 16 × 192 for 64-wide ones, 96 × 24 × 160 for 32-wide ones):
///   the bounds-check-free variants, with every dimension a multiple of 4 (vec4 loads and
///   stores).
/// - `m = 1`: the matrix–vector kernels (rows of B when tB, columns otherwise).
/// - 2 ≤ m ≤ 64 (batched decoding; the few-row kernel when tB, the tiled one otherwise):
///   m ∈ {2, 3, 8, 17, 64} with odd k and n (scalar loads), and m = 5, 64 with k a
///   multiple of 4 (16-byte loads along k).
/// - A long k (6000): many slices of the tiled kernel and long k loops, far from lavapipe's
///   per-invocation loop cap.
const KERNEL_VARIANTS: [(usize, usize, usize, f32, f32); 15] = [
    (256, 40, 256, 1.0, 0.0),
    (128, 48, 64, 1.0, 0.0),
    (64, 16, 192, -0.5, 2.0),
    (96, 24, 160, 0.5, -1.5),
    (1, 300, 257, 1.0, 0.0),
    (1, 64, 70, 0.5, -1.5),
    (2, 301, 257, 1.0, 0.0),
    (3, 65, 71, 0.5, -1.5),
    (8, 577, 131, 1.0, 0.0),
    (17, 99, 33, 1.0, 0.5),
    (64, 129, 67, -1.0, 0.0),
    (5, 256, 70, 0.5, -1.5),
    (64, 128, 36, 1.0, 0.0),
    (40, 6000, 36, 1.0, 0.0),
    (9, 100, 33, 1.0, 0.5),
];

const LAYOUTS: [(bool, bool); 4] = [(false, false), (true, false), (false, true), (true, true)];

/// The matmul family's cases.
pub fn cases<B: Backend, R: Backend>(s: &mut Suite<'_, B, R>) {
    for (m, k, n) in SHAPES {
        for (ta, tb) in LAYOUTS {
            for (alpha, beta) in [(1.0, 0.0), (0.5, -1.5)] {
                s.table(&MatmulCase(Matmul {
                    m,
                    k,
                    n,
                    trans_a: ta,
                    trans_b: tb,
                    alpha,
                    beta,
                }));
            }
        }
    }
    for (m, k, n, alpha, beta) in KERNEL_VARIANTS {
        for (ta, tb) in LAYOUTS {
            s.table(&MatmulCase(Matmul {
                m,
                k,
                n,
                trans_a: ta,
                trans_b: tb,
                alpha,
                beta,
            }));
        }
    }
    s.check("matmul within the f32 dot-product error bound", |b| {
        error_bound(b)
    });
    s.check(
        "matmul gradients in every layout against finite differences",
        |b| gradients_fd(b),
    );
    s.check("error message names the op and the argument", |b| {
        error_message(b)
    });
    s.check("rejects inconsistent shapes", |b| shape_errors(b));
}

/// Runs only the matmul family on `backend` and returns its reports, named after `family`
/// (e.g. `matmul[wide]` for a backend whose tile config was forced).
pub fn family_reports<B: Backend>(backend: &B, family: &'static str) -> Vec<CaseReport> {
    let mut suite = Suite::<B, B>::new(backend, None);
    suite.family(family, cases);
    suite.into_reports()
}

/// One matmul on seeded inputs; with `beta = 0` the previous `C` is all NaN, which must be
/// ignored.
struct MatmulCase(Matmul);

impl MatmulCase {
    fn inputs(&self) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let Matmul { m, k, n, beta, .. } = self.0;
        let c0 = if beta == 0.0 {
            vec![f32::NAN; m * n]
        } else {
            normal(12, m * n, 1.0)
        };
        (normal(10, m * k, 1.0), normal(11, k * n, 1.0), c0)
    }
}

impl Case for MatmulCase {
    fn name(&self) -> String {
        let Matmul {
            m,
            k,
            n,
            trans_a: ta,
            trans_b: tb,
            alpha,
            beta,
        } = self.0;
        format!("matmul m={m} k={k} n={n} tA={ta} tB={tb} α={alpha} β={beta}")
    }
    /// The error of a k-term f32 dot product grows with k; inputs are O(1).
    fn tolerance(&self) -> Tolerance {
        Tolerance {
            abs: 2e-6 * (self.0.k as f64 + 16.0),
            rel: 1e-5,
        }
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let (a, bm, c0) = self.inputs();
        let mut c = b.upload(&c0)?;
        matmul(b, &b.upload(&a)?, &b.upload(&bm)?, &mut c, self.0)?;
        Ok(vec![("c", b.download(&c)?)])
    }
    fn expected(&self) -> Expected {
        let (a, bm, c0) = self.inputs();
        vec![("c", reference(&a, &bm, &c0, self.0))]
    }
}

/// Unit roundoff of f32.
const EPS32: f64 = f32::EPSILON as f64 / 2.0;

/// Every element within the standard f32 dot-product bound `γ_k·Σ|a b|` (any summation
/// order) plus the rounding of the α/β combination, in every layout.
fn error_bound<B: Backend>(b: &B) -> Outcome {
    for (m, k, n) in [
        (1, 1, 1),
        (1, 9, 1),
        (5, 1, 3),
        (17, 33, 9),
        (70, 129, 65),
        (64, 64, 64),
    ] {
        for (ta, tb) in LAYOUTS {
            for (alpha, beta) in [(1.0f32, 0.0f32), (-0.5, 2.0)] {
                let a = normal(1, m * k, 1.0);
                let bm = normal(2, k * n, 1.0);
                let c0 = if beta == 0.0 {
                    vec![f32::NAN; m * n]
                } else {
                    normal(3, m * n, 1.0)
                };
                let mut c = b.upload(&c0)?;
                let g = Matmul {
                    m,
                    k,
                    n,
                    trans_a: ta,
                    trans_b: tb,
                    alpha,
                    beta,
                };
                matmul(b, &b.upload(&a)?, &b.upload(&bm)?, &mut c, g)?;
                let c = b.download(&c)?;
                for i in 0..m {
                    for j in 0..n {
                        let (mut want, mut mag) = (0.0f64, 0.0f64);
                        for p in 0..k {
                            let av = if ta { a[p * m + i] } else { a[i * k + p] } as f64;
                            let bv = if tb { bm[j * k + p] } else { bm[p * n + j] } as f64;
                            want += av * bv;
                            mag += (av * bv).abs();
                        }
                        let c_term = if beta == 0.0 {
                            0.0
                        } else {
                            beta as f64 * c0[i * n + j] as f64
                        };
                        let want = alpha as f64 * want + c_term;
                        let got = c[i * n + j] as f64;
                        let bound = (k as f64 + 3.0)
                            * EPS32
                            * (mag * alpha.abs() as f64 + c_term.abs() + want.abs())
                            + 1e-30;
                        ensure!(
                            (got - want).abs() <= bound,
                            "m={m} k={k} n={n} tA={ta} tB={tb} α={alpha} β={beta} C[{i},{j}] = \
                             {got}, want {want} (bound {bound:e})"
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

/// `C = op(A)·op(B)` with `L = Σ W ⊙ C`: the gradients are themselves matmuls,
/// `d op(A) = W·op(B)ᵀ` and `d op(B) = op(A)ᵀ·W`, written for each storage layout, and
/// checked against finite differences of the forward.
fn gradients_fd<B: Backend>(b: &B) -> Outcome {
    let (m, k, n) = (3, 5, 7);
    for (ta, tb) in LAYOUTS {
        let a = normal(24, m * k, 1.0);
        let bm = normal(25, k * n, 1.0);
        let w = normal(26, m * n, 1.0);
        let obj = |a: &[f32], bm: &[f32]| {
            let mut c = b.zeros(m * n)?;
            let g = plain(m, k, n, ta, tb);
            matmul(b, &b.upload(a)?, &b.upload(bm)?, &mut c, g)?;
            Ok(weighted_sum(&w, &b.download(&c)?))
        };
        let mut da = b.zeros(m * k)?;
        let mut db = b.zeros(k * n)?;
        let (wt, at, bt) = (b.upload(&w)?, b.upload(&a)?, b.upload(&bm)?);
        match ta {
            // A stored [m, k]: dA = W·op(B)ᵀ.
            false => matmul(b, &wt, &bt, &mut da, plain(m, n, k, false, !tb)),
            // A stored [k, m]: dA = op(B)·Wᵀ.
            true => matmul(b, &bt, &wt, &mut da, plain(k, n, m, tb, true)),
        }?;
        match tb {
            // B stored [k, n]: dB = op(A)ᵀ·W.
            false => matmul(b, &at, &wt, &mut db, plain(k, m, n, !ta, false)),
            // B stored [n, k]: dB = Wᵀ·op(A).
            true => matmul(b, &wt, &at, &mut db, plain(n, m, k, true, ta)),
        }?;
        fd_check(
            &format!("matmul dA tA={ta} tB={tb}"),
            &a,
            &b.download(&da)?,
            1.0,
            |x| obj(x, &bm),
        )?;
        fd_check(
            &format!("matmul dB tA={ta} tB={tb}"),
            &bm,
            &b.download(&db)?,
            1.0,
            |x| obj(&a, x),
        )?;
    }
    Ok(())
}

/// A stored `B [n, k]` of the wrong size names the argument, its size and the expected one.
fn error_message<B: Backend>(b: &B) -> Outcome {
    let r = matmul(
        b,
        &b.upload(&[0.0; 6])?,
        &b.upload(&[0.0; 5])?,
        &mut b.upload(&[0.0; 4])?,
        plain(2, 3, 2, false, true),
    );
    shape_error(r, "matmul", &["`b [n, k]", "5 elements", "expected 6"])
}

/// Every call with inconsistent sizes is an error, not a panic or a success.
fn shape_errors<B: Backend>(b: &B) -> Outcome {
    let t = |n: usize| b.upload(&normal(70, n, 1.0));
    ensure!(
        matmul(b, &t(6)?, &t(6)?, &mut t(5)?, plain(2, 3, 2, false, false)).is_err(),
        "C of 5 elements for [2, 2]"
    );
    ensure!(
        matmul(b, &t(6)?, &t(5)?, &mut t(4)?, plain(2, 3, 2, true, true)).is_err(),
        "B of 5 elements for [2, 3]"
    );
    Ok(())
}

/// A matmul larger than the table's (300 × 1030 × 270, in two layouts) gives bit-identical
/// results on every backend of `backends` (the CPU backend on different thread counts: gemm's
/// parallel path splits the output across threads, and its blocking over `k` depends on the
/// shape only).
pub fn bit_identical_across<B: Backend>(backends: &[B]) -> Outcome {
    let (m, k, n) = (300, 1030, 270);
    let a = normal(7, m * k, 1.0);
    let bm = normal(8, k * n, 1.0);
    for (ta, tb) in [(false, false), (true, true)] {
        let mut first: Option<Vec<f32>> = None;
        for be in backends {
            let mut c = be.zeros(m * n)?;
            let g = plain(m, k, n, ta, tb);
            matmul(be, &be.upload(&a)?, &be.upload(&bm)?, &mut c, g)?;
            let c = be.download(&c)?;
            match &first {
                None => first = Some(c),
                Some(f) => ensure!(*f == c, "layout tA={ta} tB={tb} differs on {}", be.name()),
            }
        }
    }
    Ok(())
}
