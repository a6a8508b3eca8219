//! Verification with the real IFEval verifiers, the replay plan (group ids, re-verification),
//! and property tests of select + rewrite + plan on random batches.

use std::sync::Arc;

use hir_core::constraint::registry::{self, Suite};
use hir_core::constraint::{Constraint, Kwargs};
use hir_core::hindsight::{
    plan_replays, rewrite, select, select_in_batch, verify, Candidate, GroupRollouts, Scope,
    SelectConfig, Verdict,
};
use hir_core::instruct::{Instruction, InstructionConstraint, Layout};
use proptest::prelude::*;

fn ifeval(id: &str, kwargs: serde_json::Value) -> InstructionConstraint {
    let kwargs: Kwargs = kwargs.as_object().cloned().unwrap_or_default();
    let c = registry::build(Suite::IfEval, id, &kwargs, "").expect("valid IFEval constraint");
    InstructionConstraint::new(Arc::from(c))
}

/// no comma; the keyword "apple"; a <<title>>.
fn apple_instruction(task: &str, layout: Layout) -> Instruction {
    Instruction {
        task: task.into(),
        constraints: vec![
            ifeval("punctuation:no_comma", serde_json::json!({})),
            ifeval(
                "keywords:existence",
                serde_json::json!({"keywords": ["apple"]}),
            ),
            ifeval("detectable_format:title", serde_json::json!({})),
        ],
        layout,
    }
}

#[test]
fn verdicts_of_real_verifiers() {
    let q = apple_instruction("Write about fruit.", Layout::Inline);
    let v = verify(&q, "I like apple pie");
    assert_eq!(v.judge, vec![true, true, false]);
    assert_eq!(v.sparse(), 0.0);
    assert_eq!(v.dense(), 2.0 / 3.0);
    assert_eq!(v.satisfied(), vec![0, 1]);
    let v = verify(&q, "<<Fruit>>\nAn apple a day");
    assert_eq!(v.judge, vec![true, true, true]);
    assert_eq!((v.sparse(), v.dense()), (1.0, 1.0));
    let v = verify(&q, "pears, plums");
    assert_eq!(v.judge, vec![false, false, false]);
    assert_eq!((v.sparse(), v.dense()), (0.0, 0.0));
    let empty = Verdict::default();
    assert_eq!((empty.sparse(), empty.dense()), (0.0, 0.0));
}

#[test]
fn describe_texts_render_in_the_rewrite() {
    let q = apple_instruction("Write about fruit.", Layout::Numbered);
    let rw = rewrite(&q, &verify(&q, "I like apple pie").judge).expect("two of three");
    assert_eq!(rw.kept, vec![0, 1]);
    assert_eq!(
        rw.prompt,
        "Write about fruit.\n\nThe output must follow the following rules:\n\
         1. In your entire response, refrain from the use of any commas.\n\
         2. Include keywords ['apple'] in the response."
    );
}

