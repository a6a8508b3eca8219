//! Property tests of every JSONL row parser (issue 11, "Done when" 2): random mutations of
//! valid rows (bytes replaced, ranges cut, text inserted, a field's value swapped for a random
//! JSON value) never make a parser panic; each row is either accepted or refused with a typed
//! error that names the file and line 1. Bounded case counts keep each property to seconds.
//!
//! Formats: training data (HIR style and IFEval format, `hir::io::data`), eval `input_data` and
//! `input_response_data` (`hir::eval::input`), replay input (`hir::replay`, then the
//! selection itself on what parses).

use hir::eval::EvalError;
use hir::replay::ReplayError;
use hir_core::hindsight::{Scope, SelectConfig};
use proptest::prelude::*;
use serde_json::Value;
use std::path::Path;

const HIR_ROW: &str = r#"{"task": "Write a short story about a lighthouse keeper.", "layout": 3, "suite": "ifeval", "constraints": [{"instruction_id": "length_constraints:number_words", "kwargs": {"relation": "less than", "num_words": 120}}, {"instruction_id": "change_case:english_lowercase", "text": "all lowercase"}, {"instruction_id": "keywords:existence", "kwargs": {"keywords": ["sea", "light"]}}]}"#;
const IFEVAL_ROW: &str = r#"{"prompt": "Write a haiku about rain. Do not use any commas.", "instruction_id_list": ["punctuation:no_comma", "detectable_format:number_bullet_lists", "startend:end_checker"], "kwargs": [{}, {"num_bullets": 2}, {"end_phrase": "That is all."}]}"#;
const PROMPT_ROW: &str = r#"{"key": 1001, "prompt": "Write a letter. Use at least 3 highlighted sections.", "instruction_id_list": ["detectable_format:number_highlighted_sections", "keywords:frequency"], "kwargs": [{"num_highlights": 3}, {"keyword": "river", "frequency": 2, "relation": "at least"}]}"#;
const RESPONSE_ROW: &str = r#"{"prompt": "Write a letter. Use at least 3 highlighted sections.", "response": "*a* *b* *c* river river"}"#;
const GROUP_ROW: &str = r#"{"id": "g1", "task": "Write.", "layout": "bullets", "constraints": [{"instruction_id": "punctuation:no_comma"}, {"instruction_id": "change_case:english_lowercase"}, {"instruction_id": "detectable_format:title"}], "responses": [{"text": "hello, there", "entropy": 0.5}, {"text": "<<t>> hello there", "entropy": 0.25}, {"text": "Hello there", "entropy": 3.75}]}"#;

/// A random JSON value, nested a little.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop_oneof![
            Just(-1.0f64),
            Just(0.0),
            Just(1e308),
            Just(-0.0),
            Just(5e-324)
        ]
        .prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "punctuation:no_comma",
            "keywords:existence",
            "ifbench",
            "ifeval",
            "nope:id",
            "",
            "less than",
            "at least",
        ])
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{0,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every path (object keys and array indices) inside `v`.
fn paths(v: &Value, prefix: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                prefix.push(PathStep::Key(k.clone()));
                paths(x, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                prefix.push(PathStep::Index(i));
                paths(x, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn at_mut<'a>(v: &'a mut Value, path: &[PathStep]) -> &'a mut Value {
    path.iter().fold(v, |v, step| match step {
        PathStep::Key(k) => &mut v[k.as_str()],
        PathStep::Index(i) => &mut v[*i],
    })
}

/// How one valid row is damaged.
#[derive(Clone, Debug)]
enum Mutation {
    /// The value at the `n`-th path (mod the number of paths) becomes `value`.
    Replace(usize, Value),
    /// The value at the `n`-th path is removed from its object or array.
    Remove(usize),
    /// Byte `at` (mod length) becomes `byte`.
    Byte(usize, u8),
    /// Bytes `[at, at + len)` are cut.
    Cut(usize, usize),
    /// `text` is inserted at byte `at`.
    Insert(usize, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<usize>(), json_value()).prop_map(|(n, v)| Mutation::Replace(n, v)),
        1 => any::<usize>().prop_map(Mutation::Remove),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Byte(a, b)),
        1 => (any::<usize>(), 0usize..40).prop_map(|(a, l)| Mutation::Cut(a, l)),
        1 => (any::<usize>(), "[\\[\\]{}\":,0-9a-z\\\\ \n\u{0}é]{0,8}").prop_map(|(a, t)| Mutation::Insert(a, t)),
    ]
}

