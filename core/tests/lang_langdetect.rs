//! `hir_core::text::langdetect::detect` against Python langdetect 1.0.9 (seed 0) on the
//! IFEval / IFBench response corpus; golden data from `data/lang/make_golden.py`.

mod lang_common;

use hir_core::text::langdetect::detect;

#[test]
fn langdetect_matches_python_on_corpus() {
    let responses = lang_common::responses();
    let mut compared = 0usize;
    let mut mismatches = Vec::new();
    for row in lang_common::read_gz_jsonl("langdetect.jsonl.gz") {
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
            let got = detect(&text);
            if got != want {
                mismatches.push((text, want, got));
            }
        }
    }
    println!(
        "langdetect: compared {compared} texts, {} mismatches",
        mismatches.len()
    );
    for (t, w, g) in mismatches.iter().take(10) {
        let short: String = t.chars().take(80).collect();
        println!("  want {w:?} got {g:?}: {short:?}");
    }
    assert!(compared > 10_000);
    assert!(mismatches.is_empty());
}
