//! The command line as a user meets it (issue 11, "UX points"): one spelling for output
//! flags (old ones still accepted), negative numbers reaching validation, flags that only
//! apply with `--model` refused without it, defaults and no Rust paths in `--help`, unknown
//! instruction ids with close matches and `hir ids`, the layout error, `warmstart` listed, and
//! the line naming the wgpu adapter, `-` for standard input and output.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `hir args` (stdin closed).
fn hir(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hir"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run hir")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Asserts that `o` failed with `code` and that stderr holds every needle.
fn assert_fails(o: &Output, code: i32, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "stderr:\n{err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn ifeval_data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/ifeval")
        .join(name)
}

/// The first `n` lines of `src`, written to `dir/name`.
fn head(src: &Path, n: usize, dir: &Path, name: &str) -> PathBuf {
    let text = std::fs::read_to_string(src).expect("read test data");
    let mut out: String = text.lines().take(n).collect::<Vec<_>>().join("\n");
    out.push('\n');
    let path = dir.join(name);
    std::fs::write(&path, out).expect("write");
    path
}

// ---- output flags: `--output FILE` / `--output-dir DIR`, old spellings kept ----

#[test]
fn output_files_are_spelled_output_and_the_old_out_still_works() {
    let dir = tempfile::tempdir().expect("temp dir");
    let new = dir.path().join("new.jsonl");
    let old = dir.path().join("old.jsonl");
    common::hir_ok(&["data", "generate", "--count", "3", "--output", s(&new)]);
    common::hir_ok(&["data", "generate", "--count", "3", "--out", s(&old)]);
    let new_text = std::fs::read(&new).expect("--output written");
    assert_eq!(new_text, std::fs::read(&old).expect("--out written"));
    assert_eq!(new_text.iter().filter(|&&b| b == b'\n').count(), 3);

    // forward / grad: the golden tiny model, same bytes through either spelling.
    let model = common::golden_dirs()
        .into_iter()
        .next()
        .expect("a golden model");
    let a = dir.path().join("a.safetensors");
    let b = dir.path().join("b.safetensors");
    for (flag, path) in [("--output", &a), ("--out", &b)] {
        common::hir_ok(&[
            "forward",
            "--model",
            s(&model),
            "--ids",
            "1,2,3",
            flag,
            s(path),
        ]);
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

#[test]
fn output_directories_are_spelled_output_dir() {
    for (cmd, old) in [
        (&["compare"][..], "--out-dir <"),
        (&["warmstart"][..], "--out <"),
        (&["eval", "ifeval"][..], ""),
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let help = stdout(&common::hir_ok(&args));
        assert!(help.contains("--output-dir"), "{cmd:?}:\n{help}");
        if !old.is_empty() {
            assert!(!help.contains(old), "{cmd:?} still shows {old}:\n{help}");
        }
    }
    // eval keeps the official tool's `--output_dir` and takes `--output-dir` too.
    let dir = tempfile::tempdir().expect("temp dir");
    let prompts = head(&ifeval_data("input_data.jsonl"), 3, dir.path(), "p.jsonl");
    let responses = head(
        &ifeval_data("input_response_data_llama_3b.jsonl"),
        3,
        dir.path(),
        "r.jsonl",
    );
    for (flag, sub) in [("--output_dir", "a"), ("--output-dir", "b")] {
        let out = dir.path().join(sub);
        common::hir_ok(&[
            "eval",
            "ifeval",
            "--input_data",
            s(&prompts),
            "--input_response_data",
            s(&responses),
            flag,
            s(&out),
        ]);
        assert!(out.join("eval_results_strict.jsonl").is_file(), "{flag}");
    }
    assert_eq!(
        std::fs::read(dir.path().join("a/eval_results_loose.jsonl")).unwrap(),
        std::fs::read(dir.path().join("b/eval_results_loose.jsonl")).unwrap()
    );
    // warmstart's old `--out` still parses (it fails later, on --threads 0, before any work).
    let o = hir(&["warmstart", "--out", s(dir.path()), "--threads", "0"]);
    assert_fails(&o, 1, &["--threads must be at least 1"]);
}

// ---- negative numbers reach validation ----

#[test]
fn negative_numbers_parse_and_are_refused_by_validation() {
    let missing = "/nonexistent/model.gguf";
    let o = hir(&[
        "generate",
        "--model",
        missing,
        "--prompt",
        "hi",
        "--temperature",
        "-1",
    ]);
    assert_fails(
        &o,
        1,
        &["--temperature must be a finite number ≥ 0 (0 is greedy), got -1"],
    );
    let o = hir(&[
        "generate", "--model", missing, "--prompt", "hi", "--top-p", "-0.5",
    ]);
    assert_fails(&o, 1, &["--top-p must be in (0, 1], got -0.5"]);
    let o = hir(&[
        "eval",
        "ifeval",
        "--model",
        missing,
        "--output_dir",
        "/nonexistent/out",
        "--temperature",
        "-2",
    ]);
    assert_fails(
        &o,
        1,
        &["--temperature must be a finite number ≥ 0", "got -2"],
    );
    // replay's λ_0 and η take negative values as numbers, which validation then refuses.
    let o = hir(&[
        "replay",
        "--input",
        "/nonexistent/in.jsonl",
        "--step",
        "1",
        "--eta",
        "-0.5",
        "--lambda0",
        "-1",
    ]);
    assert_fails(&o, 1, &["--lambda0 must be a finite number ≥ 0", "got -1"]);
}

// ---- flags that only apply with --model ----

#[test]
fn model_only_flags_of_eval_are_refused_without_model() {
    let dir = tempfile::tempdir().expect("temp dir");
    let prompts = head(&ifeval_data("input_data.jsonl"), 2, dir.path(), "p.jsonl");
    let responses = head(
        &ifeval_data("input_response_data_llama_3b.jsonl"),
        2,
        dir.path(),
        "r.jsonl",
    );
    let out = dir.path().join("out");
    for (flag, value) in [
        ("--limit", "1"),
        ("--temperature", "0.5"),
        ("--max-tokens", "5"),
        ("--batch", "2"),
        ("--system", "x"),
        ("--seed", "3"),
        ("--backend", "cpu"),
    ] {
        let o = hir(&[
            "eval",
            "ifeval",
            "--input_data",
            s(&prompts),
            "--input_response_data",
            s(&responses),
            "--output_dir",
            s(&out),
            flag,
            value,
        ]);
        assert_fails(
            &o,
            2,
            &[flag, "cannot be used with", "--input_response_data"],
        );
        assert!(!out.exists(), "{flag}: nothing written");
    }
}

#[test]
fn model_only_flags_of_train_are_refused_on_resume() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (flag, value) in [("--data", "d.jsonl"), ("--eval-count", "5")] {
        let o = hir(&["train", "--resume", s(dir.path()), flag, value]);
        assert_fails(&o, 2, &[flag, "cannot be used with", "--resume"]);
    }
}

// ---- --help: defaults shown, no Rust paths or rustdoc links ----

#[test]
fn help_has_no_rust_paths_or_rustdoc_links() {
    let commands: &[&[&str]] = &[
        &[],
        &["train"],
        &["compare"],
        &["generate"],
        &["eval", "ifeval"],
        &["eval", "ifbench"],
        &["forward"],
        &["grad"],
        &["bench"],
        &["replay"],
        &["data", "generate"],
        &["ids"],
        &["warmstart"],
    ];
    for cmd in commands {
        let mut args = cmd.to_vec();
        args.push("--help");
        let help = stdout(&common::hir_ok(&args));
        assert!(
            !help.contains("::"),
            "{cmd:?} --help has a Rust path:\n{help}"
        );
        assert!(
            !help.contains("[`"),
            "{cmd:?} --help has a rustdoc link:\n{help}"
        );
    }
}

#[test]
fn help_shows_every_default() {
    let help = stdout(&common::hir_ok(&["train", "--help"]));
    assert!(
        help.contains("default 16384 for the built-in policy, 1024 with `--model`"),
        "{help}"
    );
}

#[test]
fn warmstart_is_listed_and_its_thread_count_error_names_the_flag() {
    let help = stdout(&common::hir_ok(&["--help"]));
    assert!(help.contains("warmstart"), "{help}");
    assert!(help.contains("ids"), "{help}");
    let dir = tempfile::tempdir().expect("temp dir");
    let o = hir(&["warmstart", "--output-dir", s(dir.path()), "--threads", "0"]);
    assert_fails(
        &o,
        1,
        &["--threads must be at least 1 (or left out to use every core)"],
    );
    assert!(!stderr(&o).contains("::"), "{}", stderr(&o));
}

// ---- instruction ids ----

#[test]
fn hir_ids_lists_each_suites_ids() {
    use hir_core::constraint::registry::{ids, Suite};
    for (name, suite) in [("ifeval", Suite::IfEval), ("ifbench", Suite::IfBench)] {
        let out = stdout(&common::hir_ok(&["ids", name]));
        let want: String = ids(suite).iter().map(|id| format!("{id}\n")).collect();
        assert_eq!(out, want, "hir ids {name}");
    }
    assert!(stdout(&common::hir_ok(&["ids", "ifeval"])).contains("punctuation:no_comma\n"));
    let o = hir(&["ids", "other"]);
    assert_fails(&o, 2, &["invalid value 'other'", "ifeval", "ifbench"]);
}

#[test]
fn an_unknown_id_in_eval_names_the_close_match() {
    let dir = tempfile::tempdir().expect("temp dir");
    let prompts = dir.path().join("p.jsonl");
    std::fs::write(
        &prompts,
        r#"{"key": 1, "prompt": "Say hi", "instruction_id_list": ["punctuation:no_coma"], "kwargs": [{}]}"#
            .to_owned()
            + "\n",
    )
    .unwrap();
    let responses = dir.path().join("r.jsonl");
    std::fs::write(
        &responses,
        "{\"prompt\": \"Say hi\", \"response\": \"hi\"}\n",
    )
    .unwrap();
    let o = hir(&[
        "eval",
        "ifeval",
        "--input_data",
        s(&prompts),
        "--input_response_data",
        s(&responses),
        "--output_dir",
        s(&dir.path().join("out")),
    ]);
    assert_fails(
        &o,
        1,
        &[
            "unknown instruction id `punctuation:no_coma`; did you mean `punctuation:no_comma`? (`hir ids ifeval` and `hir ids ifbench` list every id)",
        ],
    );
    assert!(!stderr(&o).contains("::ids"), "{}", stderr(&o));
}

/// Runs `hir replay` on one input line; returns the failed run.
fn replay_on(line: &str) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, format!("{line}\n")).unwrap();
    hir(&["replay", "--input", s(&input), "--step", "1"])
}