/// Applies `ms` to the valid row `row`; the result may not be UTF-8 (the readers see bytes).
fn mutate(row: &str, ms: &[Mutation]) -> Vec<u8> {
    let mut v: Value = serde_json::from_str(row).expect("valid row");
    let mut bytes_ops = Vec::new();
    for m in ms {
        let mut all = Vec::new();
        paths(&v, &mut Vec::new(), &mut all);
        match m {
            Mutation::Replace(n, x) => *at_mut(&mut v, &all[n % all.len()]) = x.clone(),
            Mutation::Remove(n) => {
                let p = &all[n % all.len()];
                if let Some((last, parent)) = p.split_last() {
                    match (at_mut(&mut v, parent), last) {
                        (Value::Object(o), PathStep::Key(k)) => {
                            o.remove(k);
                        }
                        (Value::Array(a), PathStep::Index(i)) => {
                            a.remove(*i);
                        }
                        _ => {}
                    }
                }
            }
            other => bytes_ops.push(other.clone()),
        }
    }
    let mut bytes = v.to_string().into_bytes();
    for m in bytes_ops {
        let n = bytes.len().max(1);
        match m {
            Mutation::Byte(a, b) if !bytes.is_empty() => bytes[a % n] = b,
            Mutation::Cut(a, l) => {
                let start = (a % n).min(bytes.len());
                let end = (start + l).min(bytes.len());
                bytes.drain(start..end);
            }
            Mutation::Insert(a, t) => {
                let at = (a % n).min(bytes.len());
                bytes.splice(at..at, t.into_bytes());
            }
            _ => {}
        }
    }
    bytes
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(), 1..4)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        max_shrink_iters: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Writes `bytes` as a one-line file in a fresh temp dir.
fn one_line_file(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rows.jsonl");
    let mut b = bytes.to_vec();
    b.push(b'\n');
    std::fs::write(&path, b).unwrap();
    (dir, path)
}

