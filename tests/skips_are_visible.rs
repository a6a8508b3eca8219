//! A test that needs a fixture a fresh clone lacks (the SmolLM2 file, a GPU adapter) must be
//! `#[ignore = "needs ..."]`, so that `cargo test` reports it as ignored, with the reason,
//! instead of passing it in 0.00 s without running it (issue 11). This scans the test sources
//! of the root crate, of the wgpu backend and of the shared backend suite for such tests.

use std::path::Path;

/// What a test body calls when it needs a fixture: the SmolLM2 lookup, the GPU adapter, or
/// the CLI with `--backend wgpu`.
const NEEDS_FIXTURE: &[&str] = &[
    "smollm2(",
    "smollm2_vocab(",
    "gpu(\"",
    "gpu_or_skip(",
    "\"wgpu\"",
    "WgpuBackend::new(",
];

/// `(file, test name, attributes, body)` of every `#[test]` fn in the `.rs` files of `dir`.
fn tests_in(dir: &Path) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("tests dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read test source");
        for chunk in text.split("#[test]\n").skip(1) {
            let fn_at = chunk.find("fn ").expect("a test fn");
            let attrs = chunk[..fn_at].to_string();
            let rest = &chunk[fn_at + 3..];
            let name = rest[..rest.find('(').expect("fn name")].to_string();
            let body = rest[..rest.find("\n}\n").unwrap_or(rest.len())].to_string();
            out.push((file.display().to_string(), name, attrs, body));
        }
    }
    out
}

#[test]
fn every_test_that_needs_a_fixture_is_ignored_with_its_reason() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut needing = 0;
    let mut wrong = Vec::new();
    for dir in ["tests", "backend-wgpu/tests", "backend-tests/tests"] {
        for (file, name, attrs, body) in tests_in(&root.join(dir)) {
            if NEEDS_FIXTURE.iter().any(|m| body.contains(m)) {
                needing += 1;
                if !attrs.contains("#[ignore = \"needs ") {
                    wrong.push(format!("{file}: {name}"));
                }
            } else if attrs.contains("#[ignore") && !file.ends_with("skips_are_visible.rs") {
                wrong.push(format!("{file}: {name} is ignored but needs no fixture"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "tests that need the SmolLM2 file or a GPU adapter must be #[ignore = \"needs ...\"] \
         (and only those): {wrong:#?}"
    );
    // 2 + 2 + 2 + 3 SmolLM2 tests; 3 GPU tests: the shared backend suite on wgpu (one test that
    // runs every op family's cases), the trainer step and the golden models; the CLI's wgpu test.
    assert!(
        needing >= 13,
        "found only {needing} tests that need a fixture"
    );
}
