//! Shared helpers of the root integration tests.
#![allow(dead_code)]

use hir_core::model::{ModelConfig, Params};
use hir_core::rng::Rng;

pub mod toy;

/// A tiny config with grouped-query attention and odd sizes; `bias` gives Qwen2-style q/k/v
/// biases.
pub fn tiny_config(tied: bool, bias: bool) -> ModelConfig {
    ModelConfig {
        vocab_size: 23,
        hidden_size: 12,
        intermediate_size: 20,
        num_hidden_layers: 2,
        num_attention_heads: 3,
        num_key_value_heads: 1,
        head_dim: 6,
        rope_theta: 10_000.0,
        rms_norm_eps: 1e-6,
        tie_word_embeddings: tied,
        attention_bias: bias,
        o_proj_bias: false,
        mlp_bias: false,
        max_position_embeddings: 64,
    }
}

/// A tiny Llama with `attention_bias` and `mlp_bias`: biases on q/k/v/o and the MLP.
pub fn tiny_config_all_biases() -> ModelConfig {
    ModelConfig {
        o_proj_bias: true,
        mlp_bias: true,
        ..tiny_config(false, true)
    }
}

/// Random parameters with non-trivial norms and biases (so their gradients are tested).
pub fn random_params(cfg: &ModelConfig, seed: u64) -> Params<Vec<f32>> {
    let mut p = Params::init_random(cfg, 0.3, seed);
    let mut rng = Rng::new(seed ^ 0xABCD);
    for l in &mut p.layers {
        for t in [&mut l.input_norm, &mut l.post_norm] {
            t.iter_mut()
                .for_each(|x| *x = 1.0 + 0.2 * rng.next_normal());
        }
        for t in [&mut l.q_bias, &mut l.k_bias, &mut l.v_bias]
            .into_iter()
            .flatten()
        {
            t.iter_mut().for_each(|x| *x = 0.2 * rng.next_normal());
        }
    }
    p.final_norm
        .iter_mut()
        .for_each(|x| *x = 1.0 + 0.2 * rng.next_normal());
    p
}

/// Largest absolute difference between two slices (panics on length mismatch); a NaN on
/// either side counts as an infinite difference, so it can never pass a bound.
pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "length mismatch");
    a.iter().zip(b).fold(0.0f32, |m, (x, y)| {
        if (x - y).is_nan() {
            f32::INFINITY
        } else {
            m.max((x - y).abs())
        }
    })
}

/// The PyTorch golden model directories under `tests/golden` (those with an
/// `expected.safetensors`), sorted.
pub fn golden_dirs() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut dirs: Vec<std::path::PathBuf> = std::fs::read_dir(&root)
        .expect("tests/golden exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.safetensors").exists())
        .collect();
    dirs.sort();
    dirs
}

/// A golden model's input ids (its `expected.safetensors`) as `hir --ids` takes them
/// (`1,2,3`).
pub fn golden_ids(dir: &std::path::Path) -> String {
    let expected = hir::io::model::read_tensors(&dir.join("expected.safetensors")).unwrap();
    let ids: Vec<String> = expected["input_ids"]
        .data
        .iter()
        .map(|&x| (x as u32).to_string())
        .collect();
    ids.join(",")
}

/// The SmolLM2-135M-Instruct GGUF (`$HIR_SMOLLM2`, else
/// `fixtures/downloads/SmolLM2-135M-Instruct.Q4_1.gguf`, fetched by
/// `scripts/fetch-smollm2.sh`). The tests that use it are
/// `#[ignore = "needs SmolLM2 ..."]`, so `cargo test` lists them as ignored, with the reason,
/// and runs them only when asked (`-- --ignored`, as `.ci/run` does): a missing file fails the
/// test `test`, naming the path and how to fetch it.
pub fn smollm2(test: &str) -> std::path::PathBuf {
    let path = std::env::var_os("HIR_SMOLLM2")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/downloads/SmolLM2-135M-Instruct.Q4_1.gguf")
        });
    assert!(
        path.is_file(),
        "{test}: `{}` is missing (run scripts/fetch-smollm2.sh, or set HIR_SMOLLM2 to the file)",
        path.display()
    );
    path
}

