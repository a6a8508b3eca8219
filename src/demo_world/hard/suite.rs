//! [`hard_suite`]: the hard world's instructions — 5–8 constraints each, a training split and
//! a held-out split in three labelled parts.
//!
//! Design: the held-out split tests generalisation along three axes, each part on topics the
//! training split never uses:
//! - `"id"`: training families and training family combinations (only the topic is new);
//! - `"ood_combo"`: training families only, but every item holds at least one of the
//!   [`HELD_OUT_PAIRS`], pairs of families that never share a training instruction;
//! - `"ood_family"`: every item holds at least one of [`Family::OOD`], families no training
//!   instruction has at all.
//!
//! Every instruction is kept only if the teacher's perfect response satisfies all of its
//! constraints under the real checkers (as in [`crate::demo_world::builtin_suite`]).

use crate::demo_world::bank::{EVAL_TOPICS, TASKS, TOPICS};
use crate::demo_world::build::proof_seed;
use crate::demo_world::family::Family;
use crate::demo_world::teacher::{perfect_response, verify};
use hir_core::instruct::{Instruction, Layout};
use hir_core::rng::{derive, Rng};

/// Training instructions.
pub const HARD_TRAIN_SIZE: usize = 1024;
/// Held-out instructions of the `"id"` part.
pub const HARD_ID_SIZE: usize = 600;
/// Held-out instructions of the `"ood_combo"` part.
pub const HARD_OOD_COMBO_SIZE: usize = 200;
/// Held-out instructions of the `"ood_family"` part.
pub const HARD_OOD_FAMILY_SIZE: usize = 200;
/// Fewest constraints per instruction.
pub const HARD_MIN_CONSTRAINTS: usize = 5;
/// Most constraints per instruction.
pub const HARD_MAX_CONSTRAINTS: usize = 8;

/// Family pairs that never share a training instruction (the `"ood_combo"` part's axis).
///
/// Three pairs of families the teacher follows often (so each family alone is familiar and
/// well learnt: what is new is only that they come together), covering six different
/// families.
pub const HELD_OUT_PAIRS: [(Family, Family); 3] = [
    (Family::Title, Family::Postscript),
    (Family::KeywordExistence, Family::EndPhrase),
    (Family::Quotation, Family::Placeholders),
];

/// The part labels of the held-out split, in order.
pub const HARD_PARTS: [&str; 3] = ["id", "ood_combo", "ood_family"];

/// The hard suite: training instructions and the three-part held-out split.
#[derive(Debug, Clone)]
pub struct HardSuite {
    /// [`HARD_TRAIN_SIZE`] training instructions (training families, no held-out pair).
    pub train: Vec<Instruction>,
    /// The held-out instructions: [`HARD_ID_SIZE`] `"id"`, then [`HARD_OOD_COMBO_SIZE`]
    /// `"ood_combo"`, then [`HARD_OOD_FAMILY_SIZE`] `"ood_family"`.
    pub eval: Vec<Instruction>,
    /// The part of each held-out instruction (one of [`HARD_PARTS`]), in `eval` order.
    pub parts: Vec<&'static str>,
}

/// Whether `a` and `b` form one of the [`HELD_OUT_PAIRS`] (either order).
pub fn is_held_out_pair(a: Family, b: Family) -> bool {
    HELD_OUT_PAIRS
        .iter()
        .any(|&(x, y)| (x, y) == (a, b) || (y, x) == (a, b))
}

/// Whether `families` contains one of the [`HELD_OUT_PAIRS`].
pub fn has_held_out_pair(families: &[Family]) -> bool {
    families
        .iter()
        .enumerate()
        .any(|(i, &a)| families[i + 1..].iter().any(|&b| is_held_out_pair(a, b)))
}

/// The families of an instruction, in order (`None` for an id outside both worlds).
pub fn families_of(instr: &Instruction) -> Vec<Option<Family>> {
    instr
        .constraints
        .iter()
        .map(|c| Family::from_id(c.constraint.id()))
        .collect()
}

/// What a draw must contain and may not contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Training families, no held-out pair (training and `"id"`).
    InDistribution,
    /// Training families with at least one held-out pair.
    OodCombo,
    /// At least one OOD family; other families from training, no held-out pair.
    OodFamily,
}

