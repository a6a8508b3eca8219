//! `hir_verify::text::syllables::count` against `syllapy.count` 0.8.0 on every distinct token
//! of the IFEval / IFBench response corpus plus tricky cases (`data/lang/make_golden.py`).
#![cfg(feature = "syllables")]

mod lang_common;

use hir_verify::text::{python, syllables::count};

#[test]
fn syllables_match_syllapy_on_corpus() {
    let golden = lang_common::read_gz_jsonl("syllapy.jsonl.gz");
    let extra: Vec<String> = golden[0]
        .as_array()
        .expect("extra words")
        .iter()
        .map(|v| v.as_str().expect("word").to_owned())
        .collect();
    let counts: Vec<usize> = golden[1]
        .as_array()
        .expect("counts")
        .iter()
        .map(|v| v.as_u64().expect("count") as usize)
        .collect();
    // syllapy_words of make_golden.py: extra words, then str.split() tokens, deduplicated.
    let mut words = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let responses = lang_common::responses();
    let tokens = responses
        .iter()
        .flat_map(|r| r.split(python::is_space).filter(|t| !t.is_empty()));
    for w in extra.iter().map(String::as_str).chain(tokens) {
        if seen.insert(w.to_owned()) {
            words.push(w.to_owned());
        }
    }
    assert_eq!(
        words.len(),
        counts.len(),
        "word list differs from the generator's"
    );
    let mismatches: Vec<_> = words
        .iter()
        .zip(&counts)
        .filter(|(w, &n)| count(w) != n)
        .map(|(w, &n)| (w.clone(), n, count(w)))
        .collect();
    println!(
        "syllapy: compared {} words, {} mismatches",
        words.len(),
        mismatches.len()
    );
    for (w, want, got) in mismatches.iter().take(20) {
        println!("  {w:?}: want {want} got {got}");
    }
    assert!(words.len() > 10_000);
    assert!(mismatches.is_empty());
}
