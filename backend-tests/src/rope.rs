//! `rope`: rotary position embedding, Hugging Face "rotate half" layout, and its inverse
//! (which is its backward).

use hir_core::backend::{Backend, Result};

use crate::finite_difference::{fd_check, weighted_sum};
use crate::inputs::{ints, normal, wide};
use crate::report::{Expected, Outputs, Tolerance, TRANSCENDENTAL};
use crate::suite::{shape_error, Case, Outcome, Suite};

/// The rope family's cases.
pub fn cases<B: Backend, R: Backend>(s: &mut Suite<'_, B, R>) {
    for (n, heads, head_dim) in [(1, 1, 2), (7, 3, 6), (19, 2, 34), (5, 4, 256)] {
        s.table(&Rope { n, heads, head_dim });
    }
    s.check("rope matches the rotate-half formula and inverts", |b| {
        formula_and_inverse(b)
    });
    s.check("rope inverse is the backward (finite differences)", |b| {
        backward_fd(b)
    });
    s.check("rope with reused, equal and new position buffers", |b| {
        table_reuse(b)
    });
    s.check("error message names the op and the argument", |b| {
        error_message(b)
    });
    s.check("rejects inconsistent shapes", |b| shape_errors(b));
}

/// The rotation angle of pair `i` at position `pos`, as the contract (and Hugging Face
/// transformers) computes it: `inv_freq = f32(1 / theta^(2i/head_dim))`, then one f32
/// product `f32(pos)·inv_freq`; returned widened to f64.
pub fn angle(pos: u32, i: usize, head_dim: usize, theta: f32) -> f64 {
    let inv_freq = (1.0 / (theta as f64).powf((2 * i) as f64 / head_dim as f64)) as f32;
    (pos as f32 * inv_freq) as f64
}

/// `x: [N, heads, head_dim]` rotated by the angles of `pos` (by their negatives when
/// `inverse`), in f64.
pub fn reference(
    x: &[f64],
    pos: &[u32],
    (heads, head_dim): (usize, usize),
    theta: f32,
    inverse: bool,
) -> Vec<f64> {
    let half = head_dim / 2;
    let sign = if inverse { -1.0 } else { 1.0 };
    let mut y = x.to_vec();
    for (t, &p) in pos.iter().enumerate() {
        for h in 0..heads {
            let base = (t * heads + h) * head_dim;
            for i in 0..half {
                let a = angle(p, i, head_dim, theta);
                let (cos, sin) = (a.cos(), sign * a.sin());
                let (x1, x2) = (x[base + i], x[base + i + half]);
                y[base + i] = x1 * cos - x2 * sin;
                y[base + i + half] = x2 * cos + x1 * sin;
            }
        }
    }
    y
}

/// `rope` with theta 1e4, then its inverse with theta 1e6, at positions up to 2047: large
/// angles, where the f32 angle rounding matters. (A GPU's native f32 sin/cos is not accurate
/// on such arguments; a backend computes the angle as f32 like the contract says but its
/// cos/sin with proper range reduction, or in a host-side table.)
struct Rope {
    n: usize,
    heads: usize,
    head_dim: usize,
}

impl Case for Rope {
    fn name(&self) -> String {
        format!(
            "rope N={} heads={} head_dim={}",
            self.n, self.heads, self.head_dim
        )
    }
    fn tolerance(&self) -> Tolerance {
        TRANSCENDENTAL
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let (n, heads, head_dim) = (self.n, self.heads, self.head_dim);
        let mut x = b.upload(&normal(34, n * heads * head_dim, 1.0))?;
        let pos = b.upload_index(&ints(35, n, 2048))?;
        b.rope(&mut x, &pos, heads, head_dim, 10_000.0, false)?;
        let fwd = b.download(&x)?;
        b.rope(&mut x, &pos, heads, head_dim, 1_000_000.0, true)?;
        Ok(vec![
            ("rope", fwd),
            ("rope then inverse (other theta)", b.download(&x)?),
        ])
    }
    fn expected(&self) -> Expected {
        let (n, heads, head_dim) = (self.n, self.heads, self.head_dim);
        let x = wide(&normal(34, n * heads * head_dim, 1.0));
        let pos = ints(35, n, 2048);
        let fwd = reference(&x, &pos, (heads, head_dim), 10_000.0, false);
        let back = reference(&fwd, &pos, (heads, head_dim), 1_000_000.0, true);
        vec![("rope", fwd), ("rope then inverse (other theta)", back)]
    }
}

