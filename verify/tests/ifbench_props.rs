//! Robustness of every IFBench checker: no panic on arbitrary Unicode, empty or blank input,
//! pathological markup or a 1 MB response, and time roughly linear in the response length.
//!
//! Needs the default language-tool features (every checker must be available).
#![cfg(all(feature = "pos-tagger", feature = "emoji", feature = "syllables"))]

use hir_verify::constraint::{check_loose, ifbench, Constraint, Kwargs};
use proptest::prelude::*;
use serde_json::json;
use std::time::{Duration, Instant};

/// Plausible kwargs for each id (IFBench style: every key the checker reads).
fn kwargs_for(id: &str) -> Kwargs {
    let v = match id {
        "count:word_count_range" => json!({"min_words": 10.0, "max_words": 200.0}),
        "count:unique_word_count" | "count:person_names" | "count:numbers" | "count:pronouns" => {
            json!({"N": 3.0})
        }
        "count:words_japanese" => json!({"N": 2.0}),
        "count:conjunctions" | "words:repeats" | "sentence:increment" => json!({"small_n": 2.0}),
        "count:keywords_multiple" => json!({
            "keyword1": "a", "keyword2": "b", "keyword3": "c", "keyword4": "d", "keyword5": "e"
        }),
        "ratio:stop_words" => json!({"percentage": 40.0}),
        "ratio:overlap" => {
            json!({"reference_text": "The quick brown fox jumps.", "percentage": 30.0})
        }
        "format:options" => json!({"options": "yes/no/maybe"}),
        "format:list" => json!({"sep": "-"}),
        "sentence:keyword" => json!({"word": "fox", "N": 2.0}),
        "words:keywords_specific_position" => json!({"keyword": "fox", "n": 1, "m": 2}),
        "words:words_position" => json!({"keyword": "fox"}),
        "repeat:repeat_change" => json!({"prompt_to_repeat": "Write a poem about the sea."}),
        "repeat:repeat_span" => json!({
            "prompt_to_repeat": "Write a poem about the sea and the sky.", "n_start": 1, "n_end": 4
        }),
        _ => json!({}),
    };
    v.as_object().cloned().unwrap_or_default()
}

fn all_constraints() -> Vec<Box<dyn Constraint>> {
    ifbench::IDS
        .iter()
        .map(|id| {
            ifbench::build(id, &kwargs_for(id), "prompt")
                .unwrap_or_else(|| panic!("{id} missing from build"))
                .unwrap_or_else(|e| panic!("{id}: {e}"))
        })
        .collect()
}

#[test]
fn every_id_builds_and_describes() {
    assert_eq!(ifbench::IDS.len(), 58);
    for c in all_constraints() {
        assert!(ifbench::IDS.contains(&c.id()));
        assert!(!c.describe().is_empty(), "{}", c.id());
        // Rebuilding from the constraint's own kwargs gives the same description.
        let again = ifbench::build(c.id(), &c.kwargs(), "prompt")
            .unwrap()
            .unwrap();
        assert_eq!(again.describe(), c.describe(), "{}", c.id());
    }
    assert!(ifbench::build("keywords:existence", &Kwargs::new(), "").is_none());
}

#[test]
fn missing_required_kwargs_are_errors() {
    for id in ifbench::IDS {
        if kwargs_for(id).is_empty() {
            continue;
        }
        let nulls: Kwargs = kwargs_for(id)
            .keys()
            .map(|k| (k.clone(), json!(null)))
            .collect();
        let err = ifbench::build(id, &nulls, "").unwrap().unwrap_err();
        assert!(err.to_string().contains(id), "{err}");
    }
}

#[test]
fn blank_responses_fail_strict_and_loose() {
    for c in all_constraints() {
        for r in ["", " ", "\n\n\t", "\u{3000}"] {
            assert!(!c.check(r), "{} passed {r:?}", c.id());
            assert!(
                !check_loose(c.as_ref(), r),
                "{} passed {r:?} (loose)",
                c.id()
            );
        }
    }
}

fn pathological() -> Vec<String> {
    vec![
        "(".repeat(5000) + &")".repeat(5000),
        "([{".repeat(3000),
        "\"'".repeat(5000),
        "<i><em></i></em>".repeat(2000),
        "Question 1.\nA. x\n".repeat(2000),
        "*-".repeat(5000),
        ".".repeat(10_000),
        "?!‽".repeat(3000),
        "\"\"\",,,\n\r\t".repeat(3000),
        "<prd><stop>Mr. U.S. He ".repeat(1000),
        "\u{301}\u{200d}🏳️‍🌈".repeat(3000),
        "\n \n  \n".repeat(3000),
        "Zimbabwe\n".repeat(100),
        "1769-02-30,".repeat(1000),
        "\0\u{feff}\u{10ffff}".repeat(1000),
    ]
}

#[test]
fn pathological_markup_does_not_panic() {
    let cs = all_constraints();
    for text in pathological() {
        for c in &cs {
            let _ = c.check(&text);
            let _ = check_loose(c.as_ref(), &text);
        }
    }
}

fn sample_text(bytes: usize) -> String {
    let unit = "The quick brown fox, Emma said, jumps over 12 lazy dogs! Is it 3.5 m? \
                \"Yes,\" 'no' (maybe [so]) — 日本語 🚀 naïve café.\n* bullet - sub\n";
    let mut s = String::with_capacity(bytes + unit.len());
    while s.len() < bytes {
        s.push_str(unit);
    }
    s
}

/// The fastest of three runs (the machine is shared; the minimum is the least noisy).
fn time_check(c: &dyn Constraint, text: &str) -> Duration {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            let _ = c.check(text);
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

#[test]
fn one_megabyte_is_fast_and_linear() {
    let small = sample_text(256 * 1024);
    let big = sample_text(1024 * 1024);
    for c in all_constraints() {
        let t_small = time_check(c.as_ref(), &small);
        let t_big = time_check(c.as_ref(), &big);
        // 4x the input: allow 12x the time (the machine is shared; caches). A quadratic
        // checker would also blow the absolute bound below at 1 MiB.
        let limit = t_small * 12 + Duration::from_millis(100);
        assert!(
            t_big <= limit,
            "{}: 256 KiB took {t_small:?}, 1 MiB took {t_big:?}",
            c.id()
        );
        assert!(
            t_big < Duration::from_secs(10),
            "{}: 1 MiB took {t_big:?}",
            c.id()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_unicode_never_panics(s in "\\PC{0,200}", t in any::<String>()) {
        for c in all_constraints() {
            let _ = c.check(&s);
            let _ = check_loose(c.as_ref(), &s);
            let _ = c.check(&t);
        }
    }

    #[test]
    fn markup_soup_never_panics(s in "[()\\[\\]{}\"'*\\-.,!?;:<>/ \n\t\r0-9aA-Z|Question ]{0,300}") {
        for c in all_constraints() {
            let _ = c.check(&s);
            let _ = check_loose(c.as_ref(), &s);
        }
    }
}
