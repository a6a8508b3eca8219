//! The optimiser ops: `sum_squares` (for the global gradient norm) and `adamw_step`.

use hir_core::backend::{AdamWParams, Backend, Result};

use crate::inputs::{normal, wide};
use crate::report::{Expected, Outputs, Tolerance, F32_REDUCTION, TRANSCENDENTAL};
use crate::suite::{Case, Outcome, Suite};

/// The optim family's cases.
pub fn cases<B: Backend, R: Backend>(s: &mut Suite<'_, B, R>) {
    for n in [1, 1000, 70_001] {
        s.table(&SumSquares { n });
        s.table(&AdamW { n });
    }
    s.check("adamw first step by hand", |b| adamw_first_step_by_hand(b));
    s.check("adamw two steps match the formula in f64", |b| {
        adamw_two_steps_match_formula_in_f64(b)
    });
    s.check("sum_squares of 100021 values within 1e-7 of f64", |b| {
        sum_squares_matches_f64(b)
    });
    s.check("rejects inconsistent shapes and step 0", |b| {
        shape_errors(b)
    });
}

/// `sum_squares` of a seeded `[n]` and a `[3]` tensor, divided by `n + 3` (so that the
/// comparison is relative: the value is O(n)).
struct SumSquares {
    n: usize,
}

impl Case for SumSquares {
    fn name(&self) -> String {
        format!("sum_squares n={}", self.n)
    }
    fn tolerance(&self) -> Tolerance {
        F32_REDUCTION
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let x = b.upload(&normal(13, self.n, 1.0))?;
        let y = b.upload(&normal(14, 3, 2.0))?;
        let s = b.sum_squares(&[&x, &y])?;
        Ok(vec![("sum_squares / n", vec![s / (self.n as f32 + 3.0)])])
    }
    fn expected(&self) -> Expected {
        let s: f64 = normal(13, self.n, 1.0)
            .iter()
            .chain(&normal(14, 3, 2.0))
            .map(|&v| v as f64 * v as f64)
            .sum();
        vec![("sum_squares / n", vec![s / (self.n as f64 + 3.0)])]
    }
}

/// The hyper-parameters of step `step` of the [`AdamW`] case.
fn case_params(step: u32) -> AdamWParams {
    AdamWParams {
        lr: 1e-3,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weight_decay: 0.1,
        step,
        grad_scale: 0.5,
    }
}

/// Three `adamw_step`s of a seeded `[n]` parameter from zero moments, seeded gradients.
struct AdamW {
    n: usize,
}

impl Case for AdamW {
    fn name(&self) -> String {
        format!("adamw 3 steps n={}", self.n)
    }
    fn tolerance(&self) -> Tolerance {
        TRANSCENDENTAL
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let n = self.n;
        let mut p = b.upload(&normal(15, n, 1.0))?;
        let mut m = b.zeros(n)?;
        let mut v = b.zeros(n)?;
        for step in 1..=3 {
            let g = b.upload(&normal(16 + step as u64, n, 0.1))?;
            b.adamw_step(&mut p, &g, &mut m, &mut v, &case_params(step))?;
        }
        Ok(vec![
            ("param", b.download(&p)?),
            ("m", b.download(&m)?),
            ("v", b.download(&v)?),
        ])
    }
    /// `torch.optim.AdamW` in f64 (with the f32 hyper-parameters widened).
    fn expected(&self) -> Expected {
        let n = self.n;
        let mut p = wide(&normal(15, n, 1.0));
        let (mut m, mut v) = (vec![0.0f64; n], vec![0.0f64; n]);
        for step in 1..=3 {
            let g = normal(16 + step as u64, n, 0.1);
            adamw_f64(&mut p, &mut m, &mut v, &g, &case_params(step));
        }
        vec![("param", p), ("m", m), ("v", v)]
    }
}

/// One AdamW step in f64: `g = grad·grad_scale`; `p −= lr·wd·p`; `m = β1·m + (1 − β1)·g`;
/// `v = β2·v + (1 − β2)·g²`; `p −= lr·m̂ / (sqrt(v̂) + eps)` with the bias-corrected moments.
fn adamw_f64(p: &mut [f64], m: &mut [f64], v: &mut [f64], grad: &[f32], prm: &AdamWParams) {
    let (lr, b1, b2) = (prm.lr as f64, prm.beta1 as f64, prm.beta2 as f64);
    let step = prm.step as i32;
    for i in 0..p.len() {
        let gi = grad[i] as f64 * prm.grad_scale as f64;
        p[i] -= lr * prm.weight_decay as f64 * p[i];
        m[i] = b1 * m[i] + (1.0 - b1) * gi;
        v[i] = b2 * v[i] + (1.0 - b2) * gi * gi;
        let mhat = m[i] / (1.0 - b1.powi(step));
        let vhat = v[i] / (1.0 - b2.powi(step));
        p[i] -= lr * mhat / (vhat.sqrt() + prm.eps as f64);
    }
}

