//! `hir train`'s arguments mean what `--help` says: a `--config` file overrides only the fields
//! it lists (on the built-in settings, or with `--model` the pretrained ones); `--run-dir`
//! never overwrites a directory that holds anything; "run directory: X" appears only once the
//! run starts; `--steps` on `--resume` is the run's new total and may not undo steps;
//! `--eval-count 0` is refused.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn hir(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hir"))
        .args(args)
        .output()
        .expect("run hir")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn run_config(run: &Path) -> toml::Table {
    toml::from_str(&std::fs::read_to_string(run.join("config.toml")).unwrap()).unwrap()
}

/// Two short training rows in HIR style.
const DATA: &str = concat!(
    r#"{"task": "Write a note.", "constraints": [{"instruction_id": "punctuation:no_comma"}]}"#,
    "\n",
    r#"{"task": "Describe a cat.", "constraints": [{"instruction_id": "change_case:english_lowercase"}]}"#,
    "\n",
);

/// A copy of the built-in policy's Hugging Face directory, as a `--model`, and a small data
/// file beside it (`data.jsonl`).
fn tiny_model(dir: &Path) -> std::path::PathBuf {
    std::fs::write(dir.join("data.jsonl"), DATA).unwrap();
    let model = dir.join("tiny-model");
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/builtin");
    std::fs::create_dir(&model).unwrap();
    for f in ["config.json", "model.safetensors", "tokenizer.json"] {
        std::fs::copy(builtin.join(f), model.join(f)).unwrap();
    }
    model
}

#[test]
fn a_config_file_overrides_only_the_fields_it_lists() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("lr.toml");
    std::fs::write(&cfg, "lr = 1e-4\n").unwrap();
    let run = tmp.path().join("run");
    common::hir_ok(&[
        "train",
        "--quiet",
        "--config",
        cfg.to_str().unwrap(),
        "--steps",
        "0",
        "--run-dir",
        run.to_str().unwrap(),
    ]);
    let c = run_config(&run);
    assert_eq!(c["lr"].as_float(), Some(1e-4));
    // The built-in suite's settings, not the spec defaults (batch 64, response length 4096).
    assert_eq!(c["train_batch_size"].as_integer(), Some(16));
    assert_eq!(c["max_response_length"].as_integer(), Some(64));
    assert_eq!(c["max_prompt_length"].as_integer(), Some(256));

    // JSON the same; with --model the base is the pretrained settings.
    let json = tmp.path().join("kl.json");
    std::fs::write(&json, r#"{"kl_coef": 0.01}"#).unwrap();
    let model = tiny_model(tmp.path());
    let run = tmp.path().join("model-run");
    common::hir_ok(&[
        "train",
        "--quiet",
        "--model",
        model.to_str().unwrap(),
        "--data",
        tmp.path().join("data.jsonl").to_str().unwrap(),
        "--config",
        json.to_str().unwrap(),
        "--steps",
        "0",
        "--eval-count",
        "1",
        "--eval-max-tokens",
        "2",
        "--run-dir",
        run.to_str().unwrap(),
    ]);
    let c = run_config(&run);
    assert_eq!(c["kl_coef"].as_float(), Some(0.01));
    assert_eq!(c["train_batch_size"].as_integer(), Some(4));
    assert_eq!(c["max_response_length"].as_integer(), Some(128));
    assert_eq!(c["lr"].as_float(), Some(1e-6));
}

#[test]
fn a_config_file_with_an_unknown_key_or_a_wrong_type_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    for (name, text, needle) in [
        (
            "typo.toml",
            "lr = 1e-4\nkl_coeff = 0.1\n",
            "`kl_coeff` is not a trainer config field",
        ),
        (
            "type.toml",
            "lr = \"fast\"\n",
            "`lr = \"fast\"` has the wrong type for `lr`",
        ),
        (
            "typo.json",
            r#"{"rollout": 3}"#,
            "`rollout` is not a trainer config field",
        ),
    ] {
        let cfg = tmp.path().join(name);
        std::fs::write(&cfg, text).unwrap();
        let out = hir(&[
            "train",
            "--config",
            cfg.to_str().unwrap(),
            "--run-dir",
            run.to_str().unwrap(),
        ]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(cfg.to_str().unwrap()), "{err}");
        assert!(err.contains(needle), "{name}: {err}");
        assert!(!run.exists(), "{name}: a refused run created its directory");
    }
}

#[test]
fn run_dir_holding_anything_is_refused_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("not-a-run");
    std::fs::create_dir_all(dir.join("checkpoint")).unwrap();
    std::fs::write(dir.join("checkpoint/model.safetensors"), b"precious").unwrap();
    let other = tmp.path().join("notes");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("todo.txt"), b"keep me").unwrap();
    for (d, needle) in [
        (&dir, "already holds a run"),
        (&other, "is not empty (it holds `todo.txt`"),
    ] {
        let out = hir(&[
            "train",
            "--quiet",
            "--steps",
            "1",
            "--run-dir",
            d.to_str().unwrap(),
        ]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(needle), "{err}");
        assert!(err.contains("--resume"), "{err}");
        assert!(!err.contains("run directory:"), "{err}");
    }
    assert_eq!(
        std::fs::read(dir.join("checkpoint/model.safetensors")).unwrap(),
        b"precious"
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "files were added"
    );
    assert_eq!(std::fs::read(other.join("todo.txt")).unwrap(), b"keep me");
    assert_eq!(std::fs::read_dir(&other).unwrap().count(), 1);

    // An existing empty directory is fine.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    common::hir_ok(&[
        "train",
        "--quiet",
        "--steps",
        "0",
        "--run-dir",
        empty.to_str().unwrap(),
    ]);
    assert!(empty.join("checkpoint/manifest.json").is_file());
}

#[test]
fn run_directory_is_announced_only_once_the_run_starts() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    // Every built-in prompt is longer than 4 tokens: the trainer refuses the data.
    let out = hir(&[
        "train",
        "--quiet",
        "--set",
        "max_prompt_length=4",
        "--run-dir",
        run.to_str().unwrap(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("max_prompt_length"), "{err}");
    assert!(!err.contains("run directory:"), "{err}");
    assert!(!run.exists(), "a refused run created {}", run.display());
}

#[test]
fn steps_on_resume_is_the_new_total_and_cannot_undo_steps() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    let r = run.to_str().unwrap();
    common::hir_ok(&[
        "train",
        "--quiet",
        "--steps",
        "2",
        "--save-every",
        "1",
        "--set",
        "train_batch_size=8",
        "--set",
        "rollout_n=4",
        "--set",
        "ppo_mini_batch_size=4",
        "--run-dir",
        r,
    ]);
    let out = hir(&["train", "--quiet", "--resume", r, "--steps", "1"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--steps 1: the run in") && err.contains("has already done 2 steps"),
        "{err}"
    );
    assert!(err.contains("at least 2"), "{err}");
    // The new total is kept in config.toml: a later resume without --steps goes on to it.
    let out = hir(&["train", "--quiet", "--resume", r, "--steps", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(run_config(&run)["total_steps"].as_integer(), Some(3));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["steps"], 3);
}

#[test]
fn eval_count_zero_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(tmp.path());
    let run = tmp.path().join("run");
    let data = tmp.path().join("data.jsonl");
    let out = hir(&[
        "train",
        "--quiet",
        "--model",
        model.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--eval-count",
        "0",
        "--steps",
        "0",
        "--eval-max-tokens",
        "2",
        "--run-dir",
        run.to_str().unwrap(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--eval-count 0: at least one row must be held out"),
        "{err}"
    );
    assert!(!run.exists());
}
