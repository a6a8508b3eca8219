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
    attention, gate_up_swiglu, matmul, print_summary, rmsnorm, run_against, run_all, sampled_ids,
    weight, CaseReport,
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
    // Sampled ids stay on the device: every op that needs host ids must refuse them.
    let refused = sampled_ids::host_ops(&gpu, true);
    reports.push(CaseReport {
        family: "sampled_ids",
        name: "ops needing host ids refuse device-only sampled ids (strict)".into(),
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
    // Subgroups: `gpu` uses them when the adapter has them (the suite above, the f16-storage
    // products in `weight` included, and the bit-for-bit rerun below); the families with
    // subgroup variants (matmul, weight, rmsnorm, gate_up_swiglu) run again on the plain
    // kernels of the same adapter.
    println!(
        "subgroups: adapter {}, in use by the suite {}",
        if adapter.subgroups {
            "has them"
        } else {
            "lacks them (only the plain kernels run)"
        },
        gpu.subgroups_in_use()
    );
    let switch = subgroup_switch(&gpu);
    reports.push(CaseReport {
        family: "matmul",
        name: "with_subgroups switches the few-row matmul's and rmsnorm's pipelines (only when in use)"
            .into(),
        max_abs_diff: 0.0,
        worst_ratio: 0.0,
        tolerance: None,
        passed: switch.is_ok(),
        detail: switch.err(),
    });
    if gpu.subgroups_in_use() {
        let plain = gpu.with_subgroups(false);
        assert!(!plain.subgroups_in_use());
        reports.extend(matmul::family_reports(&plain, "matmul[no subgroups]"));
        reports.extend(weight::family_reports(&plain, "weight[no subgroups]"));
        reports.extend(rmsnorm::family_reports(&plain, "rmsnorm[no subgroups]"));
        reports.extend(gate_up_swiglu::family_reports(
            &plain,
            "gate_up_swiglu[no subgroups]",
        ));
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

/// `with_subgroups` selects the kernel: on a fresh device (an empty pipeline cache), a
/// few-row product on the plain backend compiles one pipeline, repeating it none, and the
/// same product with subgroups one more (the `matmul_rows_sg` variant) exactly when the
/// adapter has them.
fn subgroup_switch(gpu: &WgpuBackend) -> Result<(), String> {
    use hir_core::backend::Backend;
    let fresh = WgpuBackend::new().map_err(|e| e.to_string())?;
    let (m, k, n) = (6, 52, 12);
    let mm = matmul::plain(m, k, n, false, true);
    let e = |e: hir_core::backend::BackendError| e.to_string();
    let run = |b: &WgpuBackend| -> Result<usize, String> {
        let a = b.upload(&vec![0.5; m * k]).map_err(e)?;
        let w = b.upload(&vec![0.25; n * k]).map_err(e)?;
        let mut c = b.zeros(m * n).map_err(e)?;
        matmul::matmul(b, &a, &w, &mut c, mm).map_err(e)?;
        let got = b.download(&c).map_err(e)?;
        let want = 0.125 * k as f32; // exact in f32
        if got.iter().any(|&x| x != want) {
            return Err(format!(
                "a {m}×{k}×{n} product of constants is not {want}: {got:?}"
            ));
        }
        Ok(b.compiled_pipelines())
    };
    let plain = fresh.with_subgroups(false);
    let before = plain.compiled_pipelines();
    let first = run(&plain)?;
    let again = run(&plain)?;
    let sg = fresh.with_subgroups(true);
    let with_sg = run(&sg)?;
    let want_sg = usize::from(gpu.adapter_info().subgroups);
    if sg.subgroups_in_use() != gpu.adapter_info().subgroups {
        return Err("with_subgroups(true) must use the subgroups the adapter has".into());
    }
    if (first - before, again - first, with_sg - again) != (1, 0, want_sg) {
        return Err(format!(
            "new pipelines: {} plain, {} plain again, {} with subgroups (expected 1, 0, {want_sg})",
            first - before,
            again - first,
            with_sg - again
        ));
    }
    // Likewise RMSNorm's row reductions (`rmsnorm_sg`).
    let norm = |b: &WgpuBackend| -> Result<usize, String> {
        let x = b.upload(&[3.0, 4.0]).map_err(e)?;
        let w = b.upload(&[1.0, 1.0]).map_err(e)?;
        let (y, _) = b.rmsnorm(&x, &w, 2, 0.0).map_err(e)?;
        let got = b.download(&y).map_err(e)?;
        let r = (12.5f32).sqrt(); // rms of (3, 4)
        if (got[0] - 3.0 / r).abs() > 1e-6 || (got[1] - 4.0 / r).abs() > 1e-6 {
            return Err(format!("rmsnorm of (3, 4) is {got:?}"));
        }
        Ok(b.compiled_pipelines())
    };
    let before = norm(&plain)?;
    let with_sg = norm(&sg)?;
    if with_sg - before != want_sg {
        return Err(format!(
            "rmsnorm with subgroups compiled {} new pipelines (expected {want_sg})",
            with_sg - before
        ));
    }
    Ok(())
}