#[test]
fn an_unknown_id_in_replay_names_the_close_match_or_its_suite() {
    let o = replay_on(
        r#"{"id": 1, "task": "T", "constraints": [{"instruction_id": "detectable_format:title_cas"}], "responses": []}"#,
    );
    assert_fails(
        &o,
        1,
        &["unknown instruction id `detectable_format:title_cas` (not an IFEval or IFBench id)"],
    );
    assert!(!stderr(&o).contains("hir_core::"), "{}", stderr(&o));
    // An IFEval id forced into IFBench: the error says where the id belongs.
    let o = replay_on(
        r#"{"id": 1, "task": "T", "constraints": [{"instruction_id": "punctuation:no_comma", "suite": "ifbench"}], "responses": []}"#,
    );
    assert_fails(
        &o,
        1,
        &["unknown instruction id `punctuation:no_comma`; it is an IFEval id (scored by `hir eval ifeval`)"],
    );
}

// ---- the layout error ----

#[test]
fn the_layout_error_lists_numbers_and_names_consistently() {
    let want = "unknown layout `7`: expected a number 1-6 or its name (1 inline, 2 newline, 3 numbered, 4 bullets, 5 constraints_first, 6 lines), or `embedded` (a task that states its constraints itself; it has no number)";
    let o = replay_on(r#"{"id": 1, "task": "T", "layout": 7, "constraints": [], "responses": []}"#);
    assert_fails(&o, 1, &[&format!("field `layout`: {want}")]);
    let o =
        replay_on(r#"{"id": 1, "task": "T", "layout": -1, "constraints": [], "responses": []}"#);
    assert_fails(
        &o,
        1,
        &["field `layout`: unknown layout `-1`: expected a number 1-6 or its name (1 inline"],
    );
    assert_eq!(
        hir_core::instruct::Layout::from_name("type1")
            .unwrap_err()
            .to_string(),
        want.replace('7', "type1")
    );
}

// ---- the wgpu adapter line ----

#[test]
fn the_wgpu_adapter_line_says_when_it_is_a_software_or_gl_fallback() {
    use hir_backend_wgpu::AdapterSummary;
    let gpu = AdapterSummary {
        name: "NVIDIA H100".into(),
        backend: "Vulkan".into(),
        device_type: "DiscreteGpu".into(),
        driver: "NVIDIA 550".into(),
        shader_f16: true,
        subgroups: true,
    };
    assert_eq!(
        gpu.choice_line(false),
        "wgpu adapter: NVIDIA H100 (Vulkan, DiscreteGpu, NVIDIA 550, f16 yes, subgroups yes)"
    );
    let gl = AdapterSummary {
        name: "llvmpipe (LLVM 15.0.6, 256 bits)".into(),
        backend: "Gl".into(),
        device_type: "Cpu".into(),
        driver: String::new(),
        shader_f16: false,
        subgroups: false,
    };
    assert_eq!(
        gl.choice_line(false),
        "wgpu adapter: llvmpipe (LLVM 15.0.6, 256 bits) (Gl, Cpu, f16 no, subgroups no); \
         this is a software rasterizer running on the CPU, usually slower than the CPU backend; \
         no Vulkan, Metal or DX12 adapter was found, so wgpu fell back to OpenGL (install a \
         Vulkan driver, or set WGPU_BACKEND=gl to choose it explicitly)"
    );
    // WGPU_BACKEND=gl chose GL: no fallback note.
    assert!(!gl.choice_line(true).contains("fell back"));
}

// ---- `-` is standard input / standard output ----

/// Runs `hir args` with `input` on its stdin.
fn hir_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_hir"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run hir");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for hir");
    writer.join().expect("stdin writer");
    out
}

