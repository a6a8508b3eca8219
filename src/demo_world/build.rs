//! [`builtin_suite`]: the train and held-out evaluation instructions of the built-in suite.

use super::bank::{EVAL_TOPICS, TASKS, TOPICS};
use super::family::Family;
use super::teacher::{perfect_response, verify};
use hir_core::instruct::{Instruction, Layout};
use hir_core::rng::{derive, Rng};

/// Number of training instructions.
pub const TRAIN_SIZE: usize = 384;
/// Number of held-out evaluation instructions.
pub const EVAL_SIZE: usize = 96;
/// Fewest constraints per instruction.
pub const MIN_CONSTRAINTS: usize = 2;
/// Most constraints per instruction.
pub const MAX_CONSTRAINTS: usize = 6;

/// The built-in suite: training instructions and a held-out evaluation split.
#[derive(Debug, Clone)]
pub struct Suite {
    /// [`TRAIN_SIZE`] instructions on the training topics.
    pub train: Vec<Instruction>,
    /// [`EVAL_SIZE`] instructions on [`EVAL_TOPICS`] held-out topics (no task text is shared
    /// with the training split).
    pub eval: Vec<Instruction>,
}

/// Builds the suite for `seed` (deterministic: the same seed gives the same instructions).
///
/// Each instruction is a task template × topic with 2–6 constraints of distinct, compatible
/// [`Family`]s (parameters drawn from small pools), built by the real IFEval registry and
/// rendered with their `describe()` texts in one of the six layouts (uniformly). An
/// instruction is kept only if the teacher's [`perfect_response`] satisfies all of its
/// constraints under the real checkers, so every instruction is satisfiable. The evaluation
/// split uses [`EVAL_TOPICS`] topics chosen by the seed that the training split never uses.
pub fn builtin_suite(seed: u64) -> Suite {
    let mut rng = Rng::new(derive(seed, 0x5EED_5017E));
    let mut topics: Vec<&'static str> = TOPICS.to_vec();
    for i in (1..topics.len()).rev() {
        topics.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let (eval_topics, train_topics) = topics.split_at(EVAL_TOPICS);
    let train = (0..TRAIN_SIZE)
        .map(|_| satisfiable_instruction(&mut rng, train_topics))
        .collect();
    let eval = (0..EVAL_SIZE)
        .map(|_| satisfiable_instruction(&mut rng, eval_topics))
        .collect();
    Suite { train, eval }
}

/// The seed of the perfect response that proves instruction `instr` satisfiable.
pub fn proof_seed(instr: &Instruction) -> u64 {
    instr
        .render()
        .bytes()
        .fold(0xCBF2_9CE4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
        })
}

/// Draws instructions until one is satisfiable (in practice a few draws at most).
fn satisfiable_instruction(rng: &mut Rng, topics: &[&'static str]) -> Instruction {
    loop {
        let instr = draw_instruction(rng, topics);
        let response = perfect_response(&instr, proof_seed(&instr));
        if verify(&instr, &response).iter().all(|&ok| ok) {
            return instr;
        }
    }
}

/// One random instruction on `topics`.
pub fn draw_instruction(rng: &mut Rng, topics: &[&'static str]) -> Instruction {
    let topic = topics[rng.below(topics.len() as u64) as usize];
    let task = TASKS[rng.below(TASKS.len() as u64) as usize].replace("{t}", topic);
    let n = MIN_CONSTRAINTS + rng.below((MAX_CONSTRAINTS - MIN_CONSTRAINTS + 1) as u64) as usize;
    let mut families: Vec<Family> = Vec::with_capacity(n);
    while families.len() < n {
        let f = Family::ALL[rng.below(Family::ALL.len() as u64) as usize];
        if !families.iter().any(|g| g.conflicts_with(f)) {
            families.push(f);
        }
    }
    let constraints = families.iter().map(|f| f.draw_constraint(rng)).collect();
    let layout = Layout::ALL[rng.below(Layout::ALL.len() as u64) as usize];
    Instruction {
        task,
        constraints,
        layout,
    }
}
