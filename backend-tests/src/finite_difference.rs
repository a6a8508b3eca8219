//! The central finite-difference gradient check used by every backward op's checks.
//!
//! Each check builds a scalar objective `L = Σ w ⊙ f(x)` with random weights `w` through the
//! backend's forward op, obtains the analytic gradient from the backend's backward op with
//! upstream gradient `w`, and compares the two element by element.

use hir_core::backend::Result;

use crate::suite::{Failure, Outcome};

/// `Σ w_i y_i` in f64: the scalar objective whose gradient with respect to `y` is `w`.
pub fn weighted_sum(w: &[f32], y: &[f32]) -> f64 {
    assert_eq!(w.len(), y.len(), "weighted_sum lengths");
    w.iter().zip(y).map(|(&a, &b)| a as f64 * b as f64).sum()
}

/// Tolerance of the finite-difference checks.
///
/// The forward passes run in f32, so each evaluation of an objective `L = Σ w·y` carries a
/// rounding error of about `ε·sqrt(#terms)·|w y|` with `ε ≈ 6e-8`; for the O(1) values and
/// ≤ a few hundred terms used here that is ≲ 1e-6, which a central difference with step
/// `h = 1e-2` turns into ≲ 1e-4 of noise (`1e-6 / 2h`). The truncation error of the central
/// difference is `h²/6 · |∂³L| ≈ 2e-5 · |∂³L|`, ≲ 1e-4 for these smooth ops. An analytic
/// gradient that is wrong (a missing term, a wrong index) is off by O(0.1..1), far beyond.
pub const FD_ABS: f64 = 5e-4;
/// Relative part of the finite-difference tolerance (see [`FD_ABS`]).
pub const FD_REL: f64 = 5e-3;
/// Finite-difference step, relative to the O(1) scale of the inputs.
pub const FD_H: f32 = 1e-2;

/// Checks `analytic` (the gradient of `objective` at `x`) by central differences, perturbing
/// one element of `x` at a time by `±FD_H·scale` in f32. The actual f32 steps are used as the
/// denominator, so rounding of `x ± h` does not bias the estimate.
pub fn fd_check(
    name: &str,
    x: &[f32],
    analytic: &[f32],
    scale: f32,
    mut objective: impl FnMut(&[f32]) -> Result<f64>,
) -> Outcome {
    if x.len() != analytic.len() {
        return Err(Failure(format!(
            "{name}: gradient has {} elements, input {}",
            analytic.len(),
            x.len()
        )));
    }
    let mut xp = x.to_vec();
    let h = FD_H * scale;
    for i in 0..x.len() {
        let x0 = x[i];
        xp[i] = x0 + h;
        let up = objective(&xp)?;
        let hp = (xp[i] - x0) as f64;
        xp[i] = x0 - h;
        let down = objective(&xp)?;
        let hm = (x0 - xp[i]) as f64;
        xp[i] = x0;
        let fd = (up - down) / (hp + hm);
        let an = analytic[i] as f64;
        let err = (fd - an).abs();
        let bound = FD_ABS + FD_REL * fd.abs().max(an.abs());
        // Like `assert!(err <= bound)`: a NaN fails.
        let within = err <= bound;
        if !within {
            return Err(Failure(format!(
                "{name}[{i}]: analytic {an:e}, finite difference {fd:e} (|diff| {err:e} > {bound:e})"
            )));
        }
    }
    Ok(())
}
