//! The hard world: determinism, sizes and part labels, 5–8 compatible constraints, the
//! held-out pairs and families kept out of training, satisfiability under the real checkers,
//! and the embedded hard policy.

mod common;

use hir::demo_world::bank::{
    BULLET_ITEMS, FILLERS, FREQUENCY_SENTENCE, FREQUENCY_WORDS, KEYWORDS, KEYWORD_SENTENCES,
    PLACEHOLDER_SENTENCES, POSTSCRIPT_TEXTS, SENTENCES, TASKS, TITLES, TOPICS,
};
use hir::demo_world::build::proof_seed;
use hir::demo_world::hard::suite::{
    families_of, has_held_out_pair, HARD_ID_SIZE, HARD_MAX_CONSTRAINTS, HARD_MIN_CONSTRAINTS,
    HARD_OOD_COMBO_SIZE, HARD_OOD_FAMILY_SIZE, HARD_TRAIN_SIZE,
};
use hir::demo_world::hard::{hard_suite, HardSuite, HARD_PARTS, HELD_OUT_PAIRS};
use hir::demo_world::teacher::topic_of;
use hir::demo_world::{imperfect_response, perfect_response, verify, Family};
use hir_core::instruct::Instruction;
use hir_core::rng::Rng;
use std::collections::BTreeSet;
use std::sync::OnceLock;

fn suite0() -> &'static HardSuite {
    static S: OnceLock<HardSuite> = OnceLock::new();
    S.get_or_init(|| hard_suite(0))
}

fn fingerprint(i: &Instruction) -> String {
    let cs: Vec<String> = i
        .constraints
        .iter()
        .map(|c| format!("{}{:?}", c.constraint.id(), c.constraint.kwargs()))
        .collect();
    format!("{}|{:?}|{}|{}", i.task, i.layout, i.render(), cs.join(";"))
}

fn families(i: &Instruction) -> Vec<Family> {
    families_of(i)
        .into_iter()
        .map(|f| f.expect("a hard-world family"))
        .collect()
}

#[test]
fn same_seed_same_suite() {
    let a = suite0();
    let b = hard_suite(0);
    let fa: Vec<String> = a.train.iter().chain(&a.eval).map(fingerprint).collect();
    let fb: Vec<String> = b.train.iter().chain(&b.eval).map(fingerprint).collect();
    assert_eq!(fa, fb);
    assert_eq!(a.parts, b.parts);
}

#[test]
fn sizes_and_part_labels() {
    let s = suite0();
    assert_eq!(s.train.len(), HARD_TRAIN_SIZE);
    assert_eq!(HARD_TRAIN_SIZE, 1024);
    assert_eq!(
        s.eval.len(),
        HARD_ID_SIZE + HARD_OOD_COMBO_SIZE + HARD_OOD_FAMILY_SIZE
    );
    assert!(s.eval.len() >= 1000);
    assert_eq!(s.parts.len(), s.eval.len());
    let mut expected = vec!["id"; HARD_ID_SIZE];
    expected.extend(vec!["ood_combo"; HARD_OOD_COMBO_SIZE]);
    expected.extend(vec!["ood_family"; HARD_OOD_FAMILY_SIZE]);
    assert_eq!(s.parts, expected);
    assert_eq!(HARD_PARTS, ["id", "ood_combo", "ood_family"]);
}

#[test]
fn five_to_eight_compatible_constraints() {
    let s = suite0();
    let mut counts = BTreeSet::new();
    for i in s.train.iter().chain(&s.eval) {
        let f = families(i);
        assert!(
            (HARD_MIN_CONSTRAINTS..=HARD_MAX_CONSTRAINTS).contains(&f.len()),
            "{} constraints",
            f.len()
        );
        counts.insert(f.len());
        for (a, fa) in f.iter().enumerate() {
            for fb in &f[a + 1..] {
                assert!(!fa.conflicts_with(*fb), "{fa:?} with {fb:?}");
            }
        }
    }
    assert_eq!(counts, (5..=8).collect::<BTreeSet<_>>());
}

