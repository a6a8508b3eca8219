//! `hir forward --dtype f16 --backend wgpu` agrees with `--dtype f16 --backend cpu` on the
//! PyTorch golden models within 1e-4 (logits max abs diff): with `--dtype f16` every 2-D
//! weight is uploaded with `upload_weight` in f16, which the wgpu backend keeps as f16 on an
//! adapter with `SHADER_F16` (the f16 kernel variants of matmul and embedding) and the CPU
//! backend keeps in its f16 rows. As a control, f16 storage must change the logits of at
//! least one model against `--dtype f32` (so the f16 weights were used at all).
//!
//! It needs a GPU adapter, so it is `#[ignore]`d like the other wgpu tests: `cargo test
//! --test f16_storage_wgpu -- --ignored` runs it, failing without an adapter.

mod common;

use common::{golden_dirs, golden_ids, hir_ok, max_abs_diff};
use hir::io::model::read_tensors;
use std::path::Path;

/// Runs `hir forward --dtype <dtype> --backend <backend>` and returns its tensors.
fn forward(
    backend: &str,
    dtype: &str,
    model: &Path,
    ids: &str,
    out: &Path,
) -> std::collections::BTreeMap<String, Vec<f32>> {
    let (model, out_arg) = (model.to_str().unwrap(), out.to_str().unwrap());
    hir_ok(&[
        "forward",
        "--model",
        model,
        "--ids",
        ids,
        "--out",
        out_arg,
        "--backend",
        backend,
        "--dtype",
        dtype,
    ]);
    read_tensors(out)
        .unwrap()
        .into_iter()
        .map(|(k, t)| (k, t.data))
        .collect()
}

#[test]
#[ignore = "needs a GPU adapter (Vulkan, Metal, DX12 or GL): cargo test --test f16_storage_wgpu -- --ignored"]
fn wgpu_forward_with_f16_weights_matches_cpu() {
    let tmp_guard = tempfile::tempdir().expect("temp dir");
    let tmp = tmp_guard.path();
    let (mut compared, mut changed_by_f16) = (0, 0);
    for dir in golden_dirs() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let ids = golden_ids(&dir);
        let run = |backend: &str, dtype: &str| {
            let out = tmp.join(format!("{name}-{backend}-{dtype}.safetensors"));
            forward(backend, dtype, &dir, &ids, &out)
        };
        let (cpu, gpu, cpu_f32) = (run("cpu", "f16"), run("wgpu", "f16"), run("cpu", "f32"));
        assert_eq!(
            cpu.keys().collect::<Vec<_>>(),
            gpu.keys().collect::<Vec<_>>()
        );
        for (key, want) in &cpu {
            let d = max_abs_diff(&gpu[key], want);
            assert!(
                d <= 1e-4,
                "{name} `{key}`: |wgpu − cpu| with f16 weights = {d:e} > 1e-4"
            );
            compared += 1;
            if max_abs_diff(want, &cpu_f32[key]) > 0.0 {
                changed_by_f16 += 1;
            }
        }
    }
    println!(
        "f16 weights, wgpu vs cpu through the CLI: {compared} tensors within 1e-4 \
         ({changed_by_f16} differ from f32 weights)"
    );
    assert!(
        compared >= 6,
        "expected the logits of 6 models, got {compared}"
    );
    assert!(
        changed_by_f16 > 0,
        "--dtype f16 changed no logits: were the weights stored as f16 at all?"
    );
}
