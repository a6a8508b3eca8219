//! Helpers shared by the CPU backend's integration tests: seeded random inputs and the
//! central finite-difference gradient check.
#![allow(dead_code)]

use hir_backend_cpu::{CpuBackend, CpuIndex, CpuTensor};
use hir_core::backend::Backend;
use hir_core::rng::Rng;

/// The backend under test (global rayon pool).
pub fn cpu() -> CpuBackend {
    CpuBackend::new()
}

/// `n` standard normal samples times `scale`.
pub fn normal(seed: u64, n: usize, scale: f32) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| rng.next_normal() * scale).collect()
}

/// `n` integers in `0..bound`.
pub fn ints(seed: u64, n: usize, bound: u32) -> Vec<u32> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| rng.below(bound as u64) as u32).collect()
}

/// Uploads host data.
pub fn t(data: &[f32]) -> CpuTensor {
    cpu().upload(data).expect("upload")
}

/// Uploads host ids.
pub fn ix(data: &[u32]) -> CpuIndex {
    cpu().upload_index(data).expect("upload_index")
}

/// `Σ w_i y_i` in f64: the scalar objective whose gradient with respect to `y` is `w`.
pub fn weighted_sum(w: &[f32], y: &[f32]) -> f64 {
    assert_eq!(w.len(), y.len());
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
    mut objective: impl FnMut(&[f32]) -> f64,
) {
    assert_eq!(x.len(), analytic.len(), "{name}: gradient length");
    let mut xp = x.to_vec();
    let h = FD_H * scale;
    let mut worst = 0.0f64;
    for i in 0..x.len() {
        let x0 = x[i];
        xp[i] = x0 + h;
        let up = objective(&xp);
        let hp = (xp[i] - x0) as f64;
        xp[i] = x0 - h;
        let down = objective(&xp);
        let hm = (x0 - xp[i]) as f64;
        xp[i] = x0;
        let fd = (up - down) / (hp + hm);
        let an = analytic[i] as f64;
        let err = (fd - an).abs();
        let bound = FD_ABS + FD_REL * fd.abs().max(an.abs());
        assert!(
            err <= bound,
            "{name}[{i}]: analytic {an:e}, finite difference {fd:e} (|diff| {err:e} > {bound:e})"
        );
        worst = worst.max(err / bound);
    }
    println!(
        "{name}: {} elements, worst |diff|/tolerance = {worst:.3}",
        x.len()
    );
}
