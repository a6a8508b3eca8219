//! `hir eval ifeval|ifbench` (the binary) prints exactly the official aggregate scores for the
//! official response files (values from the oracle's README, produced by the official tools).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

/// A plain-text copy of `rel` (decompressed when it ends in `.gz`) inside `dir`.
fn plain(rel: &str, dir: &Path) -> PathBuf {
    let src = data(rel);
    let Some(stem) = rel.strip_suffix(".gz") else {
        return src;
    };
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&src).expect("open gz"))
        .read_to_string(&mut text)
        .expect("gunzip");
    let out = dir.join(Path::new(stem).file_name().expect("name"));
    std::fs::write(&out, text).expect("write");
    out
}

/// Runs `hir eval SUITE` and returns (prompt strict, prompt loose, instruction strict,
/// instruction loose) as printed in its closing summary lines.
fn scores(suite: &str, prompts: &Path, responses: &Path, out: &Path) -> [String; 4] {
    let run = Command::new(env!("CARGO_BIN_EXE_hir"))
        .args(["eval", suite, "--input_data"])
        .arg(prompts)
        .arg("--input_response_data")
        .arg(responses)
        .arg("--output_dir")
        .arg(out)
        .output()
        .expect("run hir");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let line = |prefix: &str| -> (String, String) {
        let l = stdout
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{stdout}"));
        let f: Vec<&str> = l.split_whitespace().collect();
        // "<level>-level strict: X  loose: Y"
        (f[2].to_string(), f[4].to_string())
    };
    let (ps, pl) = line("prompt-level strict:");
    let (is, il) = line("instruction-level strict:");
    [ps, pl, is, il]
}

#[test]
fn printed_aggregates_equal_the_official_ones() {
    let tmp_guard = tempfile::tempdir().expect("temp dir");
    let tmp = tmp_guard.path();
    let cases: [(&str, &str, &str, [&str; 4]); 5] = [
        (
            "ifeval",
            "ifeval/input_data.jsonl",
            "ifeval/input_response_data_llama_3b.jsonl",
            ["0.7024", "0.7579", "0.7866", "0.8285"],
        ),
        (
            "ifeval",
            "ifeval/input_data.jsonl",
            "ifeval/input_response_data_qwen25_7b.jsonl",
            ["0.7283", "0.7468", "0.7986", "0.8141"],
        ),
        (
            "ifbench",
            "ifbench/IFBench_test.jsonl.gz",
            "ifbench/input_response_data_llama_3b.jsonl.gz",
            ["0.2381", "0.2687", "0.2537", "0.3015"],
        ),
        (
            "ifbench",
            "ifbench/IFBench_test.jsonl.gz",
            "ifbench/input_response_data_qwen25_7b.jsonl.gz",
            ["0.2619", "0.2857", "0.2866", "0.3164"],
        ),
        (
            "ifbench",
            "ifbench/IFBench_test.jsonl.gz",
            "ifbench/input_response_data_qwen3_4b.jsonl.gz",
            ["0.3027", "0.3299", "0.3194", "0.3522"],
        ),
    ];
    for (i, (suite, prompts, responses, official)) in cases.iter().enumerate() {
        let dir = tmp.join(i.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        let got = scores(
            suite,
            &plain(prompts, &dir),
            &plain(responses, &dir),
            &dir.join("out"),
        );
        println!("{suite} {responses}: {got:?}");
        assert_eq!(got, official.map(String::from), "{suite} {responses}");
    }
}
