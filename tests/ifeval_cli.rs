//! `hir eval ifeval` end to end: output files in the official format, the report, and errors
//! that name the file, the line and what was expected, with nothing half-written.

use std::path::{Path, PathBuf};
use std::process::Command;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/ifeval")
        .join(name)
}

/// A fresh scratch directory for one test, removed when the guard drops.
fn scratch(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("hir-ifeval-cli-{name}-"))
        .tempdir()
        .expect("scratch dir")
}

fn hir_eval(prompts: &Path, responses: &Path, out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hir"))
        .args(["eval", "ifeval", "--input_data"])
        .arg(prompts)
        .arg("--input_response_data")
        .arg(responses)
        .arg("--output_dir")
        .arg(out)
        .output()
        .expect("runs hir")
}

#[test]
fn writes_official_files_and_report() {
    let out_guard = scratch("ok");
    let out = out_guard.path();
    let run = hir_eval(
        &data("input_data.jsonl"),
        &data("input_response_data_llama_3b.jsonl"),
        out,
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for name in ["eval_results_strict.jsonl", "eval_results_loose.jsonl"] {
        let text = std::fs::read_to_string(out.join(name)).expect("result file");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 541);
        // json.dumps of the OutputExample attributes in dir() order.
        assert!(
            lines[0].starts_with("{\"follow_all_instructions\": "),
            "{}",
            lines[0]
        );
        let keys: Vec<String> = serde_json::from_str::<serde_json::Value>(lines[0])
            .expect("json")
            .as_object()
            .expect("object")
            .keys()
            .cloned()
            .collect();
        assert_eq!(
            keys,
            [
                "follow_all_instructions",
                "follow_instruction_list",
                "instruction_id_list",
                "prompt",
                "response"
            ]
        );
        assert!(stdout.contains(&format!("{} Accuracy Scores:", out.join(name).display())));
    }
    assert!(text_has_line(&stdout, "punctuation:no_comma "), "{stdout}");
    assert!(text_has_line(&stdout, "keywords "), "{stdout}");
    let leftovers: Vec<_> = std::fs::read_dir(out)
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

fn text_has_line(text: &str, prefix: &str) -> bool {
    text.lines().any(|l| l.starts_with(prefix))
}

/// Runs `hir eval` expecting failure; returns stderr and checks no result file was written.
fn fails(name: &str, prompts: &str, responses: &str) -> String {
    let dir_guard = scratch(name);
    let dir = dir_guard.path();
    let (p, r, out) = (
        dir.join("prompts.jsonl"),
        dir.join("responses.jsonl"),
        dir.join("out"),
    );
    std::fs::write(&p, prompts).expect("write");
    std::fs::write(&r, responses).expect("write");
    std::fs::create_dir_all(&out).expect("out");
    std::fs::write(out.join("eval_results_strict.jsonl"), "previous\n").expect("write");
    let run = hir_eval(&p, &r, &out);
    assert!(!run.status.success());
    let previous = std::fs::read_to_string(out.join("eval_results_strict.jsonl")).expect("kept");
    assert_eq!(
        previous, "previous\n",
        "an existing result file was touched"
    );
    assert!(!out.join("eval_results_loose.jsonl").exists());
    String::from_utf8_lossy(&run.stderr).into_owned()
}

const PROMPT_OK: &str = r#"{"key": 1, "prompt": "Say hi.", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}"#;
const RESPONSE_OK: &str = r#"{"prompt": "Say hi.", "response": "hi"}"#;

#[test]
fn malformed_line_names_file_line_and_expectation() {
    let err = fails(
        "malformed",
        &format!("{PROMPT_OK}\n{{\"key\": 2, \n"),
        RESPONSE_OK,
    );
    assert!(err.contains("prompts.jsonl:2:"), "{err}");
    assert!(err.contains("expected a JSON object"), "{err}");
    let err = fails(
        "field",
        r#"{"key": 1, "prompt": 5, "instruction_id_list": [], "kwargs": []}"#,
        "",
    );
    assert!(
        err.contains("prompts.jsonl:1:") && err.contains("`prompt` should be a string"),
        "{err}"
    );
    let err = fails("noresp", PROMPT_OK, r#"{"prompt": "Say hi."}"#);
    assert!(
        err.contains("responses.jsonl:1:") && err.contains("missing field `response`"),
        "{err}"
    );
}

#[test]
fn missing_response_names_the_prompt() {
    let err = fails(
        "missing",
        PROMPT_OK,
        r#"{"prompt": "Something else", "response": "x"}"#,
    );
    assert!(
        err.contains("no response for the prompt with key 1"),
        "{err}"
    );
    assert!(err.contains("Say hi."), "{err}");
}

#[test]
fn unknown_id_names_id_file_and_line() {
    let bad = r#"{"key": 7, "prompt": "Say hi.", "instruction_id_list": ["keywords:nope"], "kwargs": [{}]}"#;
    let err = fails("unknown", &format!("{PROMPT_OK}\n{bad}\n"), RESPONSE_OK);
    assert!(err.contains("prompts.jsonl:2:"), "{err}");
    assert!(err.contains("keywords:nope"), "{err}");
}

#[test]
fn missing_argument_is_an_error() {
    let bad = r#"{"key": 7, "prompt": "Say hi.", "instruction_id_list": ["length_constraints:number_words"], "kwargs": [{"relation": "at least", "num_words": null}]}"#;
    let err = fails("missingarg", bad, RESPONSE_OK);
    assert!(
        err.contains("prompts.jsonl:1:") && err.contains("num_words"),
        "{err}"
    );
}