/// Builds the hard suite for `seed` (deterministic: the same seed gives the same instructions).
///
/// Topics: [`EVAL_TOPICS`] of the 40 are held out (chosen by the seed) for the whole
/// held-out split. Each instruction is a task template × topic with 5–8 constraints of
/// distinct, pairwise compatible families ([`Family::conflicts_with`]), rendered with the
/// checkers' `describe()` texts in a uniformly drawn layout.
pub fn hard_suite(seed: u64) -> HardSuite {
    let mut rng = Rng::new(derive(seed, 0x4A2D_5017E));
    let mut topics: Vec<&'static str> = TOPICS.to_vec();
    for i in (1..topics.len()).rev() {
        topics.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let (eval_topics, train_topics) = topics.split_at(EVAL_TOPICS);
    let train = (0..HARD_TRAIN_SIZE)
        .map(|_| satisfiable(&mut rng, train_topics, Kind::InDistribution))
        .collect();
    let mut eval = Vec::new();
    let mut parts = Vec::new();
    for (kind, n, label) in [
        (Kind::InDistribution, HARD_ID_SIZE, HARD_PARTS[0]),
        (Kind::OodCombo, HARD_OOD_COMBO_SIZE, HARD_PARTS[1]),
        (Kind::OodFamily, HARD_OOD_FAMILY_SIZE, HARD_PARTS[2]),
    ] {
        for _ in 0..n {
            eval.push(satisfiable(&mut rng, eval_topics, kind));
            parts.push(label);
        }
    }
    HardSuite { train, eval, parts }
}

/// Draws instructions of `kind` until the perfect teacher response satisfies one.
fn satisfiable(rng: &mut Rng, topics: &[&'static str], kind: Kind) -> Instruction {
    loop {
        let instr = draw(rng, topics, kind);
        let response = perfect_response(&instr, proof_seed(&instr));
        if verify(&instr, &response).iter().all(|&ok| ok) {
            return instr;
        }
    }
}

/// Whether `f` may join `families` in an instruction of `kind`.
fn admissible(families: &[Family], f: Family, kind: Kind) -> bool {
    if families.iter().any(|g| g.conflicts_with(f)) {
        return false;
    }
    // Only the ood_combo part may hold a held-out pair.
    kind == Kind::OodCombo || !families.iter().any(|&g| is_held_out_pair(g, f))
}

/// One random instruction of `kind` on `topics` (not yet checked for satisfiability).
fn draw(rng: &mut Rng, topics: &[&'static str], kind: Kind) -> Instruction {
    let topic = topics[rng.below(topics.len() as u64) as usize];
    let task = TASKS[rng.below(TASKS.len() as u64) as usize].replace("{t}", topic);
    let span = (HARD_MAX_CONSTRAINTS - HARD_MIN_CONSTRAINTS + 1) as u64;
    let n = HARD_MIN_CONSTRAINTS + rng.below(span) as usize;
    let mut families: Vec<Family> = Vec::with_capacity(n);
    match kind {
        Kind::InDistribution => {}
        Kind::OodCombo => {
            let (a, b) = HELD_OUT_PAIRS[rng.below(HELD_OUT_PAIRS.len() as u64) as usize];
            families.extend([a, b]);
        }
        Kind::OodFamily => {
            families.push(Family::OOD[rng.below(Family::OOD.len() as u64) as usize]);
        }
    }
    // The OOD part may draw the other OOD family too; the others only training families.
    let pool: Vec<Family> = match kind {
        Kind::OodFamily => Family::ALL.into_iter().chain(Family::OOD).collect(),
        _ => Family::ALL.to_vec(),
    };
    while families.len() < n {
        let f = pool[rng.below(pool.len() as u64) as usize];
        if admissible(&families, f, kind) {
            families.push(f);
        }
    }
    // Shuffle so that the forced families are not always listed first.
    for i in (1..families.len()).rev() {
        families.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let constraints = families.iter().map(|f| f.draw_constraint(rng)).collect();
    let layout = Layout::ALL[rng.below(Layout::ALL.len() as u64) as usize];
    Instruction {
        task,
        constraints,
        layout,
    }
}
