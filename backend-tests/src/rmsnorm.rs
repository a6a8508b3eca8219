//! `rmsnorm`, `rmsnorm_backward` and the fused residual add `add_rmsnorm`.

use hir_core::backend::{Backend, Result};

use crate::finite_difference::{fd_check, weighted_sum};
use crate::inputs::{normal, wide};
use crate::report::{Expected, Outputs, Tolerance, F32_REDUCTION};
use crate::suite::{Case, Outcome, Suite};

/// Runs only the rmsnorm family on `backend` and returns its reports, named after `family`
/// (e.g. `rmsnorm[no subgroups]` for the wgpu backend on its plain kernels).
pub fn family_reports<B: Backend>(backend: &B, family: &'static str) -> Vec<crate::CaseReport> {
    let mut suite = Suite::<B, B>::new(backend, None);
    suite.family(family, cases);
    suite.into_reports()
}

/// The rmsnorm family's cases.
pub fn cases<B: Backend, R: Backend>(s: &mut Suite<'_, B, R>) {
    for (rows, dim) in [(1, 1), (5, 7), (33, 256), (3, 1)] {
        s.table(&RmsNorm { rows, dim });
    }
    s.check("rmsnorm within a few ulp of the formula", |b| formula(b));
    s.check(
        "rmsnorm_backward dx and dw against finite differences",
        |b| backward_fd(b),
    );
    // d = 1, 7, 130, 257, 600: not multiples of 4 nor of the 256-thread workgroup.
    for (rows, dim) in [
        (1, 1),
        (1, 7),
        (6, 5),
        (3, 257),
        (17, 130),
        (2, 600),
        (33, 256),
    ] {
        s.table(&AddRmsNorm { rows, dim });
    }
    s.check("add_rmsnorm is axpy then rmsnorm", |b| fused_equals_pair(b));
    s.check("rejects inconsistent shapes", |b| shape_errors(b));
}

/// `rmsnorm` of seeded `[rows, dim]` inputs (eps 1e-6), then `rmsnorm_backward` of a seeded
/// `dy` with `dw` accumulated onto seeded values.
struct RmsNorm {
    rows: usize,
    dim: usize,
}

impl Case for RmsNorm {
    fn name(&self) -> String {
        format!("rmsnorm rows={} dim={}", self.rows, self.dim)
    }
    fn tolerance(&self) -> Tolerance {
        F32_REDUCTION
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let (rows, dim) = (self.rows, self.dim);
        let x = b.upload(&normal(30, rows * dim, 2.0))?;
        let w = b.upload(&normal(31, dim, 1.0))?;
        let (y, rstd) = b.rmsnorm(&x, &w, dim, 1e-6)?;
        let dy = b.upload(&normal(32, rows * dim, 1.0))?;
        let mut dw = b.upload(&normal(33, dim, 1.0))?;
        let dx = b.rmsnorm_backward(&dy, &x, &w, &rstd, &mut dw, dim)?;
        Ok(vec![
            ("y", b.download(&y)?),
            ("rstd", b.download(&rstd)?),
            ("dx", b.download(&dx)?),
            ("dw", b.download(&dw)?),
        ])
    }
    /// `rstd = 1/sqrt(mean(x²) + eps)`, `y = x·rstd·w`; with `x̂ = x·rstd` and `g = dy·w`:
    /// `dx = rstd·(g − x̂·mean(g·x̂))`, `dw += Σ_rows dy·x̂`.
    fn expected(&self) -> Expected {
        let (rows, dim) = (self.rows, self.dim);
        let x = wide(&normal(30, rows * dim, 2.0));
        let w = wide(&normal(31, dim, 1.0));
        let dy = wide(&normal(32, rows * dim, 1.0));
        let mut dw = wide(&normal(33, dim, 1.0));
        let (mut y, mut rstd, mut dx) = (
            vec![0.0; rows * dim],
            vec![0.0; rows],
            vec![0.0; rows * dim],
        );
        for r in 0..rows {
            let row = &x[r * dim..(r + 1) * dim];
            let ms = row.iter().map(|v| v * v).sum::<f64>() / dim as f64;
            let rs = 1.0 / (ms + 1e-6f32 as f64).sqrt();
            rstd[r] = rs;
            let mut mean_gx = 0.0;
            for c in 0..dim {
                let xh = row[c] * rs;
                y[r * dim + c] = xh * w[c];
                mean_gx += dy[r * dim + c] * w[c] * xh;
                dw[c] += dy[r * dim + c] * xh;
            }
            mean_gx /= dim as f64;
            for c in 0..dim {
                let xh = row[c] * rs;
                dx[r * dim + c] = rs * (dy[r * dim + c] * w[c] - xh * mean_gx);
            }
        }
        vec![("y", y), ("rstd", rstd), ("dx", dx), ("dw", dw)]
    }
}

