//! A reusable conformance suite: runs every [`Backend`] op on random inputs of awkward shapes
//! (1, odd sizes, non-multiples of a 16-wide tile, up to 256) on a backend under test and on
//! [`CpuBackend`], and compares the results, forward and backward.
//!
//! Enabled by the cargo feature `conformance`. A new backend checks itself with
//!
//! ```ignore
//! let reports = hir_backend_cpu::conformance::run_all(&my_backend);
//! for r in &reports { assert!(r.passed, "{r}"); }
//! ```
//!
//! Every case generates its inputs from a fixed seed, so both backends see the same numbers.
//! Each op's outputs are compared elementwise with `|got − want| ≤ abs + rel·|want|`; the
//! tolerances (see [`Tolerance`] and the table in `run_all`) allow f32 rounding of reductions
//! of up to 256 terms done in another order (ε·256 ≈ 3e-5 relative) with a margin, and for
//! sampling a small fraction of draws that fall on the other side of a cumulative-probability
//! boundary. `CpuBackend` against itself on another thread count must match bit for bit.

mod cases;
mod cases_nn;

use core::fmt;

use hir_core::backend::{Backend, Result};

use crate::CpuBackend;

/// Named outputs of one case: `(output name, values)`.
pub(crate) type Outputs = Vec<(&'static str, Vec<f32>)>;

/// An elementwise tolerance: `|got − want| ≤ abs + rel·|want|`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// Absolute part.
    pub abs: f32,
    /// Relative part (times the reference value's magnitude).
    pub rel: f32,
}

/// Tolerance for results of short f32 reductions (≤ 256 terms, O(1) inputs).
pub const F32_REDUCTION: Tolerance = Tolerance {
    abs: 1e-4,
    rel: 1e-4,
};
/// Tolerance for pure data movement (uploads, copies, gathers, cache writes, flags).
pub const EXACT: Tolerance = Tolerance { abs: 0.0, rel: 0.0 };
/// Tolerance for one or two f32 arithmetic operations per element (`axpy`, `scale`): a GPU
/// compiler may fuse `a·x + y` into one FMA, which rounds once instead of twice.
pub const ELEMENTWISE: Tolerance = Tolerance {
    abs: 1e-6,
    rel: 1e-6,
};
/// Tolerance for elementwise ops with transcendental functions (exp, sin, cos, sqrt), whose
/// accuracy is a few ulp on GPUs.
pub const TRANSCENDENTAL: Tolerance = Tolerance {
    abs: 1e-5,
    rel: 1e-5,
};

/// The outcome of one conformance case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseReport {
    /// The op and the shape it ran on, e.g. `matmul m=17 k=33 n=9 tA=true tB=false`.
    pub name: String,
    /// Largest `|got − want|` over all outputs of the case (0 when bit-identical).
    pub max_abs_diff: f32,
    /// Largest `|got − want| / (abs + rel·|want|)` (≤ 1 passes; 0 when bit-identical).
    pub worst_ratio: f32,
    /// The tolerance applied.
    pub tolerance: Tolerance,
    /// Whether every output is within tolerance and both backends agreed on success.
    pub passed: bool,
    /// What went wrong, when something did (an op error, a length mismatch, the worst element).
    pub detail: Option<String>,
}

impl fmt::Display for CaseReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: max |diff| = {:e}, worst diff/tol = {:.3} (abs {:e}, rel {:e})",
            if self.passed { "ok  " } else { "FAIL" },
            self.name,
            self.max_abs_diff,
            self.worst_ratio,
            self.tolerance.abs,
            self.tolerance.rel
        )?;
        if let Some(d) = &self.detail {
            write!(f, " — {d}")?;
        }
        Ok(())
    }
}

/// Compares the outputs of one case on the backend under test (`got`) and the reference.
pub(crate) fn compare(
    name: String,
    tol: Tolerance,
    got: Result<Outputs>,
    want: Result<Outputs>,
) -> CaseReport {
    let mut report = CaseReport {
        name,
        max_abs_diff: 0.0,
        worst_ratio: 0.0,
        tolerance: tol,
        passed: true,
        detail: None,
    };
    let (got, want) = match (got, want) {
        (Ok(g), Ok(w)) => (g, w),
        (g, w) => {
            report.passed = false;
            report.detail = Some(format!(
                "backend under test: {:?}; reference: {:?}",
                g.err(),
                w.err()
            ));
            return report;
        }
    };
    for ((name, g), (_, w)) in got.iter().zip(&want) {
        if g.len() != w.len() {
            report.passed = false;
            report.detail = Some(format!(
                "`{name}` has {} elements, reference {}",
                g.len(),
                w.len()
            ));
            return report;
        }
        for (i, (&gi, &wi)) in g.iter().zip(w).enumerate() {
            let diff = (gi - wi).abs();
            let bound = tol.abs + tol.rel * wi.abs();
            let same = gi.to_bits() == wi.to_bits() || (gi.is_nan() && wi.is_nan());
            let ratio = if same {
                0.0
            } else if bound > 0.0 && diff.is_finite() {
                diff / bound
            } else {
                f32::INFINITY
            };
            if !same {
                report.max_abs_diff =
                    report
                        .max_abs_diff
                        .max(if diff.is_nan() { f32::INFINITY } else { diff });
            }
            if ratio > report.worst_ratio {
                report.worst_ratio = ratio;
                if ratio > 1.0 {
                    report.passed = false;
                    report.detail = Some(format!("`{name}[{i}]` = {gi:e}, reference {wi:e}"));
                }
            }
        }
    }
    report
}

/// Runs every case on `backend` and on [`CpuBackend`] and returns one report per case.
///
/// Never panics on a backend error: a failing op is reported as a failed case.
pub fn run_all<B: Backend>(backend: &B) -> Vec<CaseReport> {
    let reference = CpuBackend::new();
    let mut reports = Vec::new();
    cases::run(backend, &reference, &mut reports);
    cases_nn::run(backend, &reference, &mut reports);
    reports
}
