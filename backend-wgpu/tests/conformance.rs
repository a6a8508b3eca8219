//! The cross-backend conformance suite (`hir_backend_cpu::conformance`) on the wgpu backend:
//! every op on random inputs of awkward shapes, forward and backward, against the CPU
//! reference, with the suite's tolerances.
//!
//! Run with `cargo test -p hir-backend-wgpu --test conformance -- --ignored --nocapture` to
//! see every case. GPU policy: see `common/mod.rs` (ignored unless asked for; then a missing
//! adapter is a failure).

mod common;

/// Case-name prefixes of ops not implemented on wgpu yet: their cases are run and reported
/// but may fail (only with a "not implemented" error). Empty this list as the ops land; a
/// listed case that passes fails the test, so that the list stays honest.
const NOT_IMPLEMENTED: &[&str] = &[];

#[test]
#[ignore = "needs a GPU adapter (Vulkan, Metal, DX12 or GL): cargo test -p hir-backend-wgpu -- --ignored"]
fn wgpu_matches_the_cpu_reference_on_every_op() {
    let gpu = common::gpu("conformance");
    let reports = hir_backend_cpu::conformance::run_all(&gpu);
    let mut failures = Vec::new();
    let (mut passed, mut pending) = (0, 0);
    for r in &reports {
        let listed = NOT_IMPLEMENTED.iter().any(|p| r.name.starts_with(p));
        println!("{r}");
        match (listed, r.passed) {
            (false, true) => passed += 1,
            (false, false) => failures.push(r.to_string()),
            (true, false) => {
                let why = r.detail.as_deref().unwrap_or("");
                if why.contains("not implemented on wgpu yet") {
                    pending += 1;
                } else {
                    failures.push(format!(
                        "{r} (listed as not implemented, but failed otherwise)"
                    ));
                }
            }
            (true, true) => failures.push(format!(
                "{} passes: remove its prefix from NOT_IMPLEMENTED",
                r.name
            )),
        }
    }
    println!(
        "conformance on {}: {} cases run, {passed} passed, {pending} pending (ops still to be ported), {} failed",
        gpu.adapter_info().name,
        reports.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "failed cases:\n{}",
        failures.join("\n")
    );
}