#[test]
fn a_dash_reads_stdin_and_writes_stdout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let groups = root.join("tests/data/replay/groups.jsonl");
    let groups_s = groups.to_str().unwrap();
    // replay: stdin in, stdout out, the same bytes as from and to files.
    let file_out = dir.path().join("replay.jsonl");
    let o = hir(&[
        "replay",
        "--input",
        groups_s,
        "--step",
        "1",
        "--output",
        file_out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let expected = std::fs::read(&file_out).unwrap();
    assert!(!expected.is_empty());
    let o = hir_stdin(
        &["replay", "--input", "-", "--step", "1", "--output", "-"],
        &std::fs::read(&groups).unwrap(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(o.stdout, expected);
    // data generate to stdout: the same rows as to a file.
    let gen = dir.path().join("gen.jsonl");
    let o = hir(&[
        "data",
        "generate",
        "--count",
        "5",
        "--output",
        gen.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = hir(&["data", "generate", "--count", "5", "--output", "-"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(o.stdout, std::fs::read(&gen).unwrap());
    assert_eq!(stdout(&o).lines().count(), 5);
    // eval: prompts on stdin, scored as from the file.
    let prompts = root.join("tests/data/ifeval/input_data.jsonl");
    let responses = root.join("tests/data/ifeval/input_response_data_llama_3b.jsonl");
    let o = hir_stdin(
        &[
            "eval",
            "ifeval",
            "--input_data",
            "-",
            "--input_response_data",
            responses.to_str().unwrap(),
            "--output_dir",
            dir.path().join("ev").to_str().unwrap(),
        ],
        &std::fs::read(&prompts).unwrap(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("prompt-level strict: 0.7024  loose: 0.7579"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_dash_is_refused_where_one_stdin_cannot_serve() {
    let dir = tempfile::tempdir().expect("temp dir");
    let o = hir(&[
        "eval",
        "ifeval",
        "--input_data",
        "-",
        "--input_response_data",
        "-",
        "--output_dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_fails(
        &o,
        1,
        &["--input_data and --input_response_data are both `-`"],
    );
    let o = hir(&["train", "--model", "m", "--data", "-"]);
    assert_fails(&o, 1, &["--data -: training data must be a file"]);
}

/// `hir bench matmul --shape M,K,N --transpose a|b|none` measures that product; a malformed
/// shape is refused by the parser with the expected form.
#[test]
fn bench_matmul_takes_a_shape_and_a_transposed_operand() {
    for t in ["none", "a", "b"] {
        let o = hir(&[
            "bench",
            "matmul",
            "--backend",
            "cpu",
            "--shape",
            "3,5,7",
            "--transpose",
            t,
            "--reps",
            "1",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
        assert_eq!(
            (v["m"].as_u64(), v["k"].as_u64(), v["n"].as_u64()),
            (Some(3), Some(5), Some(7))
        );
        assert_eq!(v["transpose"], t);
        assert!(v["gflops"].as_f64().unwrap() > 0.0);
    }
    for bad in ["3,5", "3,0,7", "a,b,c"] {
        let o = hir(&["bench", "matmul", "--shape", bad]);
        assert_fails(&o, 2, &["expected three positive sizes M,K,N"]);
    }
}
