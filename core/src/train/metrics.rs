//! Per-step metrics (spec §6), keyed with the names verl users look for.
//!
//! Keys are sorted (a `BTreeMap`), so a metrics line serializes the same way every run.
//! Timing keys start with `timing_s/` and `perf/`; everything else is a pure function of the
//! seed and the data, which is what the resume test compares.

use alloc::collections::BTreeMap;
use alloc::string::String;

/// One step's metrics: name → value.
pub type StepMetrics = BTreeMap<String, f64>;

/// Whether a metric depends on wall time (and so differs between otherwise identical runs).
pub fn is_timing(key: &str) -> bool {
    key.starts_with("timing_s/") || key.starts_with("perf/")
}

/// Mean and population standard deviation (0, 0 for an empty slice).
pub fn mean_std(xs: &[f64]) -> (f64, f64) {
    if xs.is_empty() {
        return (0.0, 0.0);
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    (mean, libm::sqrt(var))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_std_of_small_samples() {
        assert_eq!(mean_std(&[]), (0.0, 0.0));
        assert_eq!(mean_std(&[1.0, 0.0, 0.0, 1.0]), (0.5, 0.5));
        assert!(is_timing("timing_s/gen") && is_timing("perf/throughput"));
        assert!(!is_timing("actor/pg_loss"));
    }
}