/// An error must name `path` and a line (`path:N:` or `` `path`:N: ``; a mutation may insert
/// newlines, so N is not always 1).
fn assert_located(msg: &str, path: &Path) {
    let p = path.display().to_string();
    let located = msg.match_indices(&p).any(|(i, _)| {
        let rest = &msg[i + p.len()..];
        let rest = rest.strip_prefix('`').unwrap_or(rest);
        rest.strip_prefix(':').is_some_and(|r| {
            let digits = r.chars().take_while(char::is_ascii_digit).count();
            digits > 0 && r[digits..].starts_with(':')
        })
    });
    assert!(located, "error without its file and line: {msg}");
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn training_rows_never_panic(style in 0usize..2, ms in mutations()) {
        let row = [HIR_ROW, IFEVAL_ROW][style];
        let bytes = mutate(row, &ms);
        let (_dir, path) = one_line_file(&bytes);
        match hir::io::data::read_instructions(&path) {
            Ok(rows) => {
                for r in &rows {
                    // What parses renders and verifies.
                    let _ = hir_core::hindsight::verify(r, "some response, with text");
                    let _ = r.render();
                }
            }
            Err(hir::io::data::DataError::Line(e)) => {
                prop_assert!(e.line >= 1, "{e}");
                prop_assert_eq!(&e.path, &path);
                prop_assert!(!e.message.is_empty());
            }
            Err(hir::io::data::DataError::Input(e)) => {
                // Only text that is not UTF-8 fails before the JSON parse.
                prop_assert!(e.to_string().contains("not valid UTF-8"), "{e}");
                assert_located(&e.to_string(), &path);
            }
            Err(hir::io::data::DataError::Empty { .. }) => {}
        }
    }

    #[test]
    fn eval_prompt_rows_never_panic(ms in mutations()) {
        let bytes = mutate(PROMPT_ROW, &ms);
        let (_dir, path) = one_line_file(&bytes);
        let responses = path.with_file_name("responses.jsonl");
        std::fs::write(&responses, format!("{RESPONSE_ROW}\n")).unwrap();
        match hir::eval::evaluate(hir::eval::Suite::IfEval, &path, &responses) {
            Ok(ev) => prop_assert_eq!(ev.strict.len(), ev.loose.len()),
            Err(e @ (EvalError::Malformed { .. } | EvalError::Instruction { .. })) => {
                assert_located(&e.to_string(), &path);
            }
            Err(EvalError::Input { flag, source }) => {
                prop_assert_eq!(flag, "--input_data");
                prop_assert!(source.to_string().contains("not valid UTF-8"), "{source}");
            }
            Err(EvalError::MissingResponse(m)) => prop_assert_eq!(&m.prompts, &path),
            Err(EvalError::Empty { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }

    #[test]
    fn eval_response_rows_never_panic(ms in mutations()) {
        let bytes = mutate(RESPONSE_ROW, &ms);
        let (_dir, path) = one_line_file(&bytes);
        match hir::eval::input::read_prompt_to_response(&path) {
            Ok(map) => prop_assert!(map.len() <= 1),
            Err(e @ EvalError::Malformed { .. }) => assert_located(&e.to_string(), &path),
            Err(EvalError::Input { flag, source }) => {
                prop_assert_eq!(flag, "--input_response_data");
                prop_assert!(source.to_string().contains("not valid UTF-8"), "{source}");
            }
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }

    #[test]
    fn replay_rows_never_panic(
        ms in mutations(),
        step in prop_oneof![Just(0u64), Just(1), Just(1022), Just(1023), Just(u64::MAX), any::<u64>()],
        eta in prop_oneof![Just(0.0f64), Just(0.05), Just(1.0), Just(f64::NAN), Just(-1.0), Just(f64::INFINITY), any::<f64>()],
        lambda0 in prop_oneof![Just(2.0f64), Just(0.0), Just(f64::MAX), any::<f64>()],
        k in 0usize..4,
        global in any::<bool>(),
    ) {
        let bytes = mutate(GROUP_ROW, &ms);
        let (_dir, path) = one_line_file(&bytes);
        let cfg = SelectConfig {
            k,
            scope: if global { Scope::Global } else { Scope::Group },
            lambda0,
            eta,
        };
        match hir::replay::replay_file(&path, step, &cfg) {
            Ok(out) => {
                // Parameters that pass give finite scores on every eligible row.
                for r in &out.rows {
                    if let Some(s) = r.score {
                        prop_assert!(s.is_finite(), "score {s} at step {step}, η {eta}, λ0 {lambda0}");
                    }
                    let line = r.to_json_line();
                    prop_assert!(!line.contains("\"score\":null") || r.score.is_none());
                }
                prop_assert!(step >= 1);
            }
            Err(ReplayError::Line(e)) => {
                prop_assert!(e.line >= 1, "{e}");
                prop_assert_eq!(&e.path, &path);
            }
            Err(ReplayError::Input(e)) => {
                prop_assert!(e.to_string().contains("not valid UTF-8"), "{e}")
            }
            Err(ReplayError::Config(m)) => prop_assert!(m.contains("--"), "{m}"),
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }
}

#[test]
fn the_unmutated_rows_are_valid() {
    for row in [HIR_ROW, IFEVAL_ROW] {
        let (_d, p) = one_line_file(row.as_bytes());
        assert_eq!(hir::io::data::read_instructions(&p).unwrap().len(), 1);
    }
    let (_d, p) = one_line_file(PROMPT_ROW.as_bytes());
    let r = p.with_file_name("r.jsonl");
    std::fs::write(&r, RESPONSE_ROW).unwrap();
    assert_eq!(
        hir::eval::evaluate(hir::eval::Suite::IfEval, &p, &r)
            .unwrap()
            .strict
            .len(),
        1
    );
    let (_d, p) = one_line_file(GROUP_ROW.as_bytes());
    let out = hir::replay::replay_file(&p, 1, &SelectConfig::default()).unwrap();
    assert_eq!(out.rows.len(), 3);
}
