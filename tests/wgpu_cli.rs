//! `hir forward --backend wgpu` and `hir grad --backend wgpu` agree with `--backend cpu` on the
//! PyTorch golden models (issue 5): logits max abs diff ≤ 1e-4; every gradient tensor within
//! 1e-4·max(1, max|g|).
//!
//! It needs a GPU adapter, so it is `#[ignore]`d: `cargo test` lists it as ignored, with the
//! reason, and `cargo test --test wgpu_cli -- --ignored` runs it (as `.ci/run` does), failing
//! without an adapter.

mod common;

use common::{golden_dirs, max_abs_diff};
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
        let expected = read_tensors(&dir.join("expected.safetensors")).unwrap();
        let ids: Vec<String> = expected["input_ids"]
            .data
            .iter()
            .map(|&x| (x as u32).to_string())
            .collect();
        let ids = ids.join(",");
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
