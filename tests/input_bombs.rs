//! Inputs that used to exhaust memory, hang or abort, run through the `hir` binary under
//! `ulimit -v` 1 GiB and 30 s (`common::hir_bounded`): each must end with exit code 1 or 2
//! and an error that names the flag or file, the line and field where there is one, and the
//! limit. Issue 11, defects 5 (prompt text tokenized before its length is checked), 6 (input
//! files read whole, devices and FIFOs followed), 7 (`data generate` built every row in
//! memory) and 9 (`hir replay --step`, λ overflow).

mod common;

use common::{hir_bounded, BoundedRun};
use std::path::{Path, PathBuf};

const MEM_MIB: u64 = 1024;
const SECS: u64 = 30;

fn bounded(args: &[&str]) -> BoundedRun {
    hir_bounded(args, MEM_MIB, SECS)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// A copy of the built-in policy's Hugging Face directory (0.4M parameters, its own
/// tokenizer; `max_position_embeddings` 512).
fn tiny_model(dir: &Path) -> PathBuf {
    let model = dir.join("tiny-model");
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/builtin");
    std::fs::create_dir(&model).expect("model dir");
    for f in ["config.json", "model.safetensors", "tokenizer.json"] {
        std::fs::copy(builtin.join(f), model.join(f)).expect("copy the built-in policy");
    }
    model
}

const ROW: &str =
    r#"{"task": "Write a note.", "constraints": [{"instruction_id": "punctuation:no_comma"}]}"#;

/// A file of `rows` lines; the line `long_at` (0-based) holds a `task` of `task_bytes` bytes.
fn data_with_long_task(path: &Path, task_bytes: usize, long_at: usize) {
    let long = serde_json::json!({
        "task": "word ".repeat(task_bytes / 5),
        "constraints": [{"instruction_id": "punctuation:no_comma"}],
    })
    .to_string();
    let mut text = String::new();
    for i in 0..4 {
        text.push_str(if i == long_at { &long } else { ROW });
        text.push('\n');
    }
    std::fs::write(path, text).expect("write data");
}

#[test]
fn dev_zero_as_each_input_flag_is_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let ok = tmp.path().join("ok.jsonl");
    std::fs::write(&ok, "{\"prompt\": \"p\", \"response\": \"r\"}\n").unwrap();
    bounded(&["replay", "--input", "/dev/zero", "--step", "1"]).assert_clear_error(&[
        "--input",
        "/dev/zero",
        "character device",
    ]);
    bounded(&[
        "eval",
        "ifeval",
        "--input_data",
        "/dev/zero",
        "--input_response_data",
        s(&ok),
        "--output_dir",
        s(&out),
    ])
    .assert_clear_error(&["--input_data", "/dev/zero", "character device"]);
    let prompts = tmp.path().join("prompts.jsonl");
    std::fs::write(
        &prompts,
        "{\"key\": 1, \"prompt\": \"p\", \"instruction_id_list\": [], \"kwargs\": []}\n",
    )
    .unwrap();
    bounded(&[
        "eval",
        "ifeval",
        "--input_data",
        s(&prompts),
        "--input_response_data",
        "/dev/zero",
        "--output_dir",
        s(&out),
    ])
    .assert_clear_error(&["--input_response_data", "/dev/zero", "character device"]);
    let model = tiny_model(tmp.path());
    bounded(&[
        "eval",
        "ifeval",
        "--model",
        s(&model),
        "--input_data",
        "/dev/zero",
        "--output_dir",
        s(&out),
    ])
    .assert_clear_error(&["--input_data", "/dev/zero", "character device"]);
    let run = tmp.path().join("run");
    bounded(&[
        "train",
        "--quiet",
        "--model",
        s(&model),
        "--data",
        "/dev/zero",
        "--run-dir",
        s(&run),
        "--steps",
        "1",
    ])
    .assert_clear_error(&["--data", "/dev/zero", "character device"]);
}

#[cfg(unix)]
#[test]
fn a_fifo_as_replay_input_is_refused_without_hanging() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|st| st.success())
        .unwrap_or(false);
    assert!(made, "mkfifo failed");
    bounded(&["replay", "--input", s(&fifo), "--step", "1"])
        .assert_clear_error(&["--input", "FIFO"]);
}

#[test]
fn a_50_mb_single_line_row_is_refused_at_the_line_cap() {
    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("big.jsonl");
    let row = serde_json::json!({
        "id": 1,
        "task": "x".repeat(50 << 20),
        "constraints": [],
        "responses": [],
    })
    .to_string();
    std::fs::write(&big, row).unwrap();
    bounded(&["replay", "--input", s(&big), "--step", "1"]).assert_clear_error(&[
        "--input",
        &format!("{}:1: line longer than 16777216 bytes", big.display()),
    ]);
    let model = tiny_model(tmp.path());
    let run = tmp.path().join("run");
    bounded(&[
        "train",
        "--quiet",
        "--model",
        s(&model),
        "--data",
        s(&big),
        "--run-dir",
        s(&run),
        "--steps",
        "1",
    ])
    .assert_clear_error(&[&format!("{}:1: line longer than", big.display())]);
}

