//! Parity with PyTorch: `hir forward` / `hir grad` on models that `transformers` saved
//! (tests/golden, made by tests/golden/make_golden.py) reproduce PyTorch's logits, loss and
//! every parameter's gradient.
//!
//! Bounds (from the foundation issue): logits max abs diff ≤ 1e-4; each gradient tensor max
//! abs diff ≤ 1e-4·max(1, max|g|).

mod common;

use common::{golden_dirs, max_abs_diff};
use hir::io::model::{read_tensors, HostTensor};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn run_hir(cmd: &str, model: &Path, ids: &str, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_hir"))
        .args([cmd, "--model"])
        .arg(model)
        .args(["--ids", ids, "--out"])
        .arg(out)
        .args(["--backend", "cpu"])
        .status()
        .expect("run hir");
    assert!(status.success(), "hir {cmd} failed on {}", model.display());
}

fn max_abs(x: &[f32]) -> f32 {
    x.iter().fold(0.0, |m, v| m.max(v.abs()))
}

#[test]
fn forward_and_grad_match_pytorch() {
    let dirs = golden_dirs();
    assert!(
        dirs.len() >= 5,
        "expected the 5 golden models, found {}",
        dirs.len()
    );
    let tmp_guard = tempfile::tempdir().expect("temp dir");
    let tmp = tmp_guard.path();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let expected: BTreeMap<String, HostTensor> =
            read_tensors(&dir.join("expected.safetensors")).unwrap();
        let ids: Vec<String> = expected["input_ids"]
            .data
            .iter()
            .map(|&x| (x as u32).to_string())
            .collect();
        let ids = ids.join(",");

        let fwd = tmp.join(format!("{name}-logits.safetensors"));
        run_hir("forward", &dir, &ids, &fwd);
        let got = read_tensors(&fwd).unwrap();
        assert_eq!(
            got["logits"].shape, expected["logits"].shape,
            "{name}: logits shape"
        );
        let d = max_abs_diff(&got["logits"].data, &expected["logits"].data);
        eprintln!("{name}: logits max abs diff {d:.2e}");
        assert!(d <= 1e-4, "{name}: logits differ from PyTorch by {d}");

        let grad = tmp.join(format!("{name}-grad.safetensors"));
        run_hir("grad", &dir, &ids, &grad);
        let got = read_tensors(&grad).unwrap();
        let dl = (got["loss"].data[0] - expected["loss"].data[0]).abs();
        assert!(
            dl <= 1e-5 * expected["loss"].data[0].abs().max(1.0),
            "{name}: loss differs by {dl}"
        );
        let mut compared = 0;
        for (key, want) in &expected {
            let Some(param) = key.strip_prefix("grad.") else {
                continue;
            };
            let have = got
                .get(param)
                .unwrap_or_else(|| panic!("{name}: no gradient for {param}"));
            assert_eq!(have.shape, want.shape, "{name}: {param} shape");
            let bound = 1e-4 * max_abs(&want.data).max(1.0);
            let d = max_abs_diff(&have.data, &want.data);
            assert!(
                d <= bound,
                "{name}: gradient of {param} differs by {d} (bound {bound})"
            );
            compared += 1;
        }
        // `hir grad` writes the loss plus exactly the parameters PyTorch has.
        assert_eq!(
            compared + 1,
            got.len(),
            "{name}: gradient names differ from PyTorch's"
        );
        eprintln!("{name}: loss diff {dl:.2e}, {compared} gradients within bounds");
    }
}
