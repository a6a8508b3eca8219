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

/// Larger than the suite's shapes: gemm's parallel path splits the output across threads, and
/// its blocking over `k` depends on the shape only, so the sums are still bit-identical.
#[test]
fn large_matmul_is_bit_identical_across_thread_counts() {
    use hir_core::backend::{Backend, Matmul};
    use hir_core::rng::Rng;
    let (m, k, n) = (300, 1030, 270);
    let mut rng = Rng::new(7);
    let a: Vec<f32> = (0..m * k).map(|_| rng.next_normal()).collect();
    let b: Vec<f32> = (0..k * n).map(|_| rng.next_normal()).collect();
    let mut outs = Vec::new();
    for threads in [1, 2, 5] {
        let cpu = CpuBackend::with_threads(threads).expect("pool");
        for (ta, tb) in [(false, false), (true, true)] {
            let mut c = cpu.zeros(m * n).expect("zeros");
            let (at, bt) = (cpu.upload(&a).expect("a"), cpu.upload(&b).expect("b"));
            cpu.matmul(
                &at,
                &bt,
                &mut c,
                Matmul {
                    m,
                    k,
                    n,
                    trans_a: ta,
                    trans_b: tb,
                    alpha: 1.0,
                    beta: 0.0,
                },
            )
            .expect("matmul");
            outs.push(((ta, tb), c.into_vec()));
        }
    }
    for (layout, c) in &outs[2..] {
        let first = &outs
            .iter()
            .find(|(l, _)| l == layout)
            .expect("same layout")
            .1;
        assert!(c == first, "layout {layout:?} differs across thread counts");
    }
}
