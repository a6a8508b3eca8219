//! Shared loading of the golden files in `verify/tests/data/lang/` (see `make_golden.py`).
#![allow(dead_code)]

use std::io::Read;
use std::path::PathBuf;

/// Path of a file in `verify/tests/data/lang/`.
pub fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/lang")
        .join(name)
}

/// The JSON values of a gzip-compressed JSON-lines golden file.
pub fn read_gz_jsonl(name: &str) -> Vec<serde_json::Value> {
    let path = data_path(name);
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .collect()
}

/// The corpus: model responses to the IFEval / IFBench prompts.
pub fn responses() -> Vec<String> {
    read_gz_jsonl("responses.jsonl.gz")
        .into_iter()
        .map(|v| v.as_str().expect("response is a string").to_owned())
        .collect()
}

/// `units` of make_golden.py: the response, then every third of its non-blank lines and their
/// non-blank `". "`-separated pieces (deduplicated in order).
pub fn units(resp: &str) -> Vec<String> {
    let strip = hir_verify::text::python::strip;
    let mut out = vec![resp.to_owned()];
    for line in resp.split('\n') {
        if !strip(line).is_empty() {
            out.push(line.to_owned());
        }
        for piece in line.split(". ") {
            if !strip(piece).is_empty() && piece != line {
                out.push(piece.to_owned());
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|u| seen.insert(u.clone()));
    // The response, then every third of the rest (res[:1] + res[1:][::3]).
    let rest: Vec<String> = out.drain(1..).step_by(3).collect();
    out.extend(rest);
    out
}
