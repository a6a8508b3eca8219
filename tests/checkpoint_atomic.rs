//! A checkpoint is written and resumed as a whole: `--resume` refuses a checkpoint mixing files
//! of two saves, or missing one, naming the file; a save cut short (a file-size limit that
//! kills the process mid-save, SIGINT, SIGTERM) leaves the previous checkpoint resumable; a
//! swap cut between its two renames is finished on resume; a trainer state with absurd
//! counters is refused.

mod common;

use common::metrics_without_timing;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// 8 prompts × 4 samples per step, a checkpoint every step.
const SMALL: [&str; 8] = [
    "--set",
    "train_batch_size=8",
    "--set",
    "rollout_n=4",
    "--set",
    "ppo_mini_batch_size=4",
    "--quiet",
    "--save-every=1",
];

fn hir(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hir"))
        .args(args)
        .output()
        .expect("run hir")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A new built-in run of `steps` steps in `dir`.
fn train(dir: &Path, steps: &str) {
    let mut args = vec![
        "train",
        "--steps",
        steps,
        "--run-dir",
        dir.to_str().unwrap(),
    ];
    args.extend(SMALL);
    common::hir_ok(&args);
}

fn resume(dir: &Path, steps: &str) -> Output {
    hir(&[
        "train",
        "--quiet",
        "--resume",
        dir.to_str().unwrap(),
        "--steps",
        steps,
    ])
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn replace_dir(dir: &Path, with: &Path) {
    std::fs::remove_dir_all(dir).unwrap();
    copy_dir(with, dir);
}

fn state_step(run: &Path) -> u64 {
    let v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(run.join("checkpoint/trainer_state.json")).unwrap(),
    )
    .unwrap();
    v["step"].as_u64().unwrap()
}

#[test]
fn resume_refuses_a_torn_or_incomplete_checkpoint_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    let ckpt = run.join("checkpoint");
    train(&run, "1");
    let step1 = tmp.path().join("step1");
    copy_dir(&ckpt, &step1);
    let out = resume(&run, "2");
    assert!(out.status.success(), "{}", stderr(&out));
    let step2 = tmp.path().join("step2");
    copy_dir(&ckpt, &step2);
    let metrics = std::fs::read(run.join("metrics.jsonl")).unwrap();

    // Step-2 weights beside step-1 optimizer and state: what an interrupted in-place save left.
    replace_dir(&ckpt, &step1);
    std::fs::copy(
        step2.join("model.safetensors"),
        ckpt.join("model.safetensors"),
    )
    .unwrap();
    let out = resume(&run, "3");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("checkpoint/model.safetensors` is not the file saved with step 1"),
        "{err}"
    );
    assert!(err.contains("not whole"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // Nothing was changed by the refused resume.
    assert_eq!(std::fs::read(run.join("metrics.jsonl")).unwrap(), metrics);

    // A file missing.
    replace_dir(&ckpt, &step2);
    std::fs::remove_file(ckpt.join("optimizer.safetensors")).unwrap();
    let err = stderr(&resume(&run, "3"));
    assert!(
        err.contains("checkpoint/optimizer.safetensors` is missing (manifest.json of step 2"),
        "{err}"
    );

    // No manifest: it cannot be checked, so it is not resumed.
    replace_dir(&ckpt, &step2);
    std::fs::remove_file(ckpt.join("manifest.json")).unwrap();
    let err = stderr(&resume(&run, "3"));
    assert!(
        err.contains("checkpoint/manifest.json` is missing"),
        "{err}"
    );

    // A swap cut between its renames (old checkpoint moved aside, new one still staged) is
    // finished on resume, and the run continues from the new checkpoint.
    std::fs::remove_dir_all(&ckpt).unwrap();
    copy_dir(&step1, &run.join("checkpoint.previous"));
    copy_dir(&step2, &run.join("checkpoint.partial"));
    let out = resume(&run, "3");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("finished the interrupted save"),
        "{}",
        stderr(&out)
    );
    assert_eq!(state_step(&run), 3);
    assert!(!run.join("checkpoint.previous").exists());
    assert!(!run.join("checkpoint.partial").exists());
}

