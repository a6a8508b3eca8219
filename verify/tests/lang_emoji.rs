//! `hir_verify::text::emoji::is_emoji` against `emoji.is_emoji` (emoji 2.16.0) on every
//! character of the response corpus, every `EMOJI_DATA` key and variants of it
//! (`data/lang/make_golden.py`).
#![cfg(feature = "emoji")]

mod lang_common;

use hir_verify::text::emoji::is_emoji;

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

/// Code-point spans of byte spans, to compare with Python's `match_start`/`match_end`.
fn char_spans(text: &str, spans: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let to_char = |b: usize| text[..b].chars().count();
    spans
        .iter()
        .map(|&(s, e)| (to_char(s), to_char(e)))
        .collect()
}

#[test]
fn emoji_list_matches_python_package() {
    use hir_verify::text::emoji::emoji_list;
    let rows = lang_common::read_gz_jsonl("emoji_list.jsonl.gz");
    let strings: Vec<String> = rows[0]
        .as_array()
        .expect("strings")
        .iter()
        .map(|v| v.as_str().expect("string").to_owned())
        .collect();
    let texts: Vec<String> = lang_common::responses()
        .into_iter()
        .chain(strings)
        .collect();
    assert_eq!(texts.len() + 1, rows.len(), "texts vs golden rows");
    let mut matches = 0;
    let mut mismatches = Vec::new();
    for (text, row) in texts.iter().zip(&rows[1..]) {
        let want: Vec<(usize, usize)> = row
            .as_array()
            .expect("spans")
            .iter()
            .map(|p| {
                let p = p.as_array().expect("span");
                (
                    p[0].as_u64().expect("start") as usize,
                    p[1].as_u64().expect("end") as usize,
                )
            })
            .collect();
        matches += want.len();
        let got = char_spans(text, &emoji_list(text));
        if got != want {
            mismatches.push((text.clone(), want, got));
        }
    }
    println!(
        "emoji_list: compared {} texts ({matches} emoji), {} mismatches",
        texts.len(),
        mismatches.len()
    );
    for (t, w, g) in mismatches.iter().take(10) {
        let short: String = t.chars().take(60).collect();
        println!("  {short:?}: want {w:?} got {g:?}");
    }
    assert!(mismatches.is_empty());
}