/// The rotate-half formula within 1e-6 at positions up to 4095, and the inverse restores `x`
/// within 1e-6.
fn formula_and_inverse<B: Backend>(b: &B) -> Outcome {
    let (n, heads, e, theta) = (4, 3, 10, 10_000.0f32);
    let x = normal(14, n * heads * e, 1.0);
    let pos = b.upload_index(&[0u32, 1, 17, 4095])?;
    let mut y = b.upload(&x)?;
    b.rope(&mut y, &pos, heads, e, theta, false)?;
    let want = reference(&wide(&x), &[0, 1, 17, 4095], (heads, e), theta, false);
    let got = b.download(&y)?;
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        ensure!((*g as f64 - w).abs() < 1e-6, "rope[{i}] = {g}, formula {w}");
    }
    b.rope(&mut y, &pos, heads, e, theta, true)?;
    for (got, want) in b.download(&y)?.iter().zip(&x) {
        ensure!(
            (got - want).abs() < 1e-6,
            "inverse(rope(x)) = {got}, x = {want}"
        );
    }
    Ok(())
}

/// `L = Σ w ⊙ rope(x)`: `rope⁻¹(w)` is `∂L/∂x`.
fn backward_fd<B: Backend>(b: &B) -> Outcome {
    for (n, heads, head_dim) in [(1, 1, 2), (5, 3, 6), (3, 2, 18)] {
        let x = normal(5, n * heads * head_dim, 1.0);
        let pos = b.upload_index(&ints(6, n, 3000))?;
        let w = normal(7, x.len(), 1.0);
        let obj = |x: &[f32]| {
            let mut y = b.upload(x)?;
            b.rope(&mut y, &pos, heads, head_dim, 10_000.0, false)?;
            Ok(weighted_sum(&w, &b.download(&y)?))
        };
        let mut dx = b.upload(&w)?;
        b.rope(&mut dx, &pos, heads, head_dim, 10_000.0, true)?;
        fd_check(
            &format!("rope N={n} H={heads} E={head_dim}"),
            &x,
            &b.download(&dx)?,
            1.0,
            obj,
        )?;
    }
    Ok(())
}

/// The same positions buffer twice (a GPU backend's table cache hit), equal positions in a
/// new buffer, then other positions: each rotates like the formula (within the elementwise
/// tolerance: a GPU may fuse `a·cos − b·sin` into an FMA).
fn table_reuse<B: Backend>(b: &B) -> Outcome {
    let (heads, e) = (2, 8);
    let p1: Vec<u32> = vec![0, 5, 1999, 7];
    let p2: Vec<u32> = vec![3, 1, 4, 1];
    let xs = normal(5, p1.len() * heads * e, 1.0);
    let gpos1 = b.upload_index(&p1)?;
    let gpos1b = b.upload_index(&p1)?;
    let gpos2 = b.upload_index(&p2)?;
    for (gpos, pos) in [(&gpos1, &p1), (&gpos1, &p1), (&gpos1b, &p1), (&gpos2, &p2)] {
        let mut g = b.upload(&xs)?;
        b.rope(&mut g, gpos, heads, e, 10_000.0, false)?;
        let want = reference(&wide(&xs), pos, (heads, e), 10_000.0, false);
        for (gi, wi) in b.download(&g)?.iter().zip(&want) {
            let gi = *gi as f64;
            ensure!(
                (gi - wi).abs() <= 1e-6 + 1e-6 * wi.abs(),
                "rope at {pos:?}: {gi} vs {wi}"
            );
        }
    }
    Ok(())
}

/// An odd head size says it must be even.
fn error_message<B: Backend>(b: &B) -> Outcome {
    let mut x = b.upload(&[0.0; 6])?;
    let r = b.rope(&mut x, &b.upload_index(&[0])?, 2, 3, 1e4, false);
    shape_error(r, "rope", &["even"])
}

/// Every call with inconsistent sizes is an error, not a panic or a success.
fn shape_errors<B: Backend>(b: &B) -> Outcome {
    let t = |n: usize| b.upload(&normal(70, n, 1.0));
    let ix = |v: &[u32]| b.upload_index(v);
    ensure!(
        b.rope(&mut t(6)?, &ix(&[0])?, 1, 3, 1e4, false).is_err(),
        "rope with an odd head size"
    );
    ensure!(
        b.rope(&mut t(8)?, &ix(&[0])?, 1, 4, 1e4, false).is_err(),
        "rope of 8 values for one position of one 4-wide head"
    );
    Ok(())
}
