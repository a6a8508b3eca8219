//! `hir forward --backend wgpu` and `hir grad --backend wgpu` agree with `--backend cpu` on the
//! PyTorch golden models (issue 5): logits max abs diff ≤ 1e-4; every gradient tensor within
//! 1e-4·max(1, max|g|).
//!
//! It needs a GPU adapter, so it is `#[ignore]`d: `cargo test` lists it as ignored, with the
//! reason, and `cargo test --test wgpu_cli -- --ignored` runs it (as `.ci/run` does), failing
//! without an adapter.

mod common;

use common::{golden_dirs, golden_ids, max_abs_diff};
use hir::io::model::read_tensors;
use std::path::Path;
use std::process::Command;

/// Runs `hir <cmd> --backend <backend>`; `Err(stderr)` when it fails.
fn run_hir(cmd: &str, backend: &str, model: &Path, ids: &str, out: &Path) -> Result<(), String> {
    let o = Command::new(env!("CARGO_BIN_EXE_hir"))
        .args([cmd, "--model"])
        .arg(model)
        .args(["--ids", ids, "--out"])
        .arg(out)
        .args(["--backend", backend])
        .output()
        .expect("run hir");
    if o.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&o.stderr).into_owned())
    }
}

#[test]
#[ignore = "needs a GPU adapter (Vulkan, Metal, DX12 or GL): cargo test --test wgpu_cli -- --ignored"]
fn wgpu_forward_and_grad_match_cpu_through_the_cli() {
    let tmp_guard = tempfile::tempdir().expect("temp dir");
    let tmp = tmp_guard.path();
    let mut compared = 0;
    for dir in golden_dirs() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let ids = golden_ids(&dir);
        for cmd in ["forward", "grad"] {
            let cpu = tmp.join(format!("{name}-{cmd}-cpu.safetensors"));
            let gpu = tmp.join(format!("{name}-{cmd}-wgpu.safetensors"));
            run_hir(cmd, "cpu", &dir, &ids, &cpu).unwrap();
            if let Err(e) = run_hir(cmd, "wgpu", &dir, &ids, &gpu) {
                panic!("hir {cmd} --backend wgpu failed on {name}: {e}");
            }
            let want = read_tensors(&cpu).unwrap();
            let got = read_tensors(&gpu).unwrap();
            assert_eq!(
                want.keys().collect::<Vec<_>>(),
                got.keys().collect::<Vec<_>>()
            );
            for (key, w) in &want {
                let g = &got[key];
                assert_eq!(g.shape, w.shape, "{name} {cmd} {key}");
                let d = max_abs_diff(&g.data, &w.data);
                let bound = if cmd == "forward" {
                    1e-4
                } else {
                    1e-4 * w.data.iter().fold(1.0f32, |m, v| m.max(v.abs()))
                };
                assert!(
                    d <= bound,
                    "{name} {cmd} `{key}`: |wgpu − cpu| = {d:e} > {bound:e}"
                );
                compared += 1;
            }
        }
    }
    println!("wgpu vs cpu through the CLI: {compared} tensors within bounds");
    assert!(
        compared > 100,
        "expected logits + every gradient of 6 models, got {compared}"
    );
}

/// `hir forward --backend wgpu` exits cleanly every time, with four runs at once on two cores.
///
/// The command runs on a worker thread of the CPU pool; before `main` joined those workers at
/// exit, a worker's Vulkan-driver teardown raced the process's exit handlers and lavapipe
/// aborted ("double free or corruption") in about 1 of 250 runs under this load (2 of 600 here,
/// 0 of 1,200 with the join, four shell loops of `hir forward` at once). 100 runs catch that
/// rate with probability ≈ 1/3 per CI run: a tripwire, not a proof.
#[test]
#[ignore = "needs a GPU adapter (Vulkan, Metal, DX12 or GL): cargo test --test wgpu_cli -- --ignored"]
fn wgpu_cli_exits_cleanly_when_run_repeatedly() {
    let dir = &golden_dirs()[0];
    let ids = golden_ids(dir);
    let tmp_guard = tempfile::tempdir().expect("temp dir");
    let failures: Vec<String> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|w| {
                let (ids, tmp) = (&ids, tmp_guard.path());
                s.spawn(move || {
                    let out = tmp.join(format!("logits-{w}.safetensors"));
                    (0..25)
                        .filter_map(|run| {
                            run_hir("forward", "wgpu", dir, ids, &out)
                                .err()
                                .map(|e| format!("worker {w} run {run}: {e}"))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker thread"))
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of 100 runs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
