//! What a case reports: the tolerance it was held to, how close it came and, when it failed,
//! the first element (or the check) that went wrong.
//!
//! A table case's outputs are compared elementwise with `|got − want| ≤ abs + rel·|want|`,
//! `want` being the f64 reference (or, in a bit-identity run, the twin backend's output, with
//! [`EXACT`]). The tolerances (see [`Tolerance`] and each op family's file) allow the f32
//! rounding of the computation against the exact f64 value with a margin: reductions of up to
//! 256 terms in any order (ε·256 ≈ 3e-5 relative), the few-ulp transcendental functions of a
//! GPU and, for sampling, a small fraction of draws that fall on the other side of a
//! cumulative-probability boundary.

use core::fmt;

use hir_core::backend::Result;

/// Named outputs of one table case on a backend: `(output name, values)`.
pub type Outputs = Vec<(&'static str, Vec<f32>)>;

/// Named outputs of one table case's f64 reference, in the order of the case's [`Outputs`].
pub type Expected = Vec<(&'static str, Vec<f64>)>;

/// An elementwise tolerance: `|got − want| ≤ abs + rel·|want|`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// Absolute part.
    pub abs: f64,
    /// Relative part (times the reference value's magnitude).
    pub rel: f64,
}

/// Tolerance for results of short f32 reductions (≤ 256 terms, O(1) inputs).
pub const F32_REDUCTION: Tolerance = Tolerance {
    abs: 1e-4,
    rel: 1e-4,
};
/// Tolerance for pure data movement (uploads, copies, gathers, cache writes, flags), and for
/// every output of a bit-identity run.
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

/// The outcome of one case: a table case (outputs against a reference) or a check (a
/// function of the backend that asserts a property: finite differences, a hand computation,
/// an error message, sampling statistics).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseReport {
    /// The op family, as the file that holds the case (`matmul`, `kv_cache`, …).
    pub family: &'static str,
    /// The case and the shape it ran on, e.g. `matmul m=17 k=33 n=9 tA=true tB=false`.
    pub name: String,
    /// Largest `|got − want|` over all outputs of a table case (0 when bit-identical, and
    /// for checks).
    pub max_abs_diff: f64,
    /// Largest `|got − want| / (abs + rel·|want|)` (≤ 1 passes; 0 when bit-identical, and for
    /// checks).
    pub worst_ratio: f64,
    /// The tolerance applied (`None` for a check, which states its own bounds).
    pub tolerance: Option<Tolerance>,
    /// Whether the case passed.
    pub passed: bool,
    /// What went wrong, when something did (an op error, a length mismatch, the worst
    /// element, a failed assertion of a check).
    pub detail: Option<String>,
}

impl fmt::Display for CaseReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = if self.passed { "ok  " } else { "FAIL" };
        write!(f, "{status} {}: {}", self.family, self.name)?;
        if let Some(tol) = self.tolerance {
            write!(
                f,
                ": max |diff| = {:.3e}, worst diff/tol = {:.3} (abs {:.2e}, rel {:.2e})",
                self.max_abs_diff, self.worst_ratio, tol.abs, tol.rel
            )?;
        }
        if let Some(d) = &self.detail {
            write!(f, " — {d}")?;
        }
        Ok(())
    }
}

/// Compares the outputs of one table case on the backend under test (`got`) with the
/// reference (`want`): elementwise within `tol`, except the outputs for which
/// `allowed_mismatches` gives a count (sampled token ids), which may differ in at most that
/// many elements.
pub(crate) fn compare(
    family: &'static str,
    name: String,
    tol: Tolerance,
    got: Result<Outputs>,
    want: Result<Expected>,
    allowed_mismatches: &dyn Fn(&str) -> Option<usize>,
) -> CaseReport {
    let mut report = CaseReport {
        family,
        name,
        max_abs_diff: 0.0,
        worst_ratio: 0.0,
        tolerance: Some(tol),
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
    if got.len() != want.len() {
        report.passed = false;
        report.detail = Some(format!("{} outputs, reference {}", got.len(), want.len()));
        return report;
    }
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
        if let Some(allowed) = allowed_mismatches(name) {
            let differ = g.iter().zip(w).filter(|(&a, &b)| a as f64 != b).count();
            report.max_abs_diff = report.max_abs_diff.max(differ as f64);
            if differ > 0 {
                let ratio = if allowed > 0 {
                    differ as f64 / allowed as f64
                } else {
                    f64::INFINITY
                };
                report.worst_ratio = report.worst_ratio.max(ratio);
            }
            if differ > allowed {
                report.passed = false;
                report.detail = Some(format!(
                    "{differ} of {} elements of `{name}` differ (at most {allowed} may)",
                    g.len()
                ));
            }
            continue;
        }
        for (i, (&gi, &wi)) in g.iter().zip(w).enumerate() {
            let gi = gi as f64;
            let diff = (gi - wi).abs();
            let bound = tol.abs + tol.rel * wi.abs();
            let same = gi.to_bits() == wi.to_bits() || (gi.is_nan() && wi.is_nan());
            let ratio = if same {
                0.0
            } else if bound > 0.0 && diff.is_finite() {
                diff / bound
            } else {
                f64::INFINITY
            };
            if !same {
                report.max_abs_diff =
                    report
                        .max_abs_diff
                        .max(if diff.is_nan() { f64::INFINITY } else { diff });
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

/// Prints every report, then one line per op family with the number of cases run and
/// passed, then the totals (headed by `title`, e.g. the backend and its adapter). Returns the
/// failed reports.
pub fn print_summary(title: &str, reports: &[CaseReport]) -> Vec<String> {
    for r in reports {
        println!("{r}");
    }
    let mut families: Vec<(&'static str, usize, usize)> = Vec::new();
    for r in reports {
        match families.iter_mut().find(|f| f.0 == r.family) {
            Some(f) => {
                f.1 += 1;
                f.2 += r.passed as usize;
            }
            None => families.push((r.family, 1, r.passed as usize)),
        }
    }
    println!("{title}:");
    for (family, run, passed) in &families {
        println!("  {family:<14} {run:>4} cases run, {passed:>4} passed");
    }
    let passed = reports.iter().filter(|r| r.passed).count();
    println!(
        "  {:<14} {:>4} cases run, {passed:>4} passed, {} failed",
        "total",
        reports.len(),
        reports.len() - passed
    );
    reports
        .iter()
        .filter(|r| !r.passed)
        .map(|r| r.to_string())
        .collect()
}
