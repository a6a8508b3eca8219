//! Differential tests: `sent_tokenize`, `word_tokenize` and the `\w+` tokenizers against the
//! outputs of NLTK 3.10 itself over ~7,900 texts (real IFEval/IFBench model responses and
//! prompts, hand-written edge cases, seeded fuzz). See `tests/data/nltk/README.md`.

mod common;

use common::nltk_golden::{corpus, fnv, read_jsonl_gz};
use hir_verify::text::punkt::{sent_tokenize, PunktSentenceTokenizer};
use hir_verify::text::treebank::word_tokenize;
use hir_verify::text::words::{nltk_regexp_word_tokens, word_regex_tokens};

/// Byte offset -> code-point offset.
fn cp(text: &str, byte: usize) -> u64 {
    text[..byte].chars().count() as u64
}

fn check_all(what: &str, mut check: impl FnMut(&str, &serde_json::Value) -> Result<(), String>) {
    let texts = corpus();
    let gold = read_jsonl_gz("tokenize.jsonl.gz");
    assert_eq!(texts.len(), gold.len(), "corpus and golden row counts");
    let mut failures = Vec::new();
    for (i, (t, g)) in texts.iter().zip(&gold).enumerate() {
        if let Err(msg) = check(t, g) {
            failures.push(format!("case {i}: {msg}\n  text: {t:?}"));
        }
    }
    println!(
        "{what}: compared {} cases against NLTK, {} differ",
        texts.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{what}: {} of {} differ:\n{}",
        failures.len(),
        texts.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn sent_tokenize_matches_nltk() {
    let tok = PunktSentenceTokenizer::english();
    check_all("sent_tokenize", |t, g| {
        let want: Vec<[u64; 2]> =
            serde_json::from_value(g["s"].clone()).map_err(|e| e.to_string())?;
        let spans = tok.span_tokenize(t);
        let got: Vec<[u64; 2]> = spans.iter().map(|&(s, e)| [cp(t, s), cp(t, e)]).collect();
        let sents = sent_tokenize(t);
        let by_span: Vec<String> = spans.iter().map(|&(s, e)| t[s..e].to_string()).collect();
        if sents != by_span {
            return Err("sent_tokenize disagrees with span_tokenize".into());
        }
        if got == want {
            Ok(())
        } else {
            Err(format!("spans {got:?}, NLTK {want:?}"))
        }
    });
}

#[test]
fn word_tokenize_matches_nltk() {
    check_all("word_tokenize", |t, g| {
        let got = word_tokenize(t);
        if fnv(&got) == g["w"] {
            Ok(())
        } else {
            Err(format!("tokens {got:?}"))
        }
    });
}

#[test]
fn word_regex_tokens_match_python_re() {
    check_all("re.findall(r\"\\w+\")", |t, g| {
        let got = word_regex_tokens(t);
        if fnv(&got) == g["re"] {
            Ok(())
        } else {
            Err(format!("tokens {got:?}"))
        }
    });
}

#[test]
fn nltk_regexp_word_tokens_match_nltk() {
    check_all("RegexpTokenizer(r\"\\w+\")", |t, g| {
        let got = nltk_regexp_word_tokens(t);
        if fnv(&got) == g["rx"] {
            Ok(())
        } else {
            Err(format!("tokens {got:?}"))
        }
    });
}
