//! Conformance cases for memory, elementwise, matmul, embedding, optimiser, sampling and
//! policy-loss ops.

use hir_core::backend::{AdamWParams, Backend, Matmul, PolicyLossParams, Result, SampleParams};
use hir_core::rl::{KlEstimator, PpoClip};
use hir_core::rng::Rng;

use super::{
    compare, CaseReport, Outputs, Tolerance, ELEMENTWISE, EXACT, F32_REDUCTION, TRANSCENDENTAL,
};
use crate::CpuBackend;

/// `n` normal samples times `scale`, from `seed`.
pub(crate) fn normal(seed: u64, n: usize, scale: f32) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| rng.next_normal() * scale).collect()
}

/// `n` integers in `0..bound`, from `seed`.
pub(crate) fn ints(seed: u64, n: usize, bound: u32) -> Vec<u32> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| rng.below(bound as u64) as u32).collect()
}

/// Runs the generic case function `$f` with the same arguments on the backend under test and
/// on the reference, and records the comparison.
macro_rules! case {
    ($reports:expr, $b:expr, $r:expr, $name:expr, $tol:expr, $f:ident($($arg:expr),* $(,)?)) => {
        $reports.push(compare($name, $tol, $f($b, $($arg),*), $f($r, $($arg),*)))
    };
}
pub(crate) use case;

/// Shapes `(m, k, n)` for matmul: ones, odd sizes, non-multiples of 16, up to 256.
const MATMUL_SHAPES: [(usize, usize, usize); 8] = [
    (1, 1, 1),
    (1, 7, 1),
    (3, 1, 5),
    (17, 33, 9),
    (64, 16, 48),
    (31, 129, 47),
    (256, 3, 1),
    (100, 67, 255),
];

pub(crate) fn run<B: Backend>(b: &B, r: &CpuBackend, reports: &mut Vec<CaseReport>) {
    case!(
        reports,
        b,
        r,
        "memory round trip n=37".into(),
        EXACT,
        memory(37)
    );
    case!(
        reports,
        b,
        r,
        "axpy/scale n=1".into(),
        ELEMENTWISE,
        elementwise(1, 1)
    );
    case!(
        reports,
        b,
        r,
        "axpy/scale n=4097".into(),
        ELEMENTWISE,
        elementwise(4097, 2)
    );
    for (rows, cols) in [(1, 1), (7, 13), (33, 256)] {
        let name = format!("bias rows={rows} cols={cols}");
        case!(reports, b, r, name, F32_REDUCTION, bias(rows, cols));
        let name = format!("embedding/gather V={cols} dim={rows} N=21");
        case!(
            reports,
            b,
            r,
            name,
            F32_REDUCTION,
            embedding(cols, rows, 21)
        );
    }
    for (m, k, n) in MATMUL_SHAPES {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            for (alpha, beta) in [(1.0, 0.0), (0.5, -1.5)] {
                let name = format!("matmul m={m} k={k} n={n} tA={ta} tB={tb} α={alpha} β={beta}");
                let mm = Matmul {
                    m,
                    k,
                    n,
                    trans_a: ta,
                    trans_b: tb,
                    alpha,
                    beta,
                };
                // The error of a k-term f32 dot product grows with k; inputs are O(1).
                let tol = Tolerance {
                    abs: 2e-6 * (k as f32 + 16.0),
                    rel: 1e-5,
                };
                case!(reports, b, r, name, tol, matmul(mm));
            }
        }
    }
    for n in [1, 1000, 70_001] {
        case!(
            reports,
            b,
            r,
            format!("sum_squares n={n}"),
            F32_REDUCTION,
            sum_squares(n)
        );
        case!(
            reports,
            b,
            r,
            format!("adamw 3 steps n={n}"),
            TRANSCENDENTAL,
            adamw(n)
        );
    }
    for (rows, vocab) in [(1, 1), (9, 2), (13, 37), (64, 256)] {
        reports.push(samples(b, r, rows, vocab));
    }
    for n in [1, 37, 1000] {
        for kl in [KlEstimator::K1, KlEstimator::K2, KlEstimator::K3] {
            // Per token: one exp and a few products; sums over up to 1000 weighted terms.
            case!(
                reports,
                b,
                r,
                format!("policy_loss n={n} kl={}", kl.name()),
                TRANSCENDENTAL,
                policy_loss(n, kl)
            );
        }
    }
}