/// `add_rmsnorm` of seeded `x, delta: [rows, dim]` (eps 1e-6): the new residual `x1` (written
/// over `delta`), `h` and `rstd`.
struct AddRmsNorm {
    rows: usize,
    dim: usize,
}

impl Case for AddRmsNorm {
    fn name(&self) -> String {
        format!("add_rmsnorm rows={} dim={}", self.rows, self.dim)
    }
    fn tolerance(&self) -> Tolerance {
        F32_REDUCTION
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let (rows, dim) = (self.rows, self.dim);
        let x = b.upload(&normal(40, rows * dim, 2.0))?;
        let mut delta = b.upload(&normal(41, rows * dim, 1.0))?;
        let w = b.upload(&normal(42, dim, 1.0))?;
        let (h, rstd) = b.add_rmsnorm(&x, &mut delta, &w, dim, 1e-6)?;
        Ok(vec![
            ("x1", b.download(&delta)?),
            ("h", b.download(&h)?),
            ("rstd", b.download(&rstd)?),
        ])
    }
    /// `x1 = x + delta`, `rstd = 1/sqrt(mean(x1²) + eps)`, `h = x1·rstd·w`.
    fn expected(&self) -> Expected {
        let (rows, dim) = (self.rows, self.dim);
        let x = wide(&normal(40, rows * dim, 2.0));
        let delta = wide(&normal(41, rows * dim, 1.0));
        let w = wide(&normal(42, dim, 1.0));
        let x1: Vec<f64> = x.iter().zip(&delta).map(|(a, d)| a + d).collect();
        let (mut h, mut rstd) = (vec![0.0; rows * dim], vec![0.0; rows]);
        for r in 0..rows {
            let row = &x1[r * dim..(r + 1) * dim];
            let ms = row.iter().map(|v| v * v).sum::<f64>() / dim as f64;
            let rs = 1.0 / (ms + 1e-6f32 as f64).sqrt();
            rstd[r] = rs;
            for c in 0..dim {
                h[r * dim + c] = row[c] * rs * w[c];
            }
        }
        vec![("x1", x1), ("h", h), ("rstd", rstd)]
    }
}

/// `add_rmsnorm` is `axpy(1.0, x, delta)` then `rmsnorm(delta, w)`: `x1` is exactly the f32
/// sum (a correctly rounded addition), and `h`, `rstd` are within 2 ulp of the backend's own
/// `rmsnorm` of that `x1` (the same reduction; only a compiler's contraction may differ).
fn fused_equals_pair<B: Backend>(b: &B) -> Outcome {
    for (rows, dim) in [(1, 1), (1, 258), (4, 13), (3, 517)] {
        let x = normal(50, rows * dim, 1.5);
        let d0 = normal(51, rows * dim, 1.0);
        let w = normal(52, dim, 1.0);
        let (wt, mut delta) = (b.upload(&w)?, b.upload(&d0)?);
        let (h, rstd) = b.add_rmsnorm(&b.upload(&x)?, &mut delta, &wt, dim, 1e-5)?;
        let x1 = b.download(&delta)?;
        for (i, ((&got, &a), &d)) in x1.iter().zip(&x).zip(&d0).enumerate() {
            ensure!(
                got.to_bits() == (a + d).to_bits(),
                "x1[{i}] = {got}, want x + delta = {} ({rows}x{dim})",
                a + d
            );
        }
        let (h2, rstd2) = b.rmsnorm(&delta, &wt, dim, 1e-5)?;
        let pairs = [
            ("h", b.download(&h)?, b.download(&h2)?),
            ("rstd", b.download(&rstd)?, b.download(&rstd2)?),
        ];
        for (what, got, want) in pairs {
            for (i, (&g, &r)) in got.iter().zip(&want).enumerate() {
                let ulp = 2.0 * f32::EPSILON as f64 * (r as f64).abs();
                ensure!(
                    (g as f64 - r as f64).abs() <= ulp,
                    "{what}[{i}] = {g}, rmsnorm of x1 gives {r} ({rows}x{dim})"
                );
            }
        }
    }
    Ok(())
}

/// Unit roundoff of f32.
const EPS32: f64 = f32::EPSILON as f64 / 2.0;