/// Runs the `hir` binary with `args` (inside `dir` when given) and returns its output,
/// panicking with the command, its stdout and its stderr unless it succeeded.
pub fn hir_ok_in(dir: Option<&std::path::Path>, args: &[&str]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_hir"));
    cmd.args(args);
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let out = cmd.output().expect("run hir");
    assert!(
        out.status.success(),
        "hir {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// [`hir_ok_in`] in the test's working directory.
pub fn hir_ok(args: &[&str]) -> std::process::Output {
    hir_ok_in(None, args)
}

/// A run directory's `metrics.jsonl` lines without wall-clock values (`elapsed_seconds`,
/// `timing_s/*`, `perf/*`), as JSON text: equal for runs that computed the same thing.
pub fn metrics_without_timing(run: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(run.join("metrics.jsonl"))
        .expect("metrics.jsonl")
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).expect("metrics line");
            v.as_object_mut().expect("object").remove("elapsed_seconds");
            v["data"]
                .as_object_mut()
                .expect("data")
                .retain(|k, _| !k.starts_with("timing_s/") && !k.starts_with("perf/"));
            v.to_string()
        })
        .collect()
}

/// The SmolLM2 golden files (`tests/golden/smollm2`, made by
/// `scripts/reference/smollm2_golden.py`).
pub const SMOLLM2_GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/smollm2");

/// A JSON file of [`SMOLLM2_GOLDEN`].
pub fn smollm2_golden_json(name: &str) -> serde_json::Value {
    let path = std::path::Path::new(SMOLLM2_GOLDEN).join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A JSON array of token ids.
pub fn ids_of(v: &serde_json::Value) -> Vec<u32> {
    v.as_array()
        .expect("id list")
        .iter()
        .map(|x| u32::try_from(x.as_u64().expect("id")).expect("id fits u32"))
        .collect()
}

/// What a bounded run of `hir` ([`hir_bounded`]) did.
#[derive(Debug)]
pub struct BoundedRun {
    /// Exit status (`None` when killed at the time limit).
    pub status: Option<std::process::ExitStatus>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Wall time.
    pub elapsed: std::time::Duration,
}

impl BoundedRun {
    /// Panics unless the run ended by itself with a failing exit code (not a signal, not an
    /// abort: 1 or 2) and its stderr contains every one of `needles`.
    pub fn assert_clear_error(&self, needles: &[&str]) {
        let code = self.status.and_then(|s| s.code());
        assert!(
            matches!(code, Some(1) | Some(2)),
            "expected a clean failure (exit 1 or 2) within the limits, got {:?} after {:?}\nstdout:\n{}\nstderr:\n{}",
            self.status,
            self.elapsed,
            self.stdout,
            self.stderr
        );
        for n in needles {
            assert!(
                self.stderr.contains(n),
                "stderr lacks {n:?}:\n{}",
                self.stderr
            );
        }
        assert!(
            !self.stderr.contains("panicked"),
            "hir panicked:\n{}",
            self.stderr
        );
    }
}

/// Runs the `hir` binary with at most `mem_mib` MiB of address space (`ulimit -v`) and
/// `secs` seconds of wall time (killed after that), for inputs that must fail fast and small.
pub fn hir_bounded(args: &[&str], mem_mib: u64, secs: u64) -> BoundedRun {
    use std::io::Read;
    let start = std::time::Instant::now();
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v \"$0\" && exec \"$@\"")
        .arg((mem_mib * 1024).to_string())
        .arg(env!("CARGO_BIN_EXE_hir"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run hir under sh");
    let mut out_pipe = child.stdout.take().expect("stdout");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out_pipe.read_to_string(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let deadline = start + std::time::Duration::from_secs(secs);
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait for hir") {
            break Some(st);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    BoundedRun {
        status,
        stdout: out_t.join().unwrap_or_default(),
        stderr: err_t.join().unwrap_or_default(),
        elapsed: start.elapsed(),
    }
}

/// Three training rows (two HIR-style, one IFEval-style) for small `hir train --model` runs.
pub const TINY_TRAIN_DATA: &str = concat!(
    r#"{"task": "Write a note.", "constraints": [{"instruction_id": "punctuation:no_comma"}, {"instruction_id": "change_case:english_lowercase"}]}"#,
    "\n",
    r#"{"task": "Describe a cat.", "constraints": [{"instruction_id": "keywords:existence", "kwargs": {"keywords": ["whiskers"]}}, {"instruction_id": "length_constraints:number_words", "kwargs": {"relation": "less than", "num_words": 40}}]}"#,
    "\n",
    r#"{"prompt": "Write a haiku. Do not use any commas.", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}"#,
    "\n",
);

/// `hir train` flags of a small real-model run (one held-out row, 2 prompts × 2 samples of at
/// most 8 tokens, 4-token evaluations) with learning rate `lr`.
pub fn small_train_args(lr: &'static str) -> Vec<&'static str> {
    vec![
        "--quiet",
        "--eval-count",
        "1",
        "--eval-max-tokens",
        "4",
        "--set",
        "train_batch_size=2",
        "--set",
        "rollout_n=2",
        "--set",
        "ppo_mini_batch_size=2",
        "--set",
        "max_response_length=8",
        "--set",
        lr,
    ]
}
