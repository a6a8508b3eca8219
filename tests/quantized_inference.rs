//! Inference on stored weights (`--dtype`): a GGUF's blocks kept as they are, or 2-D weights
//! converted to f16/bf16, against the same model in f32.
//!
//! The SmolLM2 tests need the model file (see `common::smollm2`) and are `#[ignore]`d, so
//! `cargo test` lists them as ignored and `-- --ignored` runs them.

mod common;

use hir::io::model::load_weights;
use hir::io::model::read_tensors;
use hir::io::weights::WeightDtype;
use hir_backend_cpu::CpuBackend;
use hir_core::backend::Backend;
use hir_core::model::PackedBatch;
use std::path::{Path, PathBuf};
use std::process::Command;

fn argmax(xs: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in xs.iter().enumerate() {
        if x > xs[best] {
            best = i;
        }
    }
    best
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/gguf")
        .join(name)
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// `hir forward --model <model> --ids <ids> --dtype <dtype>`: the logits.
fn hir_forward(model: &Path, ids: &[u32], dtype: &str, out: &Path) -> Vec<f32> {
    let ids: Vec<String> = ids.iter().map(u32::to_string).collect();
    let o = Command::new(env!("CARGO_BIN_EXE_hir"))
        .args(["forward", "--model"])
        .arg(model)
        .args(["--ids", &ids.join(","), "--dtype", dtype, "--out"])
        .arg(out)
        .output()
        .expect("run hir forward");
    assert!(
        o.status.success(),
        "hir forward --dtype {dtype} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    read_tensors(out)
        .expect("logits file")
        .remove("logits")
        .expect("logits")
        .data
}

/// Logits of `ids` through the model at `path` loaded with `dtype`, on the CPU backend.
fn forward(path: &Path, dtype: WeightDtype, ids: &[u32]) -> Vec<f32> {
    let w = load_weights(path, dtype).expect("load");
    let b = CpuBackend::new();
    let model = w.to_model(&b).expect("model");
    let (logits, _) = model
        .forward(&b, &PackedBatch::new(&[ids]))
        .expect("forward");
    b.download(&logits).expect("download")
}

/// `|a − b| ≤ tol · (1 + |b|)` element by element; returns the largest `|a − b|`.
fn assert_close(a: &[f32], b: &[f32], tol: f32, what: &str) -> f32 {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    let mut worst = 0f32;
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let d = (x - y).abs();
        assert!(
            d <= tol * (1.0 + y.abs()),
            "{what}: element {i}: {x} vs {y}"
        );
        worst = worst.max(d);
    }
    worst
}

#[test]
fn tiny_qwen2_gguf_with_f16_blocks_kept_matches_f32() {
    // tiny_qwen2.gguf holds its 2-D weights as F16: `auto` keeps them, `f32` dequantizes.
    let path = data("tiny_qwen2.gguf");
    let stored = load_weights(&path, WeightDtype::Auto).unwrap();
    assert!(stored.summary().contains("F16"), "{}", stored.summary());
    let dense = load_weights(&path, WeightDtype::F32).unwrap();
    assert!(!dense.summary().contains("F16"), "{}", dense.summary());
    for ids in [vec![0, 5, 60], (0..20).map(|i| (i * 7) % 61).collect()] {
        let a = forward(&path, WeightDtype::Auto, &ids);
        let f = forward(&path, WeightDtype::F32, &ids);
        assert_close(&a, &f, 1e-5, &format!("{} tokens", ids.len()));
    }
}

#[test]
fn hf_f16_weights_held_as_f16_match_f32() {
    // llama_f16's weights are f16 values, so converting them to f16 on load is exact and the
    // forward differs from f32 only in summation order; bf16 rounds them (a looser check).
    let dir = golden("llama_f16");
    let ids: Vec<u32> = vec![0, 5, 63, 7, 7, 12];
    let f = forward(&dir, WeightDtype::F32, &ids);
    assert_eq!(
        forward(&dir, WeightDtype::Auto, &ids),
        f,
        "auto is f32 for HF"
    );
    let h = load_weights(&dir, WeightDtype::F16).unwrap();
    assert!(h.summary().contains("F16"), "{}", h.summary());
    assert_close(&forward(&dir, WeightDtype::F16, &ids), &f, 1e-5, "f16");
    let bf = forward(&dir, WeightDtype::Bf16, &ids);
    assert_close(&bf, &f, 5e-2, "bf16");
}

#[test]
fn hir_forward_cli_takes_dtype_and_refuses_unknown_values() {
    let dir = tempfile::tempdir().unwrap();
    let model = golden("llama_f16");
    let ids = [0, 5, 63, 7];
    let f = hir_forward(&model, &ids, "f32", &dir.path().join("f32.safetensors"));
    let h = hir_forward(&model, &ids, "f16", &dir.path().join("f16.safetensors"));
    assert_close(&h, &f, 1e-5, "hir forward --dtype f16");
    let o = Command::new(env!("CARGO_BIN_EXE_hir"))
        .args(["forward", "--model"])
        .arg(&model)
        .args(["--ids", "1,2", "--out", "-", "--dtype", "q4"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("invalid value 'q4' for '--dtype <DTYPE>'")
            && err.contains("[possible values: auto, f32, bf16, f16]"),
        "{err}"
    );
    // `hir grad` differentiates f32 weights.
    let o = Command::new(env!("CARGO_BIN_EXE_hir"))
        .args(["grad", "--model"])
        .arg(&model)
        .args(["--ids", "1,2", "--out", "-", "--dtype", "bf16"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("hir grad differentiates f32 weights"), "{err}");
}

#[test]
#[ignore = "needs SmolLM2: run scripts/fetch-smollm2.sh, then cargo test -- --ignored"]
fn smollm2_forward_on_q4_1_blocks_matches_f32_at_every_position() {
    let gguf = common::smollm2("smollm2_forward_on_q4_1_blocks_matches_f32_at_every_position");
    let stored = load_weights(&gguf, WeightDtype::Auto).expect("load");
    // 210 Q4_1 projections, token_embd Q8_0 (embedding and tied head), 61 f32 norms.
    assert_eq!(stored.summary(), "1 Q8_0, 61 F32, 210 Q4_1");
    let v = stored.config.vocab_size;
    drop(stored);
    let meta = common::smollm2_golden_json("logits.json");
    let tensors = read_tensors(&Path::new(common::SMOLLM2_GOLDEN).join("logits.safetensors"))
        .expect("golden");
    let dir = tempfile::tempdir().unwrap();
    for seq in meta["sequences"].as_array().expect("sequences") {
        let name = seq["name"].as_str().expect("name");
        let ids = common::ids_of(&seq["ids"]);
        let top5 = &tensors[&format!("{name}.top5_ids")].data;
        // The whole sequence (37 and 40 tokens: products straight from the blocks; 100: the
        // prefill path, dequantized tiles into the f32 GEMM) and its first 8 tokens.
        for n in [ids.len(), 8] {
            let ids = &ids[..n];
            let q = hir_forward(&gguf, ids, "auto", &dir.path().join("q.safetensors"));
            let f = hir_forward(&gguf, ids, "f32", &dir.path().join("f.safetensors"));
            assert_eq!(q.len(), n * v);
            let mut worst = 0f32;
            for t in 0..n {
                let (qr, fr) = (&q[t * v..(t + 1) * v], &f[t * v..(t + 1) * v]);
                let d = qr
                    .iter()
                    .zip(fr)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0f32, f32::max);
                assert!(d <= 1e-3, "{name}[..{n}]: position {t}: max |Δlogit| {d}");
                worst = worst.max(d);
                assert_eq!(argmax(qr), argmax(fr), "{name}[..{n}]: top-1 at {t}");
                assert_eq!(
                    argmax(qr) as f32,
                    top5[t * 5],
                    "{name}: reference top-1 at {t}"
                );
            }
            eprintln!("{name}[..{n}]: max |Δlogit| quantized vs f32 = {worst:.2e}");
        }
    }
}

#[test]
#[ignore = "needs SmolLM2: run scripts/fetch-smollm2.sh, then cargo test -- --ignored"]
fn smollm2_greedy_generate_is_the_same_on_q4_1_blocks_and_f32() {
    let gguf = common::smollm2("smollm2_greedy_generate_is_the_same_on_q4_1_blocks_and_f32");
    let golden = common::smollm2_golden_json("greedy.json");
    for case in golden["cases"].as_array().expect("cases") {
        let user = case["messages"][0]["content"]
            .as_str()
            .expect("user message");
        let run = |dtype: &str| {
            let out = Command::new(env!("CARGO_BIN_EXE_hir"))
                .args(["generate", "--json", "--max-tokens", "16", "--prompt", user])
                .args(["--dtype", dtype, "--model"])
                .arg(&gguf)
                .output()
                .expect("run hir generate");
            assert!(
                out.status.success(),
                "hir generate --dtype {dtype} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let row: serde_json::Value =
                serde_json::from_slice(&out.stdout).expect("one JSON object");
            common::ids_of(&row["ids"])
        };
        let (q, f) = (run("auto"), run("f32"));
        assert_eq!(q, f, "{user:?}: greedy ids, Q4_1 blocks vs f32");
        let reference = common::ids_of(&case["greedy_ids"]);
        let n = reference
            .iter()
            .position(|&t| t == 2)
            .map_or(reference.len(), |p| p + 1);
        assert_eq!(q, reference[..n], "{user:?}: greedy ids vs the reference");
    }
}