#[test]
fn plan_selects_rewrites_and_reverifies_per_group() {
    let q0 = apple_instruction("Task zero.", Layout::Inline);
    let q1 = apple_instruction("Task one.", Layout::Bullets);
    let r0: Vec<&str> = vec![
        "I like apple pie",   // [T, T, F] dense 2/3
        "pears, plums",       // none
        "<<A>>\napple",       // all
        "<<A>> pears, plums", // [F, F, T] dense 1/3
    ];
    let r1: Vec<&str> = vec![
        "plain words",  // [T, F, F] dense 1/3
        "apple, <<B>>", // [F, T, T] dense 2/3
        "<<C>>",        // [T, F, T] dense 2/3
    ];
    let v0: Vec<Verdict> = r0.iter().map(|r| verify(&q0, r)).collect();
    let v1: Vec<Verdict> = r1.iter().map(|r| verify(&q1, r)).collect();
    let e0 = [1.0f32, 5.0, 5.0, 0.25];
    let e1 = [3.0f32, 0.5, 0.75];
    let groups = [
        GroupRollouts {
            instruction: &q0,
            responses: &r0,
            verdicts: &v0,
            entropies: &e0,
        },
        GroupRollouts {
            instruction: &q1,
            responses: &r1,
            verdicts: &v1,
            entropies: &e1,
        },
    ];
    // Step 1, λ = 2.1. Group 0: 1 + 2.1·2/3 = 2.4 (0), 0.25 + 0.7 = 0.95 (3).
    // Group 1: 3 + 0.7 = 3.7 (0), 0.5 + 1.4 = 1.9 (1), 0.75 + 1.4 = 2.15 (2).
    let plan = plan_replays(&groups, 1, &SelectConfig::default());
    assert_eq!(plan.reverify_failures, 0);
    let idx: Vec<Vec<usize>> = plan
        .per_group
        .iter()
        .map(|g| g.iter().map(|it| it.index).collect())
        .collect();
    assert_eq!(idx, vec![vec![0, 3], vec![0, 2]]);
    assert_eq!(plan.replay_count(), 4);
    assert!(plan.is_replayed(1, 2) && !plan.is_replayed(1, 1) && !plan.is_replayed(2, 0));
    let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-6);
    assert!(close(plan.scores[0][0], 2.4));
    assert_eq!((plan.scores[0][1], plan.scores[0][2]), (None, None));
    assert!(close(plan.scores[0][3], 0.95));
    assert!(close(plan.scores[1][0], 3.7));
    assert!(close(plan.scores[1][1], 1.9));
    assert!(close(plan.scores[1][2], 2.15));
    // Each rewrite is built from its own group's instruction (task, layout).
    let g0 = &plan.per_group[0];
    assert_eq!(g0[0].rewrite.kept, vec![0, 1]);
    assert_eq!(
        g0[0].rewrite.prompt,
        "Task zero. In your entire response, refrain from the use of any commas. \
         Include keywords ['apple'] in the response."
    );
    assert_eq!(g0[1].rewrite.kept, vec![2]);
    assert_eq!(
        g0[1].rewrite.prompt,
        "Task zero. Your answer must contain a title, wrapped in double angular brackets, \
         such as <<poem of joy>>."
    );
    let g1 = &plan.per_group[1];
    assert_eq!(g1[0].rewrite.kept, vec![0]);
    assert_eq!(
        g1[0].rewrite.prompt,
        "Task one.\n\n- In your entire response, refrain from the use of any commas."
    );
    assert_eq!(g1[1].rewrite.kept, vec![0, 2]);
    assert_eq!(
        g1[1].rewrite.prompt,
        "Task one.\n\n- In your entire response, refrain from the use of any commas.\n\
         - Your answer must contain a title, wrapped in double angular brackets, such as \
         <<poem of joy>>."
    );
    // Re-verified: the response satisfies all of q'.
    for (g, items) in plan.per_group.iter().enumerate() {
        for it in items {
            let y = groups[g].responses[it.index];
            assert_eq!(verify(&it.rewrite.instruction, y).sparse(), 1.0);
        }
    }
    // Global scope: the best 4 of all: 3.7 (1,0), 2.4 (0,0), 2.15 (1,2), 1.9 (1,1).
    let global = SelectConfig {
        scope: Scope::Global,
        ..SelectConfig::default()
    };
    let plan = plan_replays(&groups, 1, &global);
    let idx: Vec<Vec<usize>> = plan
        .per_group
        .iter()
        .map(|g| g.iter().map(|it| it.index).collect())
        .collect();
    assert_eq!(idx, vec![vec![0], vec![0, 1, 2]]);
}

#[test]
fn a_rewrite_that_fails_reverification_is_dropped_and_counted() {
    let q = apple_instruction("Task.", Layout::Lines);
    let responses = ["I like apple pie", "pears and plums"];
    // A wrong verdict: it claims the title and the keyword hold for "pears and plums".
    let verdicts = vec![
        verify(&q, responses[0]),
        Verdict {
            judge: vec![false, true, true],
        },
    ];
    // A verdict of the wrong length cannot be rewritten either.
    let bad_len = [Verdict {
        judge: vec![true, false],
    }];
    let groups = [
        GroupRollouts {
            instruction: &q,
            responses: &responses,
            verdicts: &verdicts,
            entropies: &[0.0, 1.0],
        },
        GroupRollouts {
            instruction: &q,
            responses: &responses[..1],
            verdicts: &bad_len,
            entropies: &[0.0],
        },
    ];
    let plan = plan_replays(&groups, 3, &SelectConfig::default());
    assert_eq!(plan.reverify_failures, 2);
    assert_eq!(plan.per_group[0].len(), 1);
    assert_eq!(plan.per_group[0][0].index, 0);
    assert!(plan.per_group[1].is_empty());
}

