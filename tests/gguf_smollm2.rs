//! The real SmolLM2-135M-Instruct GGUF (Q4_1, `token_embd` Q8_0) against the references of
//! `tests/golden/smollm2/` (transformers' own GGUF load; the forward pass is checked in
//! `smollm2_parity.rs`). The tests need the 98 MB file (`scripts/fetch-smollm2.sh`, or
//! `$HIR_SMOLLM2`), so they are `#[ignore]`d: `cargo test` lists them as ignored, with the
//! reason, and `-- --ignored` runs them (failing when the file is missing).

mod common;

use hir::io::gguf::{load_model, GgmlType, GgufFile};
use hir_core::model::param_shapes;
use std::path::{Path, PathBuf};

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/smollm2")
        .join(name)
}

#[test]
#[ignore = "needs SmolLM2: run scripts/fetch-smollm2.sh, then cargo test -- --ignored"]
fn smollm2_loads_with_its_published_config() {
    let path = common::smollm2("gguf_smollm2");
    let f = GgufFile::open(&path).unwrap();
    let count = |t: GgmlType| f.tensors().iter().filter(|i| i.ggml_type == t).count();
    assert_eq!(count(GgmlType::Q4_1), 210);
    assert_eq!(count(GgmlType::F32), 61);
    assert_eq!(
        f.tensor("token_embd.weight").unwrap().ggml_type,
        GgmlType::Q8_0
    );
    let g = load_model(&path).unwrap();
    let c = &g.host.config;
    assert_eq!(g.architecture, "llama");
    assert_eq!(c.num_hidden_layers, 30);
    assert_eq!(c.hidden_size, 576);
    assert_eq!((c.num_attention_heads, c.num_key_value_heads), (9, 3));
    assert_eq!(c.head_dim, 64);
    assert_eq!(c.vocab_size, 49152);
    assert_eq!(c.intermediate_size, 1536);
    assert_eq!(c.rope_theta, 100_000.0);
    assert!(c.tie_word_embeddings);
    assert!(!c.attention_bias);
    let v = &g.vocab;
    assert_eq!(v.model, "gpt2");
    assert_eq!(v.pre.as_deref(), Some("smollm"));
    assert_eq!(v.tokens.len(), 49152);
    assert_eq!(v.merges.len(), 48900);
    assert_eq!(v.tokens[0], "<|endoftext|>");
    assert_eq!(v.tokens[1], "<|im_start|>");
    assert_eq!(v.tokens[2], "<|im_end|>");
    assert_eq!(v.add_bos_token, Some(false));
    assert!(v.chat_template.is_some());
    let params = &g.host.params;
    assert_eq!(g.vocab.bos_token_id, Some(1));
    assert_eq!(g.vocab.eos_token_id, Some(2));
    assert_eq!(params.embed.len(), 49152 * 576);
    assert!(params
        .tensors()
        .iter()
        .all(|t| t.iter().all(|x| x.is_finite())));
}

#[test]
#[ignore = "needs SmolLM2: run scripts/fetch-smollm2.sh, then cargo test -- --ignored"]
fn smollm2_tensors_match_transformers_gguf_load() {
    let path = common::smollm2("gguf_smollm2");
    let g = load_model(&path).unwrap();
    let text = std::fs::read_to_string(golden("tensors.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let c = &v["config"];
    let cfg = &g.host.config;
    assert_eq!(c["max_position_embeddings"], cfg.max_position_embeddings);
    assert_eq!(c["rms_norm_eps"].as_f64().unwrap() as f32, cfg.rms_norm_eps);
    let named = g.host.params.named(cfg);
    let shapes = param_shapes(cfg);
    let tensors = v["tensors"].as_array().unwrap();
    assert_eq!(tensors.len(), 11);
    for t in tensors {
        let name = t["name"].as_str().unwrap();
        let i = named.iter().position(|(n, _)| n == name).unwrap();
        let data = named[i].1;
        let shape: Vec<usize> = serde_json::from_value(t["shape"].clone()).unwrap();
        assert_eq!(shapes[i].1, shape, "{name}");
        // Exact f32 values of the first rows (Q/K prove the un-permutation).
        let exact = |key: &str, start: usize| {
            if let Some(want) = t[key].as_array() {
                for (j, w) in want.iter().enumerate() {
                    let w = w.as_f64().unwrap() as f32;
                    assert_eq!(data[start + j].to_bits(), w.to_bits(), "{name} {key}[{j}]");
                }
            }
        };
        let cols = *shape.last().unwrap();
        exact("row0_first8", 0);
        exact("row1_first8", cols);
        exact("first16", 0);
        // Sums in f64 over the exact f32 values. The reference (numpy) adds pairwise (error
        // ~ log2(n)·ε·Σ|x|); a plain in-order f64 sum over 28M values drifts by ~1e-10
        // relative, so this sums with Neumaier's compensation (nearly exact) instead.
        let sum = neumaier(data.iter().map(|&x| x as f64));
        let sum_sq = neumaier(data.iter().map(|&x| (x as f64) * (x as f64)));
        let (ws, wq) = (t["sum"].as_f64().unwrap(), t["sum_sq"].as_f64().unwrap());
        assert!(
            (sum - ws).abs() <= 1e-9 * wq.max(1.0),
            "{name}: sum {sum} vs {ws}"
        );
        assert!(
            (sum_sq - wq).abs() <= 1e-12 * wq,
            "{name}: sum_sq {sum_sq} vs {wq}"
        );
    }
}

/// Compensated (Kahan–Babuška–Neumaier) sum.
fn neumaier(xs: impl Iterator<Item = f64>) -> f64 {
    let (mut s, mut c) = (0f64, 0f64);
    for x in xs {
        let t = s + x;
        c += if s.abs() >= x.abs() {
            (s - t) + x
        } else {
            (x - t) + s
        };
        s = t;
    }
    s + c
}
