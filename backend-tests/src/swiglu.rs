//! `swiglu` (`h = silu(gate)·up`) and `swiglu_backward`.

use hir_core::backend::{Backend, Result};

use crate::finite_difference::{fd_check, weighted_sum};
use crate::inputs::normal;
use crate::report::{Expected, Outputs, Tolerance, TRANSCENDENTAL};
use crate::suite::{Case, Outcome, Suite};

/// The swiglu family's cases.
pub fn cases<B: Backend, R: Backend>(s: &mut Suite<'_, B, R>) {
    for n in [1, 17, 4099] {
        s.table(&SwiGlu { n });
    }
    s.check("swiglu within 1e-6 of the formula", |b| formula(b));
    s.check("swiglu_backward against finite differences", |b| {
        backward_fd(b)
    });
    s.check("rejects inconsistent shapes", |b| shape_errors(b));
}

/// `silu(g) = g / (1 + e^(−g))` in f64.
fn silu(g: f64) -> f64 {
    g / (1.0 + (-g).exp())
}

/// `swiglu` of seeded gates (scale 3: both tails of the sigmoid) and ups, then its backward
/// for a seeded `dh`.
struct SwiGlu {
    n: usize,
}

impl Case for SwiGlu {
    fn name(&self) -> String {
        format!("swiglu n={}", self.n)
    }
    fn tolerance(&self) -> Tolerance {
        TRANSCENDENTAL
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let g = b.upload(&normal(50, self.n, 3.0))?;
        let u = b.upload(&normal(51, self.n, 1.0))?;
        let h = b.swiglu(&g, &u)?;
        let dh = b.upload(&normal(52, self.n, 1.0))?;
        let (dg, du) = b.swiglu_backward(&dh, &g, &u)?;
        Ok(vec![
            ("h", b.download(&h)?),
            ("dgate", b.download(&dg)?),
            ("dup", b.download(&du)?),
        ])
    }
    /// `h = silu(g)·u`; `dgate = dh·u·σ(g)·(1 + g·(1 − σ(g)))`, `dup = dh·silu(g)`.
    fn expected(&self) -> Expected {
        let g = normal(50, self.n, 3.0);
        let u = normal(51, self.n, 1.0);
        let dh = normal(52, self.n, 1.0);
        let (mut h, mut dg, mut du) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..self.n {
            let (gi, ui, dhi) = (g[i] as f64, u[i] as f64, dh[i] as f64);
            let sig = 1.0 / (1.0 + (-gi).exp());
            h.push(silu(gi) * ui);
            dg.push(dhi * ui * sig * (1.0 + gi * (1.0 - sig)));
            du.push(dhi * silu(gi));
        }
        vec![("h", h), ("dgate", dg), ("dup", du)]
    }
}

/// `h` within `1e-6·(1 + |h|)` of the f64 formula on gates of scale 4.
fn formula<B: Backend>(b: &B) -> Outcome {
    let g = normal(15, 33, 4.0);
    let u = normal(16, 33, 1.0);
    let h = b.download(&b.swiglu(&b.upload(&g)?, &b.upload(&u)?)?)?;
    for i in 0..33 {
        let want = silu(g[i] as f64) * u[i] as f64;
        ensure!(
            (h[i] as f64 - want).abs() <= 1e-6 * (1.0 + want.abs()),
            "h[{i}] = {}, want {want}",
            h[i]
        );
    }
    Ok(())
}

/// `L = Σ w ⊙ swiglu(g, u)`: `swiglu_backward(w)` against finite differences.
fn backward_fd<B: Backend>(b: &B) -> Outcome {
    let n = 37;
    let g = normal(12, n, 2.0);
    let u = normal(13, n, 1.0);
    let w = normal(14, n, 1.0);
    let (dg, du) = b.swiglu_backward(&b.upload(&w)?, &b.upload(&g)?, &b.upload(&u)?)?;
    let obj = |g: &[f32], u: &[f32]| {
        let h = b.swiglu(&b.upload(g)?, &b.upload(u)?)?;
        Ok(weighted_sum(&w, &b.download(&h)?))
    };
    fd_check("swiglu dgate", &g, &b.download(&dg)?, 1.0, |x| obj(x, &u))?;
    fd_check("swiglu dup", &u, &b.download(&du)?, 1.0, |x| obj(&g, x))
}

/// Every call with inconsistent sizes is an error, not a panic or a success.
fn shape_errors<B: Backend>(b: &B) -> Outcome {
    let t = |n: usize| b.upload(&normal(70, n, 1.0));
    ensure!(b.swiglu(&t(3)?, &t(4)?).is_err(), "swiglu of 3 and 4");
    ensure!(
        b.swiglu_backward(&t(3)?, &t(3)?, &t(4)?).is_err(),
        "swiglu_backward with up of 4"
    );
    Ok(())
}
