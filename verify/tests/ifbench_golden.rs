//! Every IFBench checker against golden verdicts of the official checker code at allenai/IFBench
//! commit 8a66c06, strict and loose: 8a66c06's own unit-test calls, hand-written edge cases
//! per checker and their random mutants, and sweeps of every checker over seeded fuzz texts
//! and over every real model response of `tests/data/ifbench/`.
//!
//! Data: `tests/data/ifbench_8a66c06/` (see its README), written by
//! `scripts/reference/ifbench_8a66c06_golden.py`.
//!
//! Needs the default language-tool features (every checker must be available).
#![cfg(all(feature = "pos-tagger", feature = "emoji", feature = "syllables"))]

use flate2::read::GzDecoder;
use hir_verify::constraint::{check_loose, ifbench, Constraint, Kwargs};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::PathBuf;

fn read_jsonl_gz(path: PathBuf) -> Vec<Value> {
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut text = String::new();
    GzDecoder::new(file)
        .read_to_string(&mut text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .collect()
}

fn golden(name: &str) -> Vec<Value> {
    read_jsonl_gz(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/ifbench_8a66c06")
            .join(name),
    )
}

fn oracle(name: &str) -> Vec<Value> {
    read_jsonl_gz(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/data/ifbench")
            .join(format!("{name}.gz")),
    )
}

/// The checker, or the error hir gives for kwargs 8a66c06 accepts (a disagreement).
fn build(id: &str, kwargs: &Value) -> Result<Box<dyn Constraint>, String> {
    let kwargs: Kwargs = kwargs.as_object().cloned().unwrap_or_default();
    ifbench::build(id, &kwargs, "")
        .unwrap_or_else(|| panic!("{id} is not an IFBench id"))
        .map_err(|e| {
            format!(
                "{id} {}: hir refuses the kwargs: {e}",
                Value::Object(kwargs)
            )
        })
}

/// Per id: (rows, disagreements).
type Tally = BTreeMap<String, (usize, usize)>;

fn report(what: &str, tally: &Tally, failures: &[String]) {
    let rows: usize = tally.values().map(|t| t.0).sum();
    let bad: usize = tally.values().map(|t| t.1).sum();
    println!("{what}: {rows} verdict pairs over {} ids", tally.len());
    for (id, (n, bad)) in tally {
        if *bad > 0 {
            println!("{id:<36} {bad:>6} of {n:>6} disagree");
        }
    }
    for f in failures.iter().take(200) {
        println!("DISAGREE {f}");
    }
    assert!(
        failures.is_empty(),
        "{what}: {bad} of {rows} verdict pairs disagree with 8a66c06 (first ones listed above)"
    );
}

#[test]
fn ifbench_cases_match_8a66c06() {
    let mut tally = Tally::new();
    let mut failures = Vec::new();
    let mut groups: BTreeMap<String, usize> = BTreeMap::new();
    for row in golden("cases.jsonl.gz") {
        let id = row["id"].as_str().expect("id");
        let response = row["response"].as_str().expect("response");
        *groups
            .entry(row["group"].as_str().unwrap_or("?").to_string())
            .or_default() += 1;
        let t = tally.entry(id.to_string()).or_default();
        t.0 += 1;
        let c = match build(id, &row["kwargs"]) {
            Ok(c) => c,
            Err(e) => {
                t.1 += 1;
                failures.push(format!("[{}] {e}", row["group"].as_str().unwrap_or("?")));
                continue;
            }
        };
        let (strict, loose) = (c.check(response), check_loose(c.as_ref(), response));
        let want = (
            row["strict"] == Value::Bool(true),
            row["loose"] == Value::Bool(true),
        );
        if (strict, loose) != want {
            t.1 += 1;
            failures.push(format!(
                "[{}] {id} {} {response:?}: 8a66c06 strict/loose {}/{}, hir {strict}/{loose}",
                row["group"].as_str().unwrap_or("?"),
                row["kwargs"],
                want.0,
                want.1
            ));
        }
    }
    println!("groups: {groups:?}");
    assert_eq!(
        tally.len(),
        ifbench::IDS.len(),
        "every IFBench id has cases"
    );
    report("cases", &tally, &failures);
}

#[test]
fn ifbench_sweeps_match_8a66c06() {
    let mut texts: HashMap<String, Vec<String>> = HashMap::new();
    texts.insert(
        "fuzz_texts".into(),
        golden("fuzz_texts.jsonl.gz")
            .iter()
            .map(|r| r["text"].as_str().expect("text").to_string())
            .collect(),
    );
    let mut tally = Tally::new();
    let mut failures = Vec::new();
    for sweep in golden("sweeps.jsonl.gz") {
        let id = sweep["id"].as_str().expect("id");
        let source = sweep["texts"].as_str().expect("texts");
        let items = texts.entry(source.to_string()).or_insert_with(|| {
            oracle(source)
                .iter()
                .map(|r| r["response"].as_str().expect("response").to_string())
                .collect()
        });
        let strict: Vec<char> = sweep["strict"].as_str().expect("strict").chars().collect();
        let loose: Vec<char> = sweep["loose"].as_str().expect("loose").chars().collect();
        assert_eq!(
            strict.len(),
            items.len(),
            "{id} over {source}: verdict count"
        );
        let t = tally.entry(id.to_string()).or_default();
        let c = match build(id, &sweep["kwargs"]) {
            Ok(c) => c,
            Err(e) => {
                t.0 += items.len();
                t.1 += items.len();
                failures.push(format!("{e} ({} verdicts over {source})", items.len()));
                continue;
            }
        };
        for (i, text) in items.iter().enumerate() {
            let got = (c.check(text), check_loose(c.as_ref(), text));
            let want = (strict[i] == 'T', loose[i] == 'T');
            t.0 += 1;
            if got != want {
                t.1 += 1;
                failures.push(format!(
                    "{id} {} {source}[{i}] {:?}: 8a66c06 strict/loose {}/{}, hir {}/{}",
                    sweep["kwargs"],
                    text.chars().take(160).collect::<String>(),
                    want.0,
                    want.1,
                    got.0,
                    got.1
                ));
            }
        }
    }
    assert_eq!(tally.len(), ifbench::IDS.len(), "every IFBench id is swept");
    report("sweeps", &tally, &failures);
}
