//! Training-data files: the committed generated set, both row styles, and the errors on bad
//! input.

use hir::io::data::generated::generate_jsonl;
use hir::io::data::{parse_instructions, read_instructions, DataError};
use hir_core::hindsight::{rewrite, verify};
use hir_core::instruct::Layout;
use std::path::Path;

const COMMITTED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/data/ifeval_style_train.jsonl"
);

#[test]
fn committed_training_set_is_the_generator_output() {
    let committed = std::fs::read_to_string(COMMITTED).expect("committed data file");
    assert!(
        committed == generate_jsonl(384, 0),
        "assets/data/ifeval_style_train.jsonl differs from `hir data generate --count 384 --seed 0`"
    );
    let rows = read_instructions(Path::new(COMMITTED)).expect("every row parses");
    assert_eq!(rows.len(), 384);
    for (i, q) in rows.iter().enumerate() {
        let n = q.constraints.len();
        assert!((1..=4).contains(&n), "row {i}: {n} constraints");
        assert!(q.layout.is_rewritable(), "row {i}");
        let ids: Vec<&str> = q.constraints.iter().map(|c| c.constraint.id()).collect();
        let has = |id: &str| ids.contains(&id);
        assert!(
            !(has("change_case:english_lowercase") && has("startend:end_checker")),
            "row {i}"
        );
        assert!(
            !(has("startend:quotation") && has("detectable_format:title")),
            "row {i}"
        );
        let mut dedup = ids.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), n, "row {i}: repeated id");
    }
    // Different seeds give different sets; the same seed the same set.
    assert_ne!(generate_jsonl(8, 1), generate_jsonl(8, 0));
    assert_eq!(generate_jsonl(8, 5), generate_jsonl(8, 5));
}

#[test]
fn hir_style_rows_render_with_their_layout_and_rewrite() {
    let text = r#"{"task": "Write about rain.", "layout": "bullets", "constraints": [{"instruction_id": "punctuation:no_comma"}, {"instruction_id": "keywords:existence", "kwargs": {"keywords": ["umbrella"]}, "text": "Mention an umbrella."}]}"#;
    let rows = parse_instructions(Path::new("x.jsonl"), text).expect("valid row");
    let q = &rows[0];
    assert_eq!(q.layout, Layout::Bullets);
    assert_eq!(
        q.render(),
        "Write about rain.\n\n- In your entire response, refrain from the use of any commas.\n\
         - Mention an umbrella."
    );
    let v = verify(q, "Rain falls, softly.");
    assert_eq!(v.judge, vec![false, false]);
    let v = verify(q, "Rain falls softly");
    assert_eq!(v.judge, vec![true, false]);
    let rw = rewrite(q, &v.judge).expect("one of two kept");
    assert_eq!(
        rw.prompt,
        "Write about rain.\n\n- In your entire response, refrain from the use of any commas."
    );
}

#[test]
fn ifeval_format_rows_are_verbatim_and_not_rewritable() {
    let text = "\n{\"key\": 7, \"prompt\": \"Write a haiku about rain. Do not use any commas. Mention an umbrella.\", \"instruction_id_list\": [\"punctuation:no_comma\", \"keywords:existence\"], \"kwargs\": [{\"keywords\": null}, {\"keywords\": [\"umbrella\"], \"num_words\": null}]}\n\n";
    let rows = parse_instructions(Path::new("x.jsonl"), text).expect("valid row");
    let q = &rows[0];
    assert_eq!(q.layout, Layout::Embedded);
    assert_eq!(
        q.render(),
        "Write a haiku about rain. Do not use any commas. Mention an umbrella."
    );
    let v = verify(q, "Rain on my umbrella");
    assert_eq!(v.judge, vec![true, true]);
    let v = verify(q, "Rain, rain");
    assert_eq!(v.judge, vec![false, false]);
    let v = verify(q, "Rain rain");
    assert_eq!(v.judge, vec![true, false]);
    assert!(rewrite(q, &v.judge).is_none());
}

fn err(text: &str) -> String {
    match parse_instructions(Path::new("data/train.jsonl"), text) {
        Ok(_) => panic!("expected an error for {text:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_rows_name_the_file_line_and_field() {
    let e = err("{\"task\": \"x\", \"constraints\": []}\n{\"task\": \"x\", \"constraints\": [");
    assert!(
        e.starts_with("data/train.jsonl:2: malformed JSON at column"),
        "{e}"
    );
    let e = err(r#"{"task": "x", "constraints": [{"instruction_id": "no:such_id"}]}"#);
    assert!(
        e.contains("data/train.jsonl:1:") && e.contains("unknown instruction id `no:such_id`"),
        "{e}"
    );
    let e =
        err(r#"{"prompt": "x", "instruction_id_list": ["punctuation:no_comma"], "kwargs": []}"#);
    assert!(
        e.contains("`kwargs` has 0 entries but `instruction_id_list` has 1"),
        "{e}"
    );
    let e = err(r#"{"text": "x"}"#);
    assert!(e.contains("expected either `task` + `constraints`"), "{e}");
    let e = err(r#"{"task": 3, "constraints": []}"#);
    assert!(e.contains("field `task` should be a string"), "{e}");
    let e = err(r#"{"task": "x", "layout": 9, "constraints": []}"#);
    assert!(e.contains("field `layout`"), "{e}");
    let e = err(
        r#"{"task": "x", "constraints": [{"instruction_id": "length_constraints:number_words", "kwargs": {"relation": "about", "num_words": 3}}]}"#,
    );
    assert!(e.contains("field `constraints[0]` (IFEval)"), "{e}");
    let e = err("[1, 2]");
    assert!(
        e.contains("expected a JSON object (one instruction per line), found an array"),
        "{e}"
    );
    assert!(matches!(
        parse_instructions(Path::new("e.jsonl"), "\n \n"),
        Err(DataError::Empty { .. })
    ));
    let e = read_instructions(Path::new("/nonexistent/train.jsonl")).expect_err("missing");
    assert!(e.to_string().contains("/nonexistent/train.jsonl"), "{e}");
}