#[test]
fn held_out_pairs_and_families_never_in_training() {
    let s = suite0();
    let mut train_families = BTreeSet::new();
    for i in &s.train {
        let f = families(i);
        assert!(
            !has_held_out_pair(&f),
            "training holds a held-out pair: {f:?}"
        );
        train_families.extend(f);
    }
    for f in Family::OOD {
        assert!(!train_families.contains(&f), "{f:?} in training");
    }
    // Every training family is trained on.
    assert_eq!(
        train_families,
        Family::ALL.into_iter().collect::<BTreeSet<_>>()
    );
    assert!(Family::OOD.len() >= 2);
}

#[test]
fn each_part_has_its_axis_of_novelty() {
    let s = suite0();
    let train_topics: BTreeSet<&str> = s.train.iter().filter_map(|i| topic_of(&i.task)).collect();
    let mut pairs_seen = BTreeSet::new();
    let mut ood_seen = BTreeSet::new();
    for (i, part) in s.eval.iter().zip(&s.parts) {
        let topic = topic_of(&i.task).expect("a topic");
        assert!(
            !train_topics.contains(topic),
            "held-out topic {topic} in training"
        );
        let f = families(i);
        let ood: Vec<Family> = f
            .iter()
            .copied()
            .filter(|f| Family::OOD.contains(f))
            .collect();
        match *part {
            "id" => {
                assert!(!has_held_out_pair(&f));
                assert!(ood.is_empty());
            }
            "ood_combo" => {
                assert!(
                    has_held_out_pair(&f),
                    "ood_combo item without a held-out pair"
                );
                assert!(ood.is_empty());
                for (a, b) in HELD_OUT_PAIRS {
                    if f.contains(&a) && f.contains(&b) {
                        pairs_seen.insert((a, b));
                    }
                }
            }
            "ood_family" => {
                assert!(!ood.is_empty(), "ood_family item without an OOD family");
                ood_seen.extend(ood);
            }
            other => panic!("unknown part {other}"),
        }
    }
    assert_eq!(pairs_seen.len(), HELD_OUT_PAIRS.len());
    assert_eq!(ood_seen.len(), Family::OOD.len());
}

#[test]
fn every_instruction_is_satisfiable() {
    let s = suite0();
    for i in s.train.iter().chain(&s.eval) {
        let r = perfect_response(i, proof_seed(i));
        let v = verify(i, &r);
        assert!(v.iter().all(|&ok| ok), "{}\n---\n{r}\n{v:?}", i.render());
    }
}

#[test]
fn new_family_words_cannot_pass_by_accident() {
    // keywords:frequency counts case-insensitive substrings: its words occur nowhere else.
    let mut texts: Vec<String> = Vec::new();
    texts.extend(TOPICS.iter().map(|s| s.to_lowercase()));
    texts.extend(TASKS.iter().map(|s| s.to_lowercase()));
    texts.extend(FILLERS.iter().map(|s| s.to_string()));
    texts.extend(KEYWORDS.iter().map(|s| s.to_string()));
    for pool in [
        &SENTENCES[..],
        &KEYWORD_SENTENCES[..],
        &PLACEHOLDER_SENTENCES[..],
        &POSTSCRIPT_TEXTS[..],
        &TITLES[..],
        &BULLET_ITEMS[..],
        &[FREQUENCY_SENTENCE][..],
    ] {
        texts.extend(pool.iter().map(|s| s.to_lowercase()));
    }
    for w in FREQUENCY_WORDS {
        assert!(!texts.iter().any(|t| t.contains(w)), "{w} occurs in a pool");
    }
    // Bullet items carry no filler, keyword or comma.
    for b in BULLET_ITEMS {
        assert!(!b.contains(','));
        let words: Vec<String> = b
            .split(|c: char| !c.is_alphanumeric())
            .map(str::to_lowercase)
            .collect();
        for w in FILLERS.iter().chain(&KEYWORDS) {
            assert!(!words.iter().any(|x| x == w), "{w} in bullet {b}");
        }
    }
}

