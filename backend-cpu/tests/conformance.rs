//! Runs the reusable conformance suite with `CpuBackend` on one thread against `CpuBackend`
//! on the global pool: the CPU backend promises bit-identical results across thread counts,
//! so every case must match exactly (not merely within tolerance).

use hir_backend_cpu::conformance::run_all;
use hir_backend_cpu::CpuBackend;

#[test]
fn single_thread_cpu_is_bit_identical_to_multi_thread_cpu() {
    let one = CpuBackend::with_threads(1).expect("one thread");
    let reports = run_all(&one);
    assert!(reports.len() > 100, "only {} cases ran", reports.len());
    let mut failures = Vec::new();
    for r in &reports {
        println!("{r}");
        if !r.passed || r.max_abs_diff != 0.0 || r.worst_ratio != 0.0 {
            failures.push(r.to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "not bit-identical:\n{}",
        failures.join("\n")
    );
}

#[test]
fn three_threads_cpu_is_bit_identical_too() {
    let three = CpuBackend::with_threads(3).expect("three threads");
    for r in run_all(&three) {
        assert!(r.passed && r.max_abs_diff == 0.0, "{r}");
    }
}