/// The hyper-parameters of the hand-computed checks.
fn params(step: u32) -> AdamWParams {
    AdamWParams {
        lr: 0.1,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weight_decay: 0.01,
        step,
        grad_scale: 1.0,
    }
}

fn adamw_first_step_by_hand<B: Backend>(b: &B) -> Outcome {
    // p = 1, g = 0.5: decay p = 1 − 0.1·0.01 = 0.999; m = 0.05, v = 0.001·0.25 = 2.5e-4;
    // m̂ = 0.5, v̂ = 0.25, so p = 0.999 − 0.1·0.5/(0.5 + 1e-8) = 0.899 (+2e-10).
    let (mut p, mut m, mut v) = (b.upload(&[1.0])?, b.upload(&[0.0])?, b.upload(&[0.0])?);
    b.adamw_step(&mut p, &b.upload(&[0.5])?, &mut m, &mut v, &params(1))?;
    let (p, m, v) = (b.download(&p)?[0], b.download(&m)?[0], b.download(&v)?[0]);
    ensure!((p - 0.899).abs() < 1e-6, "p = {p}");
    // β1 = 0.9 and β2 = 0.999 are f32 hyper-parameters (0.89999998, 0.99900001), so
    // 1 − β1 = 0.10000002: m = 0.05000001, v = 2.4998188e-4 (checked to within 1 f32 ulp).
    let want_m = (1.0 - 0.9f32 as f64) * 0.5;
    let want_v = (1.0 - 0.999f32 as f64) * 0.25;
    ensure!((m as f64 - want_m).abs() < 4e-9, "m = {m}");
    ensure!((v as f64 - want_v).abs() < 3e-11, "v = {v}");
    Ok(())
}

fn adamw_two_steps_match_formula_in_f64<B: Backend>(b: &B) -> Outcome {
    let n = 29;
    let p0 = normal(1, n, 1.0);
    let grads = [normal(2, n, 0.3), normal(3, n, 0.3)];
    let (mut p, mut m, mut v) = (b.upload(&p0)?, b.zeros(n)?, b.zeros(n)?);
    let mut hp = wide(&p0);
    let (mut hm, mut hv) = (vec![0.0f64; n], vec![0.0f64; n]);
    for (s, g) in grads.iter().enumerate() {
        let mut prm = params(s as u32 + 1);
        prm.grad_scale = 0.7;
        b.adamw_step(&mut p, &b.upload(g)?, &mut m, &mut v, &prm)?;
        adamw_f64(&mut hp, &mut hm, &mut hv, g, &prm);
    }
    let (p, m, v) = (b.download(&p)?, b.download(&m)?, b.download(&v)?);
    for i in 0..n {
        // A handful of f32 roundings of O(1) quantities: a few 1e-7.
        ensure!(
            (p[i] as f64 - hp[i]).abs() < 2e-6,
            "p[{i}] = {}, want {}",
            p[i],
            hp[i]
        );
        ensure!(
            (m[i] as f64 - hm[i]).abs() < 1e-6 * (1.0 + hm[i].abs()),
            "m[{i}] = {}, want {}",
            m[i],
            hm[i]
        );
        ensure!(
            (v[i] as f64 - hv[i]).abs() < 1e-6 * hv[i].abs() + 1e-12,
            "v[{i}] = {}, want {}",
            v[i],
            hv[i]
        );
    }
    Ok(())
}

fn sum_squares_matches_f64<B: Backend>(b: &B) -> Outcome {
    let xs = [
        normal(4, 1, 1.0),
        normal(5, 100_003, 1.0),
        normal(6, 17, 3.0),
    ];
    let ts = xs.iter().map(|x| b.upload(x)).collect::<Result<Vec<_>>>()?;
    let got = b.sum_squares(&ts.iter().collect::<Vec<_>>())? as f64;
    let want: f64 = xs.iter().flatten().map(|&x| (x as f64).powi(2)).sum();
    ensure!((got - want).abs() <= 1e-7 * want, "{got} vs {want}");
    Ok(())
}

/// Every call with inconsistent sizes, or at step 0, is an error, not a panic or a success.
fn shape_errors<B: Backend>(b: &B) -> Outcome {
    let t = |n: usize| b.upload(&normal(70, n, 1.0));
    let mut prm = params(1);
    prm.weight_decay = 0.0;
    prm.lr = 1e-3;
    ensure!(
        b.adamw_step(&mut t(3)?, &t(3)?, &mut t(2)?, &mut t(3)?, &prm)
            .is_err(),
        "adamw_step with m of 2 for 3 parameters"
    );
    prm.step = 0;
    ensure!(
        b.adamw_step(&mut t(3)?, &t(3)?, &mut t(3)?, &mut t(3)?, &prm)
            .is_err(),
        "adamw_step at step 0"
    );
    Ok(())
}
