//! Every deterministic verdict of the official IFEval checkers on two models' responses is
//! reproduced, strict and loose, and so are the official aggregate scores.

use hir::eval::input::read_prompt_list;
use hir::eval::{evaluate, Mode, Suite};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/ifeval")
        .join(name)
}

/// The official scores (prompt strict, prompt loose, instruction strict, instruction loose).
const OFFICIAL: [(&str, [f64; 4]); 2] = [
    (
        "input_response_data_llama_3b.jsonl",
        [0.7024, 0.7579, 0.7866, 0.8285],
    ),
    (
        "input_response_data_qwen25_7b.jsonl",
        [0.7283, 0.7468, 0.7986, 0.8141],
    ),
];

#[derive(Default)]
struct Tally {
    rows: usize,
    strict_ok: usize,
    loose_ok: usize,
}

#[test]
fn verdicts_and_scores_match_the_official_checkers() {
    let prompts = data("input_data.jsonl");
    let inputs = read_prompt_list(&prompts).expect("prompts");
    let verdicts = std::fs::read_to_string(data("verdicts.jsonl")).expect("verdicts");
    let mut by_source: HashMap<String, Vec<Value>> = HashMap::new();
    for line in verdicts.lines() {
        let v: Value = serde_json::from_str(line).expect("verdict row");
        by_source
            .entry(v["source"].as_str().expect("source").to_string())
            .or_default()
            .push(v);
    }

    let mut tally: BTreeMap<String, Tally> = BTreeMap::new();
    let mut mismatches = Vec::new();
    let mut nondeterministic = Vec::new();
    for (source, official) in OFFICIAL {
        let ev = evaluate(Suite::IfEval, &prompts, &data(source)).expect("evaluate");
        let index: HashMap<String, usize> = inputs
            .iter()
            .enumerate()
            .map(|(i, inp)| (inp.key.to_string(), i))
            .collect();
        for row in &by_source[source] {
            let i = index[&row["key"].to_string()];
            let idx = row["idx"].as_u64().expect("idx") as usize;
            let id = row["instruction_id"].as_str().expect("id").to_string();
            assert_eq!(ev.strict[i].instruction_id_list[idx], id);
            let strict = ev.strict[i].follow_instruction_list[idx];
            let loose = ev.loose[i].follow_instruction_list[idx];
            let (want_strict, want_loose) = (row["strict"] == true, row["loose"] == true);
            if row.get("deterministic") == Some(&Value::Bool(false)) {
                nondeterministic.push(format!(
                    "{source} key {} {id}: ours strict={strict} loose={loose}, official \
                     strict values seen {}, loose values seen {}",
                    row["key"], row["strict_values_seen"], row["loose_values_seen"]
                ));
                continue;
            }
            let t = tally.entry(id.clone()).or_default();
            t.rows += 1;
            t.strict_ok += usize::from(strict == want_strict);
            t.loose_ok += usize::from(loose == want_loose);
            if strict != want_strict || loose != want_loose {
                mismatches.push(format!(
                    "{source} key {} idx {idx} {id}: strict ours {strict} official \
                     {want_strict}; loose ours {loose} official {want_loose}",
                    row["key"]
                ));
            }
        }
        let (s, l) = (ev.accuracy(Mode::Strict), ev.accuracy(Mode::Loose));
        let ours = [
            s.prompt_level,
            l.prompt_level,
            s.instruction_level,
            l.instruction_level,
        ];
        let rounded = ours.map(|x| (x * 1e4).round() / 1e4);
        println!("{source}: {rounded:?} (official {official:?})");
        mismatches.extend(
            rounded
                .iter()
                .zip(official)
                .filter(|(a, b)| (**a - *b).abs() > 1e-9)
                .map(|(a, b)| format!("{source}: aggregate {a} != official {b}")),
        );
    }
    for (id, t) in &tally {
        println!(
            "{id:48} rows {:3}  strict {:3}  loose {:3}",
            t.rows, t.strict_ok, t.loose_ok
        );
    }
    for n in &nondeterministic {
        println!("not asserted (langdetect is randomized): {n}");
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