#[test]
fn missing_verdicts_or_entropies_are_not_candidates() {
    let q = apple_instruction("Task.", Layout::Inline);
    let responses = ["I like apple pie", "apple, pie"];
    let verdicts = vec![verify(&q, responses[0]), verify(&q, responses[1])];
    let groups = [GroupRollouts {
        instruction: &q,
        responses: &responses,
        verdicts: &verdicts,
        entropies: &[1.0],
    }];
    let plan = plan_replays(&groups, 1, &SelectConfig::default());
    assert_eq!(plan.scores[0].len(), 2);
    assert!(plan.scores[0][0].is_some() && plan.scores[0][1].is_none());
    assert_eq!(plan.per_group[0].len(), 1);
}

/// A verifier that holds when the response contains `#i`.
#[derive(Debug)]
struct Tag(usize);

impl Constraint for Tag {
    fn id(&self) -> &str {
        "test:tag"
    }
    fn kwargs(&self) -> Kwargs {
        Kwargs::new()
    }
    fn describe(&self) -> String {
        format!("Write #{}", self.0)
    }
    fn check(&self, response: &str) -> bool {
        response.contains(&format!("#{}|", self.0))
    }
}

/// One random group: its number of constraints and, per response, a judge and an entropy.
type RandomGroup = (usize, Vec<(Vec<bool>, f32)>);

/// Random batches: per group a number of constraints and per response a judge and an entropy.
fn batch_strategy() -> impl Strategy<Value = Vec<RandomGroup>> {
    prop::collection::vec(
        (1usize..6).prop_flat_map(|n| {
            (
                Just(n),
                prop::collection::vec((prop::collection::vec(any::<bool>(), n), 0.0f32..5.0), 0..8),
            )
        }),
        1..5,
    )
}

proptest! {
    #[test]
    fn selection_and_rewrite_properties(
        batch in batch_strategy(),
        k in 0usize..4,
        global in any::<bool>(),
        step in 1u64..60,
    ) {
        let cfg = SelectConfig {
            k,
            scope: if global { Scope::Global } else { Scope::Group },
            ..SelectConfig::default()
        };
        let mut cands = Vec::new();
        for (g, (_, rows)) in batch.iter().enumerate() {
            for (i, (judge, entropy)) in rows.iter().enumerate() {
                let v = Verdict { judge: judge.clone() };
                cands.push(Candidate { group: g, index: i, dense: v.dense(), entropy: *entropy });
            }
        }
        let chosen = select(&cands, step, &cfg);
        prop_assert!(chosen.windows(2).all(|w| w[0] < w[1]));
        for &c in &chosen {
            prop_assert!(hir_core::hindsight::is_eligible(cands[c].dense));
        }
        let b = batch.len();
        let b_cands = batch.iter().filter(|(_, rows)| !rows.is_empty()).count();
        if global {
            prop_assert!(chosen.len() <= k * b);
        } else {
            for g in 0..b {
                prop_assert!(chosen.iter().filter(|&&c| cands[c].group == g).count() <= k);
            }
        }
        let eligible = cands.iter().filter(|c| hir_core::hindsight::is_eligible(c.dense)).count();
        let expected_count = if global {
            eligible.min(k * b_cands)
        } else {
            (0..b)
                .map(|g| cands.iter().filter(|c| c.group == g && hir_core::hindsight::is_eligible(c.dense)).count().min(k))
                .sum()
        };
        prop_assert_eq!(chosen.len(), expected_count);

        // The full plan with verifiers that agree with the judges.
        let instructions: Vec<Instruction> = batch
            .iter()
            .enumerate()
            .map(|(g, (n, _))| Instruction {
                task: format!("Task {g}."),
                constraints: (0..*n).map(|i| InstructionConstraint::new(Arc::new(Tag(i)))).collect(),
                layout: Layout::ALL[g % 6],
            })
            .collect();
        let responses: Vec<Vec<String>> = batch
            .iter()
            .map(|(_, rows)| {
                rows.iter()
                    .map(|(judge, _)| {
                        judge.iter().enumerate().filter(|(_, &j)| j).map(|(i, _)| format!("#{i}|")).collect()
                    })
                    .collect()
            })
            .collect();
        let refs: Vec<Vec<&str>> = responses.iter().map(|g| g.iter().map(String::as_str).collect()).collect();
        let verdicts: Vec<Vec<Verdict>> = instructions
            .iter()
            .zip(&refs)
            .map(|(q, rs)| rs.iter().map(|r| verify(q, r)).collect())
            .collect();
        let entropies: Vec<Vec<f32>> = batch.iter().map(|(_, rows)| rows.iter().map(|r| r.1).collect()).collect();
        let groups: Vec<GroupRollouts> = (0..b)
            .map(|g| GroupRollouts {
                instruction: &instructions[g],
                responses: &refs[g],
                verdicts: &verdicts[g],
                entropies: &entropies[g],
            })
            .collect();
        let plan = plan_replays(&groups, step, &cfg);
        prop_assert_eq!(plan.reverify_failures, 0);
        let mut planned = Vec::new();
        for (g, items) in plan.per_group.iter().enumerate() {
            for it in items {
                let (judge, _) = &batch[g].1[it.index];
                prop_assert_eq!(&verdicts[g][it.index].judge, judge);
                let trues: Vec<usize> = judge.iter().enumerate().filter(|(_, &j)| j).map(|(i, _)| i).collect();
                prop_assert_eq!(&it.rewrite.kept, &trues);
                prop_assert_eq!(it.rewrite.instruction.layout, instructions[g].layout);
                let task = format!("Task {g}.");
                prop_assert!(it.rewrite.prompt.contains(task.as_str()));
                planned.push((g, it.index));
            }
        }
        // The plan's global budget counts every group, also those without responses.
        let chosen = select_in_batch(&cands, step, &cfg, b);
        if global {
            prop_assert_eq!(chosen.len(), eligible.min(k * b));
        }
        let selected: Vec<(usize, usize)> = chosen.iter().map(|&c| (cands[c].group, cands[c].index)).collect();
        prop_assert_eq!(planned, selected);
        for (g, rows) in plan.scores.iter().enumerate() {
            for (i, s) in rows.iter().enumerate() {
                let v = Verdict { judge: batch[g].1[i].0.clone() };
                prop_assert_eq!(s.is_some(), hir_core::hindsight::is_eligible(v.dense()));
            }
        }
    }

    #[test]
    fn rewrite_keeps_exactly_the_true_judges(judge in prop::collection::vec(any::<bool>(), 0..8)) {
        let q = Instruction {
            task: "T".into(),
            constraints: (0..judge.len()).map(|i| InstructionConstraint::new(Arc::new(Tag(i)))).collect(),
            layout: Layout::Numbered,
        };
        let trues: Vec<usize> = judge.iter().enumerate().filter(|(_, &j)| j).map(|(i, _)| i).collect();
        match rewrite(&q, &judge) {
            Some(rw) => {
                prop_assert!(!trues.is_empty() && trues.len() < judge.len());
                prop_assert_eq!(&rw.kept, &trues);
                prop_assert_eq!(rw.instruction.constraints.len(), trues.len());
                for (c, &i) in rw.instruction.constraints.iter().zip(&trues) {
                    prop_assert_eq!(&c.text, &format!("Write #{i}"));
                }
            }
            None => prop_assert!(trues.is_empty() || trues.len() == judge.len()),
        }
    }
}