/// Ratios spread over all clip regions (log-ratio ~ N(0, 0.4)), advantages of both signs,
/// some zero weights (padding).
fn policy_loss<B: Backend>(b: &B, n: usize, kl: KlEstimator) -> Result<Outputs> {
    let old = normal(40, n, 1.0);
    let logp: Vec<f32> = old
        .iter()
        .zip(normal(41, n, 0.4))
        .map(|(o, d)| o - 2.0 + d)
        .collect();
    let old: Vec<f32> = old.iter().map(|o| o - 2.0).collect();
    let reference: Vec<f32> = logp
        .iter()
        .zip(normal(42, n, 0.3))
        .map(|(l, d)| l + d)
        .collect();
    let adv = normal(43, n, 1.0);
    let weight: Vec<f32> = ints(44, n, 4)
        .iter()
        .map(|&i| if i == 0 { 0.0 } else { 1.0 / n as f32 })
        .collect();
    let params = PolicyLossParams {
        clip: PpoClip {
            clip_ratio_low: 0.2,
            clip_ratio_high: 0.28,
            clip_ratio_c: 3.0,
        },
        kl_coef: 0.05,
        kl,
    };
    let (d, s) = b.policy_loss(
        &b.upload(&logp)?,
        &b.upload(&old)?,
        &b.upload(&reference)?,
        &b.upload(&adv)?,
        &b.upload(&weight)?,
        &params,
    )?;
    Ok(vec![
        ("dlogp", b.download(&d)?),
        (
            "sums",
            vec![
                s.pg_loss,
                s.kl_loss,
                s.tokens,
                s.clipped,
                s.clipped_lower,
                s.neg_log_ratio,
            ],
        ),
    ])
}

fn memory<B: Backend>(b: &B, n: usize) -> Result<Outputs> {
    let x = normal(1, n, 1.0);
    let t = b.upload(&x)?;
    let c = b.copy(&t)?;
    let mut z = b.upload(&x)?;
    b.fill_zero(&mut z)?;
    let zeros = b.zeros(n)?;
    let idx = b.upload_index(&ints(2, n, 1000))?;
    let lens = vec![b.len(&t) as f32, b.index_len(&idx) as f32];
    let ids: Vec<f32> = b.download_index(&idx)?.iter().map(|&i| i as f32).collect();
    Ok(vec![
        ("download", b.download(&t)?),
        ("copy", b.download(&c)?),
        ("fill_zero", b.download(&z)?),
        ("zeros", b.download(&zeros)?),
        ("lens", lens),
        ("download_index", ids),
    ])
}

fn elementwise<B: Backend>(b: &B, n: usize, seed: u64) -> Result<Outputs> {
    let x = b.upload(&normal(seed, n, 1.0))?;
    let mut y = b.upload(&normal(seed + 1, n, 1.0))?;
    b.axpy(-0.75, &x, &mut y)?;
    let ya = b.download(&y)?;
    b.scale(&mut y, 3.0)?;
    Ok(vec![("axpy", ya), ("scale", b.download(&y)?)])
}

fn bias<B: Backend>(b: &B, rows: usize, cols: usize) -> Result<Outputs> {
    let mut x = b.upload(&normal(3, rows * cols, 1.0))?;
    let bias = b.upload(&normal(4, cols, 1.0))?;
    b.add_bias(&mut x, &bias, cols)?;
    let mut dbias = b.upload(&normal(5, cols, 1.0))?;
    b.bias_backward_acc(&x, &mut dbias, cols)?;
    Ok(vec![
        ("add_bias", b.download(&x)?),
        ("bias_backward_acc", b.download(&dbias)?),
    ])
}

fn embedding<B: Backend>(b: &B, vocab: usize, dim: usize, n: usize) -> Result<Outputs> {
    let table = b.upload(&normal(6, vocab * dim, 1.0))?;
    // With V ≤ 21 ids repeat, which exercises the ordered accumulation.
    let ids = b.upload_index(&ints(7, n, vocab as u32))?;
    let out = b.embedding(&table, &ids, dim)?;
    let gathered = b.gather_rows(&table, &ids, dim)?;
    let mut dtable = b.upload(&normal(8, vocab * dim, 1.0))?;
    let dout = b.upload(&normal(9, n * dim, 1.0))?;
    b.embedding_backward_acc(&dout, &ids, &mut dtable, dim)?;
    Ok(vec![
        ("embedding", b.download(&out)?),
        ("gather_rows", b.download(&gathered)?),
        ("embedding_backward_acc", b.download(&dtable)?),
    ])
}