#[test]
fn a_save_killed_midway_leaves_the_previous_checkpoint_resumable() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    train(&run, "2");
    let before = tmp.path().join("step2");
    copy_dir(&run.join("checkpoint"), &before);
    // A 2 MiB file-size limit: the 1.6 MB model file of the step-3 save is written, the
    // 3.2 MB optimizer file is not (the kernel stops the process with SIGXFSZ).
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "ulimit -f 2048; exec '{}' train --quiet --save-every 1 --resume '{}' --steps 4",
            env!("CARGO_BIN_EXE_hir"),
            run.display()
        ))
        .output()
        .unwrap();
    assert!(!out.status.success(), "the limited run should have failed");
    let killed = metrics_without_timing(&run);
    assert_eq!(killed.len(), 3, "step 3 ran before its save was cut");
    for f in [
        "model.safetensors",
        "optimizer.safetensors",
        "trainer_state.json",
    ] {
        assert!(
            std::fs::read(run.join("checkpoint").join(f)).unwrap()
                == std::fs::read(before.join(f)).unwrap(),
            "checkpoint/{f} changed although its save did not complete"
        );
    }
    let out = resume(&run, "3");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!run.join("checkpoint.partial").exists());
    // Step 3 redone from the step-2 checkpoint computes what the cut session computed.
    assert_eq!(metrics_without_timing(&run), killed);
}

/// Starts a built-in run of 30 steps in `run`, waits until its checkpoint holds a step, and
/// sends `signal`; returns the output and that step.
fn interrupt_run(run: &Path, signal: &str) -> (Output, u64) {
    let mut args = vec!["train", "--steps", "30", "--run-dir", run.to_str().unwrap()];
    args.extend(SMALL);
    let child = Command::new(env!("CARGO_BIN_EXE_hir"))
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let state = run.join("checkpoint/trainer_state.json");
    let start = Instant::now();
    while !state.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "no checkpoint after 300 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let ok = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let out = child.wait_with_output().unwrap();
    let step = state_step(run);
    (out, step)
}

#[test]
fn sigint_and_sigterm_stop_the_run_and_say_how_to_resume() {
    let tmp = tempfile::tempdir().unwrap();
    for (signal, code, name) in [("-INT", 130, "SIGINT"), ("-TERM", 143, "SIGTERM")] {
        let run: PathBuf = tmp.path().join(name);
        let (out, step) = interrupt_run(&run, signal);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(code), "{name}: {err}");
        assert!(err.contains(&format!("interrupted ({name})")), "{err}");
        assert!(
            err.contains(&format!("hir train --resume {}", run.display())),
            "{err}"
        );
        assert!(step < 30, "the run finished before the signal");
        let out = resume(&run, &(step + 1).to_string());
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert_eq!(state_step(&run), step + 1);
        assert_eq!(metrics_without_timing(&run).len() as u64, step + 1);
    }
}

#[test]
fn resume_refuses_absurd_trainer_state_counters() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    train(&run, "1");
    let ckpt = run.join("checkpoint");
    let original = std::fs::read_to_string(ckpt.join("trainer_state.json")).unwrap();
    let set = |field: &str, value: serde_json::Value| {
        let mut v: serde_json::Value = serde_json::from_str(&original).unwrap();
        v[field] = value;
        std::fs::write(ckpt.join("trainer_state.json"), v.to_string()).unwrap();
        // Sealed again, as if the manifest had been written with it.
        let step = v["step"].as_u64().unwrap();
        hir::run::checkpoint::seal(&ckpt, step).unwrap();
    };

    set("step", serde_json::json!(1u64 << 63));
    for steps in ["2", "18446744073709551615"] {
        let out = resume(&run, steps);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("trainer_state.json` says 9223372036854775808 steps are done, but the run's metrics.jsonl records steps only up to 1"),
            "{err}"
        );
    }

    set("adam_step", serde_json::json!(u32::MAX));
    let out = resume(&run, "2");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("trainer_state.json`: adam_step 4294967295 cannot grow"),
        "{err}"
    );

    set("generated_rollouts", serde_json::json!(u64::MAX - 1));
    let out = resume(&run, "2");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("generated_rollouts 18446744073709551614 cannot grow"),
        "{err}"
    );
}
