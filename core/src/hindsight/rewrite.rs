//! The hindsight rewrite (spec §2 step 4): a failed response becomes a success for the
//! instruction made of the constraints it did satisfy.

use alloc::string::String;
use alloc::vec::Vec;

use crate::instruct::Instruction;

/// A rewritten instruction `q' = (x, C')` for one response.
#[derive(Debug, Clone)]
pub struct Rewrite {
    /// `q'`: the same task and layout, only the kept constraints (with their prompt texts).
    pub instruction: Instruction,
    /// The indices into the original constraints of those kept, ascending.
    pub kept: Vec<usize>,
    /// The prompt text of `q'` (the layout applied; no chat template).
    pub prompt: String,
}

/// q' = (x, C') keeping the satisfied constraints in order; None when none or all are satisfied.
///
/// `judge[i]` is whether constraint `i` of `instr` holds for the response (a [`super::Verdict`]'s
/// `judge`). A `judge` whose length differs from the number of constraints does not describe
/// this instruction, and gives `None` too, as does an instruction whose layout is not
/// rewritable ([`crate::instruct::Layout::Embedded`]). No LLM is involved: the kept constraints' texts are
/// re-rendered with the instruction's own layout.
pub fn rewrite(instr: &Instruction, judge: &[bool]) -> Option<Rewrite> {
    let n = instr.constraints.len();
    if judge.len() != n || !instr.layout.is_rewritable() {
        return None;
    }
    let kept: Vec<usize> = judge
        .iter()
        .enumerate()
        .filter_map(|(i, &j)| j.then_some(i))
        .collect();
    if kept.is_empty() || kept.len() == n {
        return None;
    }
    let instruction = instr.keep(&kept);
    let prompt = instruction.render();
    Some(Rewrite {
        instruction,
        kept,
        prompt,
    })
}