/// An IFEval-format instruction (`Layout::Embedded`: the prompt states its constraints in its
/// own words) renders verbatim and is never rewritten or replayed, while a rewritable group in
/// the same batch still is.
#[test]
fn embedded_instructions_render_verbatim_and_are_never_replayed() {
    let prompt = "Write about fruit without commas, mention apple, and give it a <<title>>.";
    let q0 = apple_instruction(prompt, Layout::Embedded);
    assert_eq!(q0.render(), prompt);
    assert_eq!(q0.keep(&[0]).render(), prompt);
    assert!(!Layout::Embedded.is_rewritable() && Layout::ALL.iter().all(|l| l.is_rewritable()));
    assert_eq!(Layout::from_name("embedded"), Ok(Layout::Embedded));
    let judge = verify(&q0, "I like apple pie").judge;
    assert_eq!(judge, vec![true, true, false]);
    assert!(rewrite(&q0, &judge).is_none());
    let q1 = apple_instruction("Task one.", Layout::Inline);
    let r: Vec<&str> = vec!["I like apple pie", "<<A>> pears, plums"];
    let v0: Vec<Verdict> = r.iter().map(|x| verify(&q0, x)).collect();
    let v1: Vec<Verdict> = r.iter().map(|x| verify(&q1, x)).collect();
    let e = [1.0f32, 1.0];
    let groups = [
        GroupRollouts {
            instruction: &q0,
            responses: &r,
            verdicts: &v0,
            entropies: &e,
        },
        GroupRollouts {
            instruction: &q1,
            responses: &r,
            verdicts: &v1,
            entropies: &e,
        },
    ];
    let plan = plan_replays(&groups, 1, &SelectConfig::default());
    assert!(plan.per_group[0].is_empty());
    assert_eq!(plan.scores[0], vec![None, None]);
    assert_eq!(plan.per_group[1].len(), 2);
    assert_eq!(plan.reverify_failures, 0);
}