fn matmul<B: Backend>(b: &B, mm: Matmul) -> Result<Outputs> {
    let Matmul { m, k, n, beta, .. } = mm;
    let a = b.upload(&normal(10, m * k, 1.0))?;
    let bm = b.upload(&normal(11, k * n, 1.0))?;
    // beta = 0 must ignore C, even NaN.
    let c0 = if beta == 0.0 {
        vec![f32::NAN; m * n]
    } else {
        normal(12, m * n, 1.0)
    };
    let mut c = b.upload(&c0)?;
    b.matmul(&a, &bm, &mut c, mm)?;
    Ok(vec![("c", b.download(&c)?)])
}

fn sum_squares<B: Backend>(b: &B, n: usize) -> Result<Outputs> {
    let x = b.upload(&normal(13, n, 1.0))?;
    let y = b.upload(&normal(14, 3, 2.0))?;
    // Relative comparison: the reference value is O(n).
    let s = b.sum_squares(&[&x, &y])?;
    Ok(vec![("sum_squares / n", vec![s / (n as f32 + 3.0)])])
}

fn adamw<B: Backend>(b: &B, n: usize) -> Result<Outputs> {
    let mut p = b.upload(&normal(15, n, 1.0))?;
    let mut m = b.zeros(n)?;
    let mut v = b.zeros(n)?;
    for step in 1..=3 {
        let g = b.upload(&normal(16 + step as u64, n, 0.1))?;
        let params = AdamWParams {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.1,
            step,
            grad_scale: 0.5,
        };
        b.adamw_step(&mut p, &g, &mut m, &mut v, &params)?;
    }
    Ok(vec![
        ("param", b.download(&p)?),
        ("m", b.download(&m)?),
        ("v", b.download(&v)?),
    ])
}

/// Draws one token per row of seeded random logits (seed of row `r`: `7919·r + 1`).
fn draws<B: Backend>(b: &B, rows: usize, vocab: usize, params: &SampleParams) -> Result<Vec<u32>> {
    let logits = b.upload(&normal(20, rows * vocab, 2.0))?;
    let seeds: Vec<u64> = (0..rows as u64).map(|s| s * 7919 + 1).collect();
    b.sample(&logits, vocab, &seeds, params)
}

/// Sampling: greedy draws must agree exactly; stochastic draws may differ on at most 2% of rows
/// (plus one), where a backend's rounding moves a cumulative boundary across the uniform draw.
fn samples<B: Backend>(b: &B, r: &CpuBackend, rows: usize, vocab: usize) -> CaseReport {
    let settings = [
        SampleParams {
            temperature: 0.0,
            top_p: 1.0,
        },
        SampleParams {
            temperature: 1.0,
            top_p: 1.0,
        },
        SampleParams {
            temperature: 0.7,
            top_p: 0.9,
        },
        SampleParams {
            temperature: 1.3,
            top_p: 1e-6,
        },
    ];
    let mut report = CaseReport {
        name: format!("sample rows={rows} vocab={vocab} (greedy, T=1, T=0.7 p=0.9, p=1e-6)"),
        max_abs_diff: 0.0,
        worst_ratio: 0.0,
        tolerance: Tolerance {
            abs: 0.02 * rows as f32 + 1.0,
            rel: 0.0,
        },
        passed: true,
        detail: None,
    };
    for (i, p) in settings.iter().enumerate() {
        match (draws(b, rows, vocab, p), draws(r, rows, vocab, p)) {
            (Ok(g), Ok(w)) if g.len() == w.len() => {
                let mismatches = g.iter().zip(&w).filter(|(a, b)| a != b).count() as f32;
                let allowed = if i == 0 || i == 3 {
                    0.0
                } else {
                    report.tolerance.abs
                };
                report.max_abs_diff = report.max_abs_diff.max(mismatches);
                if mismatches > allowed {
                    report.passed = false;
                    report.detail = Some(format!("{mismatches} of {rows} draws differ at {p:?}"));
                }
                if mismatches > 0.0 {
                    report.worst_ratio = report.worst_ratio.max(if allowed > 0.0 {
                        mismatches / allowed
                    } else {
                        f32::INFINITY
                    });
                }
            }
            (g, w) => {
                report.passed = false;
                report.detail = Some(format!("backend under test: {g:?}; reference: {w:?}"));
            }
        }
    }
    report
}
