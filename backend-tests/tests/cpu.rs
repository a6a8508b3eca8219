//! The shared backend test suite on `CpuBackend`: every case of every op family against its
//! f64 reference and finite differences, and the CPU backend's promise of bit-identical
//! results on any thread count (every table case, one thread against the global pool).

use hir_backend_cpu::CpuBackend;
use hir_backend_tests::{matmul, print_summary, run_against, run_all, sample, weight};

#[test]
fn every_case_passes_on_the_cpu_backend() {
    let reports = run_all(&CpuBackend::new());
    let failures = print_summary("cpu", &reports);
    assert!(reports.len() > 200, "only {} cases ran", reports.len());
    assert!(
        failures.is_empty(),
        "failed cases:\n{}",
        failures.join("\n")
    );
}

#[test]
fn single_thread_cpu_is_bit_identical_to_multi_thread_cpu() {
    let one = CpuBackend::with_threads(1).expect("one thread");
    let reports = run_against(&one, &CpuBackend::new());
    let failures = print_summary("cpu, 1 thread against the global pool", &reports);
    assert!(reports.len() > 100, "only {} cases ran", reports.len());
    assert!(
        failures.is_empty(),
        "not bit-identical:\n{}",
        failures.join("\n")
    );
}

#[test]
fn three_threads_cpu_is_bit_identical_too() {
    let three = CpuBackend::with_threads(3).expect("three threads");
    for r in run_against(&three, &CpuBackend::new()) {
        assert!(r.passed && r.max_abs_diff == 0.0, "{r}");
    }
}

#[test]
fn large_matmul_is_bit_identical_across_thread_counts() {
    let pools: Vec<CpuBackend> = [1, 2, 5]
        .iter()
        .map(|&n| CpuBackend::with_threads(n).expect("pool"))
        .collect();
    matmul::bit_identical_across(&pools).unwrap_or_else(|f| panic!("{}", f.0));
}

#[test]
fn draws_are_the_same_on_any_thread_count() {
    let one = CpuBackend::with_threads(1).expect("one thread");
    sample::same_draws(&CpuBackend::new(), &one).unwrap_or_else(|f| panic!("{}", f.0));
}

#[test]
fn zero_threads_is_an_error() {
    assert!(CpuBackend::with_threads(0).is_err());
}

#[test]
fn cpu_keeps_f16_weights_and_other_ops_refuse_them() {
    weight::refusals(&CpuBackend::new(), true).unwrap_or_else(|f| panic!("{}", f.0));
}
