//! The built-in suite: determinism, well-formedness, satisfiability, the split, the teacher.

use hir::demo_world::bank::{EVAL_TOPICS, TOPICS};
use hir::demo_world::build::{proof_seed, MAX_CONSTRAINTS, MIN_CONSTRAINTS};
use hir::demo_world::teacher::topic_of;
use hir::demo_world::{
    builtin_suite, imperfect_response, perfect_response, verify, Family, EVAL_SIZE, TRAIN_SIZE,
};
use hir_core::instruct::{Instruction, Layout};
use hir_core::rng::Rng;
use std::collections::{BTreeMap, BTreeSet};

/// Everything that defines an instruction: task, layout, rendered prompt, ids and kwargs.
fn fingerprint(i: &Instruction) -> String {
    let cs: Vec<String> = i
        .constraints
        .iter()
        .map(|c| format!("{}{:?}", c.constraint.id(), c.constraint.kwargs()))
        .collect();
    format!("{}|{:?}|{}|{}", i.task, i.layout, i.render(), cs.join(";"))
}

#[test]
fn same_seed_same_suite_other_seed_other_suite() {
    let a = builtin_suite(0);
    let b = builtin_suite(0);
    let c = builtin_suite(1);
    assert_eq!(a.train.len(), TRAIN_SIZE);
    assert_eq!(a.eval.len(), EVAL_SIZE);
    let fa: Vec<String> = a.train.iter().chain(&a.eval).map(fingerprint).collect();
    let fb: Vec<String> = b.train.iter().chain(&b.eval).map(fingerprint).collect();
    let fc: Vec<String> = c.train.iter().chain(&c.eval).map(fingerprint).collect();
    assert_eq!(fa, fb);
    let same = fa.iter().zip(&fc).filter(|(x, y)| x == y).count();
    assert!(same < 5, "seeds 0 and 1 share {same} instructions");
}

#[test]
fn instructions_are_well_formed() {
    let s = builtin_suite(0);
    let mut layouts = BTreeSet::new();
    let mut counts = BTreeMap::new();
    let mut families_seen = BTreeSet::new();
    for i in s.train.iter().chain(&s.eval) {
        let n = i.constraints.len();
        assert!(
            (MIN_CONSTRAINTS..=MAX_CONSTRAINTS).contains(&n),
            "{n} constraints"
        );
        *counts.entry(n).or_insert(0) += 1;
        layouts.insert(i.layout.number());
        let fams: Vec<Family> = i
            .constraints
            .iter()
            .map(|c| Family::from_id(c.constraint.id()).expect("a suite family"))
            .collect();
        for (a, fa) in fams.iter().enumerate() {
            families_seen.insert(*fa);
            for fb in &fams[a + 1..] {
                assert!(!fa.conflicts_with(*fb), "{fa:?} with {fb:?}");
            }
        }
        // The prompt carries every constraint's describe() text and the task.
        let prompt = i.render();
        assert!(prompt.contains(&i.task));
        for c in &i.constraints {
            assert_eq!(c.text, c.constraint.describe());
            assert!(prompt.contains(c.text.trim_end_matches('.')), "{prompt}");
        }
        assert!(topic_of(&i.task).is_some(), "{}", i.task);
    }
    assert_eq!(layouts.len(), Layout::ALL.len());
    assert_eq!(counts.len(), MAX_CONSTRAINTS - MIN_CONSTRAINTS + 1);
    assert_eq!(families_seen.len(), Family::ALL.len());
}

#[test]
fn every_instruction_is_satisfiable_by_the_perfect_teacher() {
    let s = builtin_suite(0);
    for (k, i) in s.train.iter().chain(&s.eval).enumerate() {
        // The suite keeps an instruction only if this response (the teacher's choices seeded
        // by the prompt text) satisfies it; re-check with the real checkers here.
        let r = perfect_response(i, proof_seed(i));
        let judge = verify(i, &r);
        assert!(
            judge.iter().all(|&j| j),
            "instruction {k} not satisfied {judge:?}:\n{}\n---\n{r}",
            i.render()
        );
    }
}

#[test]
fn eval_split_is_held_out() {
    for seed in [0, 7] {
        let s = builtin_suite(seed);
        let topics = |v: &[Instruction]| -> BTreeSet<&str> {
            v.iter().filter_map(|i| topic_of(&i.task)).collect()
        };
        let (tt, et) = (topics(&s.train), topics(&s.eval));
        assert_eq!(et.len(), EVAL_TOPICS);
        assert!(tt.len() <= TOPICS.len() - EVAL_TOPICS);
        assert!(
            tt.is_disjoint(&et),
            "shared topics {:?}",
            tt.intersection(&et)
        );
        let tasks: BTreeSet<&str> = s.train.iter().map(|i| i.task.as_str()).collect();
        assert!(s.eval.iter().all(|i| !tasks.contains(i.task.as_str())));
    }
}

#[test]
fn teacher_verdicts_are_the_checkers_and_follow_rates_fit() {
    let s = builtin_suite(0);
    let mut rng = Rng::new(3);
    // Per family: (followed, followed and held, ignored, ignored and held).
    let mut stats: BTreeMap<Family, [usize; 4]> = BTreeMap::new();
    let (mut dense, mut success, mut n) = (0.0, 0, 0);
    for i in &s.train {
        for _ in 0..4 {
            let r = imperfect_response(i, &mut rng);
            assert_eq!(r.judge, verify(i, &r.text));
            assert_eq!(r.followed.len(), i.constraints.len());
            for ((c, &f), &ok) in i.constraints.iter().zip(&r.followed).zip(&r.judge) {
                let e = stats
                    .entry(Family::from_id(c.constraint.id()).expect("family"))
                    .or_default();
                let base = if f { 0 } else { 2 };
                e[base] += 1;
                e[base + 1] += usize::from(ok);
            }
            dense += f64::from(r.dense());
            success += usize::from(r.sparse());
            n += 1;
        }
    }
    for (f, [fol, fol_ok, ign, ign_ok]) in &stats {
        let rate = *fol as f64 / (fol + ign) as f64;
        let p = f64::from(f.teacher_follow_prob());
        assert!(
            (rate - p).abs() < 0.08,
            "{f:?}: followed {rate:.2}, p = {p}"
        );
        // Following nearly always works; ignoring a constraint usually breaks it (the length
        // band can hold by accident).
        assert!(*fol_ok as f64 >= 0.9 * *fol as f64, "{f:?}: {fol_ok}/{fol}");
        if *f != Family::NumberWords {
            assert!(
                (*ign_ok as f64) <= 0.1 * *ign as f64,
                "{f:?}: {ign_ok}/{ign}"
            );
        }
    }
    let (dense, success) = (dense / n as f64, success as f64 / n as f64);
    assert!((0.45..0.75).contains(&dense), "teacher dense {dense}");
    assert!((0.05..0.3).contains(&success), "teacher success {success}");
}
