//! `hir_core::text::emoji::is_emoji` against `emoji.is_emoji` (emoji 2.16.0) on every
//! character of the response corpus, every `EMOJI_DATA` key and variants of it
//! (`data/lang/make_golden.py`).

mod lang_common;

use hir_core::text::emoji::is_emoji;

#[test]
fn is_emoji_matches_python_package() {
    let rows = lang_common::read_gz_jsonl("emoji.jsonl.gz");
    let mut mismatches = Vec::new();
    let mut positives = 0;
    for row in &rows {
        let s = row["s"].as_str().expect("string");
        let want = row["e"].as_bool().expect("bool");
        positives += usize::from(want);
        if is_emoji(s) != want {
            mismatches.push((s.to_owned(), want));
        }
    }
    println!(
        "emoji: compared {} strings ({positives} emoji), {} mismatches",
        rows.len(),
        mismatches.len()
    );
    for (s, want) in mismatches.iter().take(20) {
        println!("  {s:?}: want {want}");
    }
    assert!(rows.len() > 10_000);
    assert!(mismatches.is_empty());
}
