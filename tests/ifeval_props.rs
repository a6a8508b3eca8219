//! Robustness of the IFEval checkers: no panic on arbitrary Unicode, empty input, 1 MB
//! responses or pathological markup, and checking time that grows about linearly.

use hir::core::constraint::registry::{build, ids, Suite};
use hir::core::constraint::{check_loose, Constraint, Kwargs};
use proptest::prelude::*;
use serde_json::json;
use std::time::{Duration, Instant};

/// Valid kwargs for every IFEval id (each id reads only its own names).
fn kwargs() -> Kwargs {
    json!({
        "keywords": ["alpha", "beta gamma"], "keyword": "the", "frequency": 3,
        "relation": "at least", "forbidden_words": ["delta", "#x"], "letter": "e",
        "let_frequency": 5, "let_relation": "less than", "language": "en", "num_sentences": 3,
        "num_paragraphs": 3, "num_words": 50, "nth_paragraph": 2, "first_word": "the",
        "num_placeholders": 2, "postscript_marker": "P.S.", "num_bullets": 2,
        "num_highlights": 2, "section_spliter": "Section", "num_sections": 2,
        "prompt_to_repeat": "Write a poem.", "end_phrase": "Any other questions?",
        "capital_frequency": 3, "capital_relation": "at least",
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}

fn all() -> Vec<Box<dyn Constraint>> {
    let kw = kwargs();
    ids(Suite::IfEval)
        .iter()
        .map(|id| build(Suite::IfEval, id, &kw, "Write a poem.").expect("builds"))
        .collect()
}

fn check_all(cs: &[Box<dyn Constraint>], text: &str) {
    for c in cs {
        let _ = c.check(text);
        let _ = check_loose(c.as_ref(), text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn no_panic_on_arbitrary_unicode(s in "\\PC*") {
        check_all(&all(), &s);
    }

    #[test]
    fn no_panic_on_markup_soup(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("*"), Just("**"), Just("***"), Just("******"), Just("\n"), Just("\n\n"),
                Just("["), Just("]"), Just("<<"), Just(">>"), Just("\""), Just("```json"),
                Just("```"), Just("{"), Just("}"), Just("P.S."), Just("p. p. s"), Just("Section 1"),
                Just("- "), Just(" "), Just("é"), Just("ǅ"), Just("\u{0}"), Just("\u{1c}"),
                Just("#x"), Just("The"), Just("Mr."), Just("?"), Just("!"), Just("'"), Just("日本"),
            ],
            0..200,
        )
    ) {
        check_all(&all(), &parts.concat());
    }
}

#[test]
fn empty_and_blank_inputs() {
    let cs = all();
    for text in [
        "",
        " ",
        "\n",
        "\n\n\n",
        "\t \u{a0}",
        "*",
        "******",
        "\"",
        "```",
        "```json```",
    ] {
        check_all(&cs, text);
        for c in &cs {
            // The official loose mode never passes a blank variant.
            if text.trim().is_empty() {
                assert!(!check_loose(c.as_ref(), text), "{} on {text:?}", c.id());
            }
        }
    }
}

/// Pathological 1 MB inputs, each designed to stress one kind of scan.
fn megabyte_inputs() -> Vec<(&'static str, String)> {
    const MB: usize = 1 << 20;
    let rep = |unit: &str| unit.repeat(MB / unit.len());
    vec![
        ("open brackets", rep("[")),
        ("stars", rep("*")),
        ("star lines", rep("* a\n")),
        ("angle brackets", rep("<<")),
        (
            "nested json",
            format!("{}{}", "[".repeat(MB / 2), "]".repeat(MB / 2)),
        ),
        ("unclosed json", rep("{\"a\":[")),
        ("blank lines", rep("\n")),
        ("spaces", rep(" ")),
        ("quotes", rep("\"")),
        ("sections", rep("Section 1 ")),
        ("dots", rep(". ")),
        ("abbreviations", rep("Mr. A. B. ")),
        ("one long word", rep("a")),
        (
            "prose",
            rep("The quick brown fox, said Mr. Smith, jumps! Does it? YES. "),
        ),
        ("unicode", rep("日本語のテキスト。Ünïcödé ǅ ")),
    ]
}

#[test]
fn megabyte_responses_do_not_panic_and_finish() {
    let cs = all();
    for (name, text) in megabyte_inputs() {
        for c in &cs {
            let start = Instant::now();
            let _ = c.check(&text);
            let took = start.elapsed();
            assert!(
                took < Duration::from_secs(20),
                "{} on 1 MB of {name}: {took:?}",
                c.id()
            );
        }
    }
}

fn time_check(c: &dyn Constraint, text: &str) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let _ = c.check(text);
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

#[test]
fn checking_time_grows_about_linearly() {
    let cs = all();
    let unit = "Section 1\nThe *quick* brown fox, said Mr. Smith, jumps over [the] lazy dog! \
                Does it? YES.\n\n* point\n- dash <<title>> P.S. \"quoted\" ****** café 日本\n";
    let small = unit.repeat((1 << 17) / unit.len());
    let big = unit.repeat((1 << 20) / unit.len());
    for c in &cs {
        // 8x the input: linear is ~8x the time, quadratic ~64x. The machine may be busy, so a
        // failed measurement is retried before it counts.
        let mut last = (Duration::ZERO, Duration::ZERO);
        let linear = (0..3).any(|_| {
            let (ts, tb) = (time_check(c.as_ref(), &small), time_check(c.as_ref(), &big));
            last = (ts, tb);
            tb <= ts * 24 + Duration::from_millis(50)
        });
        assert!(
            linear,
            "{}: {:?} for 128 KiB but {:?} for 1 MiB",
            c.id(),
            last.0,
            last.1
        );
    }
}
