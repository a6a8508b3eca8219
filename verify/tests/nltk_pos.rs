//! Differential test: `pos_tag(word_tokenize(text))` against NLTK 3.10's `pos_tag` over the
//! golden corpus (see `tests/data/nltk/README.md`).
#![cfg(feature = "pos-tagger")]

mod common;

use common::nltk_golden::{corpus, fnv, read_jsonl_gz};
use hir_verify::text::pos::pos_tag;
use hir_verify::text::treebank::word_tokenize;

#[test]
fn pos_tag_matches_nltk() {
    let texts = corpus();
    let gold = read_jsonl_gz("pos.jsonl.gz");
    assert_eq!(texts.len(), gold.len(), "corpus and golden row counts");
    let mut failures = Vec::new();
    let mut tokens_tagged = 0;
    for (i, (t, g)) in texts.iter().zip(&gold).enumerate() {
        let words = word_tokenize(t);
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        let tags = pos_tag(&refs);
        assert_eq!(tags.len(), refs.len());
        tokens_tagged += tags.len();
        if fnv(&tags) != g["p"] {
            failures.push(format!("case {i}: tags {:?}\n  tokens {refs:?}", tags));
        }
    }
    println!(
        "pos_tag: compared {} texts ({tokens_tagged} tokens) against NLTK, {} differ",
        texts.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{}",
        failures
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
