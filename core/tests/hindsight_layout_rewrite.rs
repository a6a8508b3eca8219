//! The six prompt layouts (spec §4, matched to the released HiR code's `_concat_question`) and
//! the hindsight rewrite: exact strings, worked out by hand from the layout rules.

use std::sync::Arc;

use hir_core::constraint::{Constraint, Kwargs};
use hir_core::hindsight::rewrite;
use hir_core::instruct::{Instruction, InstructionConstraint, Layout};

/// A stand-in verifier: holds when the response contains `marker`.
#[derive(Debug)]
struct Marker(&'static str);

impl Constraint for Marker {
    fn id(&self) -> &str {
        "test:marker"
    }
    fn kwargs(&self) -> Kwargs {
        Kwargs::new()
    }
    fn describe(&self) -> String {
        format!("Mention {}", self.0)
    }
    fn check(&self, response: &str) -> bool {
        response.contains(self.0)
    }
}

fn instruction(task: &str, texts: &[&'static str], layout: Layout) -> Instruction {
    Instruction {
        task: task.into(),
        constraints: texts
            .iter()
            .map(|t| InstructionConstraint::with_text(Arc::new(Marker(t)), (*t).into()))
            .collect(),
        layout,
    }
}

const TASK: &str = "Write a haiku about rain.";
const C1: &str = "Answer in lowercase";
const C2: &str = "Use at most 50 words!";

#[test]
fn every_layout_renders_two_constraints_exactly() {
    let expected = [
        (
            Layout::Inline,
            "Write a haiku about rain. Answer in lowercase. Use at most 50 words!",
        ),
        (
            Layout::NewLine,
            "Write a haiku about rain.\nAnswer in lowercase. Use at most 50 words!",
        ),
        (
            Layout::Numbered,
            "Write a haiku about rain.\n\nThe output must follow the following rules:\n\
             1. Answer in lowercase\n2. Use at most 50 words!",
        ),
        (
            Layout::Bullets,
            "Write a haiku about rain.\n\n- Answer in lowercase\n- Use at most 50 words!",
        ),
        (
            Layout::ConstraintsFirst,
            "Answer in lowercase. Use at most 50 words!\n\nWrite a haiku about rain.",
        ),
        (
            Layout::Lines,
            "Write a haiku about rain.\n\nAnswer in lowercase\nUse at most 50 words!",
        ),
    ];
    for (layout, want) in expected {
        assert_eq!(
            instruction(TASK, &[C1, C2], layout).render(),
            want,
            "{layout:?}"
        );
    }
}

#[test]
fn sentence_join_follows_the_released_code() {
    // ',' '.' '?' '!' at the end get one space, anything else ". "; the texts are not
    // trimmed one by one, only the whole block is stripped (so "brief " becomes "brief . ").
    let cs = ["Be brief,", "no lists.", "why?", "Be brief ", "end"];
    assert_eq!(
        Layout::Inline.render("X", &cs),
        "X Be brief, no lists. why? Be brief . end."
    );
    // Leading whitespace of the first item and trailing of the last are stripped with the block.
    assert_eq!(Layout::Lines.render("X", &["  a", "b \n"]), "X\n\na\nb");
    assert_eq!(Layout::Bullets.render("X", &["a "]), "X\n\n- a");
    // The task is used verbatim, even empty.
    assert_eq!(Layout::NewLine.render("", &["a"]), "\na.");
    // No constraints: the task alone.
    for layout in Layout::ALL {
        assert_eq!(layout.render("X", &[]), "X");
    }
}

#[test]
fn layout_numbers_and_names_round_trip() {
    for (i, layout) in Layout::ALL.into_iter().enumerate() {
        assert_eq!(layout.number() as usize, i + 1);
        assert_eq!(Layout::from_number(i as u64 + 1), Ok(layout));
        assert_eq!(Layout::from_name(layout.name()), Ok(layout));
        assert_eq!(Layout::from_name(&format!("{}", i + 1)), Ok(layout));
    }
    assert!(Layout::from_number(0).is_err());
    assert!(Layout::from_number(7).is_err());
    assert!(Layout::from_name("type1").is_err());
}

const FOUR: [&str; 4] = ["Say alpha", "Say beta.", "Say gamma", "Say delta?"];

#[test]
fn rewrite_keeps_satisfied_constraints_in_order_in_every_layout() {
    let expected = [
        (Layout::Inline, "Task. Say alpha. Say gamma."),
        (Layout::NewLine, "Task.\nSay alpha. Say gamma."),
        (
            Layout::Numbered,
            "Task.\n\nThe output must follow the following rules:\n1. Say alpha\n2. Say gamma",
        ),
        (Layout::Bullets, "Task.\n\n- Say alpha\n- Say gamma"),
        (Layout::ConstraintsFirst, "Say alpha. Say gamma.\n\nTask."),
        (Layout::Lines, "Task.\n\nSay alpha\nSay gamma"),
    ];
    for (layout, want) in expected {
        let q = instruction("Task.", &FOUR, layout);
        let rw = rewrite(&q, &[true, false, true, false]).expect("some but not all hold");
        assert_eq!(rw.kept, vec![0, 2]);
        assert_eq!(rw.prompt, want, "{layout:?}");
        assert_eq!(rw.instruction.task, "Task.");
        assert_eq!(rw.instruction.layout, layout);
        let texts: Vec<&str> = rw
            .instruction
            .constraints
            .iter()
            .map(|c| c.text.as_str())
            .collect();
        assert_eq!(texts, ["Say alpha", "Say gamma"]);
        assert_eq!(rw.prompt, rw.instruction.render());
    }
    // Kept texts ending in punctuation keep their own mark.
    let q = instruction("Task.", &FOUR, Layout::Inline);
    let rw = rewrite(&q, &[false, true, false, true]).expect("two of four");
    assert_eq!(rw.kept, vec![1, 3]);
    assert_eq!(rw.prompt, "Task. Say beta. Say delta?");
}

#[test]
fn rewrite_is_never_empty_nor_full() {
    let q = instruction("Task.", &FOUR, Layout::Numbered);
    assert!(rewrite(&q, &[false; 4]).is_none());
    assert!(rewrite(&q, &[true; 4]).is_none());
    // A judge for another instruction (wrong length) is refused, not guessed.
    assert!(rewrite(&q, &[true, false]).is_none());
    assert!(rewrite(&q, &[true, false, true, false, false]).is_none());
    let one = rewrite(&q, &[false, false, false, true]).expect("one of four");
    assert_eq!(one.kept, vec![3]);
    assert_eq!(
        one.prompt,
        "Task.\n\nThe output must follow the following rules:\n1. Say delta?"
    );
    let three = rewrite(&q, &[true, true, false, true]).expect("three of four");
    assert_eq!(three.kept, vec![0, 1, 3]);
}
