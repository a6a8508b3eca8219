//! Every IFBench verdict of the official Python checkers (allenai/IFBench at 8a66c06, three
//! models' responses) is reproduced by `hir_verify::constraint::ifbench`, strict and loose.
//!
//! Data: `tests/data/ifbench/` (see its README).
//!
//! Needs the default language-tool features (every checker must be available).
#![cfg(all(feature = "pos-tagger", feature = "emoji", feature = "syllables"))]

use flate2::read::GzDecoder;
use hir_verify::constraint::{check_loose, ifbench, Kwargs};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::PathBuf;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/ifbench")
}

fn read_jsonl_gz(name: &str) -> Vec<Value> {
    let path = data_dir().join(format!("{name}.gz"));
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut text = String::new();
    GzDecoder::new(file)
        .read_to_string(&mut text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{name}: {e}")))
        .collect()
}

/// `evaluation_lib.read_prompt_to_response_dict`: prompt (and stripped prompt) -> response.
fn responses(source: &str) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for row in read_jsonl_gz(source) {
        let prompt = row["prompt"].as_str().expect("prompt").to_string();
        let response = row["response"].as_str().expect("response").to_string();
        map.insert(prompt.trim().to_string(), response.clone());
        map.insert(prompt, response);
    }
    map
}

#[test]
fn ifbench_verdicts_match_official() {
    let prompts: HashMap<String, String> = read_jsonl_gz("IFBench_test.jsonl")
        .into_iter()
        .map(|r| {
            let key = r["key"].as_str().expect("key").to_string();
            (key, r["prompt"].as_str().expect("prompt").to_string())
        })
        .collect();
    let mut sources: HashMap<String, HashMap<String, String>> = HashMap::new();
    // id -> (rows, strict agreements, loose agreements)
    let mut tally: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut skipped = 0;
    // source -> key -> [(our strict, our loose)]
    let mut ours: BTreeMap<String, BTreeMap<String, Vec<(bool, bool)>>> = BTreeMap::new();
    for v in read_jsonl_gz("verdicts.jsonl") {
        if v.get("deterministic") == Some(&Value::Bool(false)) {
            skipped += 1;
            continue;
        }
        let id = v["instruction_id"].as_str().expect("instruction_id");
        let key = v["key"].as_str().expect("key");
        let source = v["source"].as_str().expect("source");
        let prompt = &prompts[key];
        let map = sources
            .entry(source.to_string())
            .or_insert_with(|| responses(source));
        let response = map
            .get(prompt.as_str())
            .or_else(|| map.get(prompt.trim()))
            .unwrap_or_else(|| panic!("no response for key {key} in {source}"));
        let kwargs: Kwargs = v["kwargs"].as_object().cloned().unwrap_or_default();
        let c = ifbench::build(id, &kwargs, prompt)
            .unwrap_or_else(|| panic!("{id} is not an IFBench id"))
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        let strict = c.check(response);
        let loose = check_loose(c.as_ref(), response);
        ours.entry(source.to_string())
            .or_default()
            .entry(key.to_string())
            .or_default()
            .push((strict, loose));
        let t = tally.entry(id.to_string()).or_default();
        t.0 += 1;
        let want_strict = v["strict"] == Value::Bool(true);
        let want_loose = v["loose"] == Value::Bool(true);
        t.1 += usize::from(strict == want_strict);
        t.2 += usize::from(loose == want_loose);
        if strict != want_strict || loose != want_loose {
            failures.push(format!(
                "{id} {source} key {key}: official strict/loose {want_strict}/{want_loose}, \
                 ours {strict}/{loose}"
            ));
        }
    }
    println!("{:<36} {:>5} {:>7} {:>6}", "id", "rows", "strict", "loose");
    for (id, (n, s, l)) in &tally {
        println!("{id:<36} {n:>5} {s:>7} {l:>6}");
    }
    let total: usize = tally.values().map(|t| t.0).sum();
    println!("{total} rows compared, {skipped} non-deterministic rows skipped");
    for f in &failures {
        println!("DISAGREE {f}");
    }
    assert_eq!(tally.len(), 57, "the test file has 57 IFBench ids");
    // The official aggregate scores of these files (prompt strict / prompt loose / instruction
    // strict / instruction loose, from the oracle's README), recomputed from our verdicts.
    let official = [
        (
            "input_response_data_llama_3b.jsonl",
            [0.2381, 0.2687, 0.2537, 0.3015],
        ),
        (
            "input_response_data_qwen25_7b.jsonl",
            [0.2619, 0.2857, 0.2866, 0.3164],
        ),
        (
            "input_response_data_qwen3_4b.jsonl",
            [0.3027, 0.3299, 0.3194, 0.3522],
        ),
    ];
    if skipped == 0 {
        for (source, want) in official {
            let by_key = &ours[source];
            let rows: Vec<(bool, bool)> = by_key.values().flatten().copied().collect();
            let n = by_key.len() as f64;
            let m = rows.len() as f64;
            let got = [
                by_key.values().filter(|v| v.iter().all(|r| r.0)).count() as f64 / n,
                by_key.values().filter(|v| v.iter().all(|r| r.1)).count() as f64 / n,
                rows.iter().filter(|r| r.0).count() as f64 / m,
                rows.iter().filter(|r| r.1).count() as f64 / m,
            ];
            println!("{source}: {got:.4?}");
            for (g, w) in got.iter().zip(want) {
                assert!(
                    (g - w).abs() < 5e-5,
                    "{source}: scores {got:?}, official {want:?}"
                );
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} rows disagree (listed above)",
        failures.len()
    );
}