/// Defect 5: a 10 MB task (under the 16 MiB line cap) used to take ~1.5 GB in the tokenizer
/// before its token count was compared with the limit.
#[test]
fn a_10_mb_task_is_refused_from_its_length_before_tokenizing() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(tmp.path());
    let data = tmp.path().join("data.jsonl");
    data_with_long_task(&data, 10_000_000, 2);
    let run = tmp.path().join("run");
    let r = bounded(&[
        "train",
        "--quiet",
        "--model",
        s(&model),
        "--data",
        s(&data),
        "--run-dir",
        s(&run),
        "--steps",
        "1",
        "--eval-count",
        "1",
    ]);
    // The builtin tokenizer's longest token is 13 characters and the model's context 512
    // tokens: at most 6656 characters can fit.
    r.assert_clear_error(&[
        &format!("{}:3: field `task` has 10000000 characters", data.display()),
        "more than 6656",
        "512 tokens",
    ]);
    assert!(r.elapsed.as_secs() < SECS, "{r:?}");

    // The held-out rows (the last ones) go through the same check.
    data_with_long_task(&data, 10_000_000, 3);
    bounded(&[
        "train",
        "--quiet",
        "--model",
        s(&model),
        "--data",
        s(&data),
        "--run-dir",
        s(&run),
        "--steps",
        "1",
        "--eval-count",
        "1",
    ])
    .assert_clear_error(&[&format!("{}:4: field `task`", data.display())]);

    let prompts = tmp.path().join("prompts.jsonl");
    let row = serde_json::json!({
        "key": 1,
        "prompt": "word ".repeat(2_000_000),
        "instruction_id_list": [],
        "kwargs": [],
    });
    std::fs::write(&prompts, format!("{row}\n")).unwrap();
    bounded(&[
        "eval",
        "ifeval",
        "--model",
        s(&model),
        "--input_data",
        s(&prompts),
        "--output_dir",
        s(&tmp.path().join("out")),
    ])
    .assert_clear_error(&[
        &format!(
            "{}:1: field `prompt` has 10000000 characters",
            prompts.display()
        ),
        "more than 6656",
    ]);
}

#[test]
fn a_long_generate_prompt_is_refused_from_its_length() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(tmp.path());
    // Command lines are limited to ~128 KB per argument; 100 000 characters is far past the
    // 6656 that can fit.
    let prompt = "a".repeat(100_000);
    bounded(&[
        "generate",
        "--model",
        s(&model),
        "--prompt",
        "hi",
        "--prompt",
        &prompt,
    ])
    .assert_clear_error(&["--prompt #2 has 100000 characters, more than 6656"]);
}

/// Defect 7: `--count 10^12` aborted (every row was built in memory first).
#[test]
fn an_absurd_generate_count_is_refused_with_the_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("rows.jsonl");
    bounded(&[
        "data",
        "generate",
        "--count",
        "1000000000000",
        "--out",
        s(&out),
    ])
    .assert_clear_error(&["--count 1000000000000 is more than 100000000 rows"]);
    assert!(!out.exists());
}

/// Rows stream to the file: 200 000 rows (~60 MB of JSONL) fit in 64 MB of heap over the
/// binary's baseline, and the file is the committed set's prefix for the same seed.
#[test]
fn generated_rows_stream_to_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("rows.jsonl");
    let r = hir_bounded(
        &["data", "generate", "--count", "200000", "--out", s(&out)],
        256,
        60,
    );
    assert_eq!(r.status.and_then(|st| st.code()), Some(0), "{r:?}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 200_000);
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/data/ifeval_style_train.jsonl"),
    )
    .unwrap();
    assert!(text.starts_with(&committed));
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("rows.jsonl")]);
}

const GROUP: &str = r#"{"id": "g", "task": "Write.", "constraints": [{"instruction_id": "punctuation:no_comma"}, {"instruction_id": "change_case:english_lowercase"}], "responses": [{"text": "hello, there", "entropy": 0.5}, {"text": "hello there", "entropy": 0.25}, {"text": "Hello there", "entropy": 0.75}]}"#;

/// Defect 9: `--step 0` was accepted (steps count from 1), and `--step 100000 --eta 1` gave an
/// infinite λ and `"score": null` on selected rows.
#[test]
fn replay_refuses_step_zero_and_an_overflowing_curriculum() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("groups.jsonl");
    std::fs::write(&input, format!("{GROUP}\n")).unwrap();
    bounded(&["replay", "--input", s(&input), "--step", "0"])
        .assert_clear_error(&["--step must be at least 1"]);
    // 2·2^s is finite up to s = 1022.
    bounded(&[
        "replay",
        "--input",
        s(&input),
        "--step",
        "100000",
        "--eta",
        "1",
    ])
    .assert_clear_error(&["overflows", "the last step with a finite λ is 1022"]);
    let ok = common::hir_ok(&[
        "replay",
        "--input",
        s(&input),
        "--step",
        "1022",
        "--eta",
        "1",
    ]);
    let rows: Vec<serde_json::Value> = String::from_utf8(ok.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let eligible: Vec<_> = rows.iter().filter(|r| r["dense"] == 0.5).collect();
    assert_eq!(eligible.len(), 2, "{rows:?}");
    for r in eligible {
        let score = r["score"].as_f64().expect("a finite score, not null");
        assert!(score.is_finite() && score > 1e307, "{score}");
    }
    bounded(&[
        "replay",
        "--input",
        s(&input),
        "--step",
        "1023",
        "--eta",
        "1",
    ])
    .assert_clear_error(&["the last step with a finite λ is 1022"]);
}