/// `rstd` within 2 ulp and `y` within 8 ulp of the f64 formula.
fn formula<B: Backend>(b: &B) -> Outcome {
    for (rows, dim) in [(1, 1), (3, 5), (2, 257)] {
        let x = normal(12, rows * dim, 3.0);
        let w = normal(13, dim, 1.0);
        let (y, rstd) = b.rmsnorm(&b.upload(&x)?, &b.upload(&w)?, dim, 1e-6)?;
        let (y, rstd) = (b.download(&y)?, b.download(&rstd)?);
        for r in 0..rows {
            let row = &x[r * dim..(r + 1) * dim];
            let ms = row.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / dim as f64;
            let want_r = 1.0 / (ms + 1e-6).sqrt();
            ensure!(
                (rstd[r] as f64 - want_r).abs() <= 2.0 * EPS32 * want_r,
                "rstd[{r}] = {}, want {want_r} ({rows}x{dim})",
                rstd[r]
            );
            for c in 0..dim {
                let want = row[c] as f64 * want_r * w[c] as f64;
                let got = y[r * dim + c] as f64;
                ensure!(
                    (got - want).abs() <= 8.0 * EPS32 * want.abs() + 1e-30,
                    "y[{r},{c}] = {got}, want {want} ({rows}x{dim})"
                );
            }
        }
    }
    Ok(())
}

/// `L = Σ wy ⊙ rmsnorm(x, w)`: `dx` and the increment of `dw` against finite differences.
fn backward_fd<B: Backend>(b: &B) -> Outcome {
    // With dim = 1 and a tiny eps, y ≈ w·sign(x) is nearly flat with a sharp bend at 0, where
    // central differences are dominated by truncation error; a large eps keeps it smooth (and
    // checks that the backward accounts for eps).
    for (rows, dim, eps) in [(1, 1, 0.3), (3, 7, 1e-5), (2, 19, 1e-5), (4, 3, 0.5)] {
        let x = normal(1, rows * dim, 1.0);
        let w = normal(2, dim, 1.0);
        let wy = normal(3, rows * dim, 1.0);
        let obj = |x: &[f32], w: &[f32]| {
            let (y, _) = b.rmsnorm(&b.upload(x)?, &b.upload(w)?, dim, eps)?;
            Ok(weighted_sum(&wy, &b.download(&y)?))
        };
        let (xt, wt) = (b.upload(&x)?, b.upload(&w)?);
        let (_, rstd) = b.rmsnorm(&xt, &wt, dim, eps)?;
        // dw accumulates: start from random values and check the increment.
        let dw0 = normal(4, dim, 1.0);
        let mut dw = b.upload(&dw0)?;
        let dx = b.rmsnorm_backward(&b.upload(&wy)?, &xt, &wt, &rstd, &mut dw, dim)?;
        let dw_inc: Vec<f32> = b
            .download(&dw)?
            .iter()
            .zip(&dw0)
            .map(|(a, b)| a - b)
            .collect();
        fd_check(
            &format!("rmsnorm dx {rows}x{dim}"),
            &x,
            &b.download(&dx)?,
            1.0,
            |x| obj(x, &w),
        )?;
        fd_check(&format!("rmsnorm dw {rows}x{dim}"), &w, &dw_inc, 1.0, |w| {
            obj(&x, w)
        })?;
    }
    Ok(())
}

/// Every call with inconsistent sizes is an error, not a panic or a success.
fn shape_errors<B: Backend>(b: &B) -> Outcome {
    let t = |n: usize| b.upload(&normal(70, n, 1.0));
    ensure!(
        b.rmsnorm(&t(6)?, &t(2)?, 3, 1e-6).is_err(),
        "rmsnorm with a weight of 2 for dim 3"
    );
    ensure!(
        b.rmsnorm_backward(&t(6)?, &t(6)?, &t(3)?, &t(3)?, &mut t(3)?, 3)
            .is_err(),
        "rmsnorm_backward with rstd of 3 for 2 rows"
    );
    let d0 = normal(71, 6, 1.0);
    for (x, delta, w, dim, what) in [
        (6, 6, 2, 3, "a weight of 2 for dim 3"),
        (6, 4, 3, 3, "a delta of 4 for x of 6"),
        (7, 7, 3, 3, "x of 7 for dim 3"),
        (6, 6, 3, 0, "dim 0"),
    ] {
        let mut dt = b.upload(&normal(71, delta, 1.0))?;
        ensure!(
            b.add_rmsnorm(&t(x)?, &mut dt, &t(w)?, dim, 1e-6).is_err(),
            "add_rmsnorm with {what}"
        );
        if delta == 6 {
            ensure!(
                b.download(&dt)? == d0,
                "add_rmsnorm changed delta on a shape error ({what})"
            );
        }
    }
    Ok(())
}
