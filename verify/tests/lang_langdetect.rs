//! `hir_verify::text::langdetect` against Python langdetect 1.0.9 (seed 0) on the IFEval /
//! IFBench response corpus; golden data from `data/lang/make_golden.py`, produced under
//! CPython 3.11 (`langdetect.jsonl.gz`) and CPython 3.12 (`langdetect_py312.jsonl.gz`).
#![cfg(feature = "langdetect")]

mod lang_common;

use hir_verify::text::langdetect::{detect, detect_with, PythonSum};

/// Compares every case of a golden file; returns (compared, mismatches).
fn compare(golden: &str, run: impl Fn(&str) -> Option<String>) -> usize {
    let responses = lang_common::responses();
    let mut compared = 0usize;
    let mut mismatches = Vec::new();
    for row in lang_common::read_gz_jsonl(golden) {
        let cases: Vec<(String, Option<String>)> = if let Some(i) = row.get("resp") {
            let i = i.as_u64().expect("resp index") as usize;
            let langs = row["langs"].as_array().expect("langs array");
            let units = lang_common::units(&responses[i]);
            assert_eq!(units.len(), langs.len(), "units of response {i}");
            units
                .into_iter()
                .zip(langs)
                .map(|(u, l)| (u, l.as_str().map(str::to_owned)))
                .collect()
        } else {
            let t = row["text"].as_str().expect("text").to_owned();
            vec![(t, row["lang"].as_str().map(str::to_owned))]
        };
        for (text, want) in cases {
            compared += 1;
            let got = run(&text);
            if got != want {
                mismatches.push((text, want, got));
            }
        }
    }
    println!(
        "{golden}: compared {compared} texts, {} mismatches",
        mismatches.len()
    );
    for (t, w, g) in mismatches.iter().take(10) {
        let short: String = t.chars().take(80).collect();
        println!("  want {w:?} got {g:?}: {short:?}");
    }
    assert!(compared > 10_000);
    assert!(
        mismatches.is_empty(),
        "{golden}: {} mismatches",
        mismatches.len()
    );
    compared
}

#[test]
fn langdetect_matches_python_311_on_corpus() {
    compare("langdetect.jsonl.gz", detect);
}

#[test]
fn langdetect_matches_python_312_on_corpus() {
    compare("langdetect_py312.jsonl.gz", |t| {
        detect_with(t, PythonSum::Compensated)
    });
}

#[test]
fn langdetect_matches_python_on_fuzz_strings() {
    let rows = lang_common::read_gz_jsonl("langdetect_fuzz.jsonl.gz");
    let mut mismatches = Vec::new();
    for row in &rows {
        let text = row["text"].as_str().expect("text");
        let want = row["lang"].as_str().map(str::to_owned);
        let got = detect(text);
        if got != want {
            mismatches.push((text.to_owned(), want, got));
        }
    }
    println!(
        "langdetect_fuzz.jsonl.gz: compared {} texts, {} mismatches",
        rows.len(),
        mismatches.len()
    );
    for (t, w, g) in mismatches.iter().take(10) {
        println!("  want {w:?} got {g:?}: {t:?}");
    }
    assert_eq!(rows.len(), 4000);
    assert!(mismatches.is_empty());
}