#[test]
fn teacher_rarely_satisfies_everything() {
    let s = suite0();
    let mut rng = Rng::new(7);
    let n = s.train.len();
    let ok = s
        .train
        .iter()
        .filter(|i| imperfect_response(i, &mut rng).sparse())
        .count();
    let rate = ok as f64 / n as f64;
    eprintln!("teacher success on the hard training split: {rate:.3}");
    assert!(rate < 0.1, "teacher success {rate}");
}

#[test]
fn embedded_hard_policy_loads_and_every_prompt_fits() {
    use hir::demo_world::World;
    use hir::run::demo_job::{
        world_config, world_data, world_eval_parts, HARD_MAX_PROMPT_LENGTH,
        HARD_MAX_RESPONSE_LENGTH,
    };
    use hir_core::instruct::ChatCodec;
    let (config, params, codec) = hir::demo_world::hard::policy::hard_policy().expect("loads");
    assert_eq!(config.vocab_size, codec.vocab_size());
    assert_eq!(
        params.tensors().iter().map(|t| t.len()).sum::<usize>(),
        hir_core::model::param_count(&config)
    );
    let data = world_data(World::Hard).expect("hard world data");
    let s = suite0();
    assert_eq!(data.train.len(), s.train.len());
    assert_eq!(data.eval.len(), s.eval.len());
    assert_eq!(world_eval_parts(World::Hard).expect("parts"), s.parts);
    let cfg = world_config(World::Hard);
    assert_eq!(cfg.max_prompt_length, HARD_MAX_PROMPT_LENGTH);
    assert_eq!(cfg.max_response_length, HARD_MAX_RESPONSE_LENGTH);
    assert_eq!(
        (cfg.train_batch_size, cfg.rollout_n, cfg.ppo_mini_batch_size),
        (16, 6, 8)
    );
    for i in s.train.iter().chain(&s.eval) {
        let ids = codec.encode_prompt(&i.render()).expect("encodes");
        assert!(
            ids.len() <= HARD_MAX_PROMPT_LENGTH,
            "{} prompt tokens",
            ids.len()
        );
    }
    // The default world is untouched by --world: all of its held-out items are "id".
    let parts = world_eval_parts(World::Default).expect("parts");
    assert_eq!(parts, vec!["id"; hir::demo_world::EVAL_SIZE]);
}

#[test]
fn world_with_model_is_refused_naming_both_flags() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hir"))
        .args(["train", "--world", "hard", "--model", "no-such-model"])
        .output()
        .expect("runs hir");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--world hard with --model"), "{err}");
}

/// `hir train --resume` of a hard-world run finds its world from the checkpoint (no `--world`
/// needed) and continues bit for bit as an uninterrupted run; naming the other world is
/// refused.
#[test]
fn resume_finds_the_hard_world_from_the_checkpoint() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (whole, split) = (tmp.path().join("whole"), tmp.path().join("split"));
    let quick = ["--eval-max-tokens", "1", "--quiet"];
    let run = |extra: &[&str]| {
        let mut args: Vec<&str> = vec!["train"];
        args.extend(extra);
        args.extend(quick);
        common::hir_ok(&args)
    };
    run(&[
        "--world",
        "hard",
        "--steps",
        "2",
        "--run-dir",
        whole.to_str().unwrap(),
    ]);
    run(&[
        "--world",
        "hard",
        "--steps",
        "1",
        "--run-dir",
        split.to_str().unwrap(),
    ]);
    run(&["--resume", split.to_str().unwrap(), "--steps", "2"]);
    assert_eq!(
        common::metrics_without_timing(&whole),
        common::metrics_without_timing(&split)
    );
    let wrong = std::process::Command::new(env!("CARGO_BIN_EXE_hir"))
        .args([
            "train",
            "--resume",
            split.to_str().unwrap(),
            "--world",
            "default",
        ])
        .args(["--steps", "3"])
        .output()
        .expect("run hir");
    assert!(!wrong.status.success());
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(err.contains("trains on the hard world"), "{err}");
}
