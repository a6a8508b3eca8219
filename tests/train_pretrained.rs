//! `hir train --model DIR` and `--resume` on a real-model run, with a copy of the built-in
//! policy's Hugging Face directory (`assets/builtin`: 0.4M parameters, its own tokenizer) as
//! the model: the model's weights are the run's KL reference, so the run directory keeps no
//! copy of them, a resumed run continues bit for bit with the reference re-read from the
//! model, and a changed model file stops `--resume` with an error that names the model.
//! (`tests/smollm2_cli.rs` checks the same "no copy" on a GGUF file.)

mod common;

use common::metrics_without_timing;
use std::path::Path;
use std::process::{Command, Output};

/// Trains from inside `dir` with relative paths (`model`, `data.jsonl`, the run `run`), so
/// that `--resume`, run from elsewhere, proves the run recorded absolute paths.
fn train(dir: &Path, model: &str, run: &str, steps: &str) {
    let mut args = vec![
        "train",
        "--model",
        model,
        "--data",
        "data.jsonl",
        "--run-dir",
        run,
        "--steps",
        steps,
    ];
    // lr 1e-3 so that the policy moves away from the reference within a step and the
    // in-reward KL (`kl_coef` 0.001 by default) depends on which weights the reference is.
    args.extend(common::small_train_args("lr=1e-3"));
    common::hir_ok_in(Some(dir), &args);
}

/// `hir train --resume RUN --steps N`, which may fail (its output is returned).
fn resume(run: &Path, steps: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hir"))
        .args(["train", "--quiet", "--resume"])
        .arg(run)
        .args(["--steps", steps])
        .output()
        .expect("run hir")
}

#[test]
fn a_model_run_keeps_no_reference_copy_and_resumes_bit_for_bit() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let model = tmp.path().join("tiny-model");
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/builtin");
    std::fs::create_dir(&model).expect("model dir");
    for f in ["config.json", "model.safetensors", "tokenizer.json"] {
        std::fs::copy(builtin.join(f), model.join(f)).expect("copy the built-in policy");
    }
    let weights_file = model.join("model.safetensors");
    let data = tmp.path().join("data.jsonl");
    std::fs::write(&data, common::TINY_TRAIN_DATA).expect("write data");

    let straight = tmp.path().join("straight");
    let split = tmp.path().join("split");
    train(tmp.path(), "tiny-model", "straight", "4");
    train(tmp.path(), "tiny-model", "split", "2");
    let out = resume(&split, "4");
    assert!(
        out.status.success(),
        "resume failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    for run in [&straight, &split] {
        assert!(
            !run.join("reference.safetensors").exists(),
            "{}: the model file is the reference; no copy belongs in the run",
            run.display()
        );
        let source: serde_json::Value =
            serde_json::from_slice(&std::fs::read(run.join("source.json")).expect("source.json"))
                .expect("JSON");
        let recorded = Path::new(source["model"].as_str().expect("model path"));
        assert!(recorded.is_absolute(), "{}", recorded.display());
        assert_eq!(
            recorded.canonicalize().expect("model"),
            model.canonicalize().expect("model")
        );
        assert_eq!(
            source["model_fingerprint"]["bytes"].as_u64(),
            Some(std::fs::metadata(&weights_file).expect("weights").len())
        );
    }
    let a = metrics_without_timing(&straight);
    let b = metrics_without_timing(&split);
    assert_eq!(a.len(), 4);
    // The KL term is live: a resumed run with any other reference would log other numbers.
    let step4: serde_json::Value = serde_json::from_str(&a[3]).expect("JSON");
    let kl = step4["data"]["actor/kl_in_reward"].as_f64().expect("kl");
    assert!(kl.abs() > 0.0, "in-reward KL at step 4 is {kl}");
    assert_eq!(a, b, "a resumed run must continue exactly");
    let weights = |d: &Path| std::fs::read(d.join("checkpoint/model.safetensors")).expect("w");
    assert!(
        weights(&straight) == weights(&split),
        "final weights differ"
    );

    // Change one byte of the weights: resuming must stop and say which model changed.
    let mut bytes = std::fs::read(&weights_file).expect("weights");
    let last = bytes.len() - 1;
    bytes[last] ^= 0x40;
    std::fs::write(&weights_file, &bytes).expect("rewrite weights");
    let out = resume(&split, "5");
    assert!(!out.status.success(), "resumed on a changed model file");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("has changed since") && err.contains("tiny-model"),
        "{err}"
    );
    let after = metrics_without_timing(&split);
    assert_eq!(after.len(), 4, "nothing was trained on the changed model");

    // A missing model says so too.
    std::fs::remove_dir_all(&model).expect("remove model");
    let out = resume(&split, "5");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot be read") && err.contains("tiny-model"),
        "{err}"
    );
}
