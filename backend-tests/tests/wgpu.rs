//! The shared backend test suite on `WgpuBackend`: every case of every op family against its
//! f64 reference and finite differences, the wgpu backend's lavapipe loop-cap guard, and
//! bit-identical results when the table is run twice (the backend is deterministic: no
//! atomics whose order depends on scheduling).
//!
//! GPU policy: `#[ignore]`d, so a plain `cargo test` lists it as ignored, with the reason,
//! instead of passing it without running anything. `cargo test -p hir-backend-tests --test
//! wgpu -- --ignored --nocapture` runs it (as `.ci/run` does, on lavapipe when there is no
//! GPU) and prints the adapter and the cases run and passed per op family; run that way, a
//! missing adapter fails it.

use hir_backend_tests::{
    attention, gate_up_swiglu, matmul, print_summary, run_against, run_all, weight, CaseReport,
};
use hir_backend_wgpu::WgpuBackend;

#[test]
#[ignore = "needs a GPU adapter (Vulkan, Metal, DX12 or GL): cargo test -p hir-backend-tests -- --ignored"]
fn every_case_passes_on_the_wgpu_backend() {
    let gpu = match WgpuBackend::new() {
        Ok(b) => b,
        Err(e) => panic!(
            "no GPU adapter ({e}); this test runs only when asked for (--ignored), and needs one"
        ),
    };
    let adapter = gpu.adapter_info();
    println!("wgpu backend tests: adapter {adapter}");
    let mut reports = run_all(&gpu);
    let is_lavapipe = adapter.name.contains("llvmpipe");
    let guard = attention::refuses_beyond_loop_cap(&gpu, is_lavapipe);
    reports.push(CaseReport {
        family: "attention",
        name: "lavapipe refuses sequences beyond its loop cap (4096 tokens, E=256)".into(),
        max_abs_diff: 0.0,
        worst_ratio: 0.0,
        tolerance: None,
        passed: guard.is_ok(),
        detail: guard.err().map(|f| f.0),
    });
    // With SHADER_F16 the backend keeps f16 weights: every other op must refuse them.
    let strict = adapter.shader_f16;
    let refused = weight::refusals(&gpu, strict);
    reports.push(CaseReport {
        family: "weight",
        name: format!("other ops refuse a stored f16 weight (strict: {strict})"),
        max_abs_diff: 0.0,
        worst_ratio: 0.0,
        tolerance: None,
        passed: refused.is_ok(),
        detail: refused.err().map(|f| f.0),
    });
    // The matmul and weight families again with each tile config of the tiled kernel forced,
    // so that one adapter runs the configs the table picks for the others.
    for name in WgpuBackend::matmul_tile_names() {
        let family: &'static str = Box::leak(format!("matmul[{name}]").into_boxed_str());
        match gpu.with_matmul_tiles(name) {
            Some(forced) => {
                reports.extend(matmul::family_reports(&forced, family));
                // The stored-weight products too (f16 B through the forced tiles).
                let wfamily: &'static str = Box::leak(format!("weight[{name}]").into_boxed_str());
                reports.extend(weight::family_reports(&forced, wfamily));
                // The fused gate/up/SwiGLU kernel's tiled path with the same forced tiles (its
                // tiled cases only).
                let gfamily: &'static str =
                    Box::leak(format!("gate_up_swiglu[{name}]").into_boxed_str());
                reports.extend(gate_up_swiglu::tiled_reports(&forced, gfamily));
            }
            None => {
                println!("matmul tiles {name}: beyond this adapter's workgroup limits, not run")
            }
        }
    }
    let twice = run_against(&gpu, &gpu);
    let mut failures = print_summary(&format!("wgpu on {}", adapter.name), &reports);
    failures.extend(print_summary(
        &format!("wgpu on {}, table run twice, bit for bit", adapter.name),
        &twice,
    ));
    assert!(
        failures.is_empty(),
        "failed cases:\n{}",
        failures.join("\n")
    );
}
