//! Model directory IO: round trips, and clear errors for broken inputs.

mod common;

use common::{random_params, tiny_config};
use hir::io::model::{load_hf_dir, read_tensors, save_hf_dir, HostModel, ModelIoError};
use std::path::Path;

/// A fresh scratch directory for one test, removed when the guard drops.
fn scratch(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("hir-io-{name}-"))
        .tempdir()
        .expect("scratch dir")
}

/// A random model saved as a Hugging Face directory (the guard removes it on drop).
fn saved_model(name: &str) -> (tempfile::TempDir, HostModel) {
    let cfg = tiny_config(false, true);
    let model = HostModel {
        params: random_params(&cfg, 5),
        config: cfg,
    };
    let dir = scratch(name);
    save_hf_dir(dir.path(), &model).unwrap();
    (dir, model)
}

#[test]
fn save_then_load_is_identity() {
    let (dir_guard, model) = saved_model("roundtrip");
    let dir = dir_guard.path();
    let back = load_hf_dir(dir).unwrap();
    assert_eq!(back, model);
    // No temporary files are left behind.
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn truncated_weights_are_reported_with_the_file() {
    let (dir_guard, _) = saved_model("truncated");
    let dir = dir_guard.path();
    let file = dir.join("model.safetensors");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() - 100]).unwrap();
    let e = load_hf_dir(dir).unwrap_err();
    assert!(matches!(e, ModelIoError::Format { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("model.safetensors") && msg.contains("truncated"),
        "{msg}"
    );
}

#[test]
fn missing_tensor_and_shape_mismatch_are_named() {
    let (dir_guard, model) = saved_model("missing");
    let dir = dir_guard.path();
    let mut cfg = model.config.clone();
    cfg.tie_word_embeddings = false;
    // A config with one more layer than the weights have: layer 2 is missing.
    cfg.num_hidden_layers = 3;
    std::fs::write(dir.join("config.json"), cfg.to_hf_json()).unwrap();
    let e = load_hf_dir(dir).unwrap_err().to_string();
    assert!(
        e.contains("model.layers.2.input_layernorm.weight") && e.contains("missing"),
        "{e}"
    );

    // A config whose intermediate size disagrees with the stored MLP weights.
    let mut cfg = model.config.clone();
    cfg.intermediate_size += 1;
    std::fs::write(dir.join("config.json"), cfg.to_hf_json()).unwrap();
    let e = load_hf_dir(dir).unwrap_err().to_string();
    assert!(
        e.contains("mlp.gate_proj.weight") && e.contains("[21, 12]"),
        "{e}"
    );
}

#[test]
fn bad_config_and_missing_files_are_clear() {
    let dir_guard = scratch("badcfg");
    let dir = dir_guard.path();
    std::fs::write(dir.join("config.json"), "{\"hidden_size\": 8,").unwrap();
    let e = load_hf_dir(dir).unwrap_err().to_string();
    assert!(
        e.contains("config.json") && e.contains("invalid config JSON"),
        "{e}"
    );

    std::fs::write(
        dir.join("config.json"),
        tiny_config(true, false).to_hf_json(),
    )
    .unwrap();
    let e = load_hf_dir(dir).unwrap_err().to_string();
    assert!(e.contains("no model.safetensors"), "{e}");

    let e = load_hf_dir(Path::new("/nonexistent/hir-model"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("/nonexistent/hir-model/config.json"), "{e}");
}

#[test]
fn unsupported_dtype_is_named() {
    let dir_guard = scratch("dtype");
    let dir = dir_guard.path();
    // A safetensors file with one I8 tensor, written by hand (8-byte header length + JSON).
    let header = br#"{"w":{"dtype":"I8","shape":[2],"data_offsets":[0,2]}}"#;
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header);
    bytes.extend_from_slice(&[1, 2]);
    let file = dir.join("w.safetensors");
    std::fs::write(&file, bytes).unwrap();
    let e = read_tensors(&file).unwrap_err().to_string();
    assert!(
        e.contains("`w`") && e.contains("I8") && e.contains("F32, F16 and BF16"),
        "{e}"
    );
}

/// `hir forward --model model --ids ids --out out`, which must fail; returns its stderr.
fn forward_fails(model: &Path, ids: &str, out: &Path) -> String {
    let st = std::process::Command::new(env!("CARGO_BIN_EXE_hir"))
        .args(["forward", "--model"])
        .arg(model)
        .args(["--ids", ids, "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(!st.status.success(), "hir forward --ids {ids} succeeded");
    String::from_utf8_lossy(&st.stderr).into_owned()
}

#[test]
fn cli_errors_do_not_leave_partial_output() {
    let (dir_guard, _) = saved_model("cli");
    let dir = dir_guard.path();
    let out = dir.join("logits.safetensors");
    let err = forward_fails(dir, "1,2,999", &out);
    assert!(
        err.contains("token id 999") && err.contains("vocab_size = 23"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn cli_names_an_unwritable_output_and_its_os_error_once() {
    let (dir_guard, _) = saved_model("unwritable");
    let dir = dir_guard.path();
    let out = dir.join("no-such-dir").join("logits.safetensors");
    let err = forward_fails(dir, "1,2", &out);
    assert!(
        err.contains("cannot write") && err.contains("no-such-dir"),
        "{err}"
    );
    // The typed error prints its OS error, which is also its source: the chain shows it once.
    assert_eq!(err.matches("os error").count(), 1, "{err}");
}
