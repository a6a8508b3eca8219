//! Verification: the per-constraint verdict of one response, and its sparse and dense rewards
//! (spec §1).

use alloc::vec::Vec;

use crate::instruct::Instruction;

/// The verdict on one response `y` for an instruction `q = (x, C)`: `judge[i] = I(q, y, c_i)`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Verdict {
    /// Whether each constraint holds, in the instruction's constraint order.
    pub judge: Vec<bool>,
}

impl Verdict {
    /// `sparse(y) = Π_i I(c_i)`: 1.0 when every constraint holds, else 0.0. An instruction
    /// without constraints has nothing satisfied, so its sparse reward is 0.0.
    pub fn sparse(&self) -> f32 {
        if !self.judge.is_empty() && self.judge.iter().all(|&j| j) {
            1.0
        } else {
            0.0
        }
    }

    /// `dense(y) = (1/n) Σ_i I(c_i)`: the fraction of constraints that hold (0.0 when there
    /// are none).
    pub fn dense(&self) -> f32 {
        if self.judge.is_empty() {
            0.0
        } else {
            self.satisfied_count() as f32 / self.judge.len() as f32
        }
    }

    /// How many constraints hold.
    pub fn satisfied_count(&self) -> usize {
        self.judge.iter().filter(|&&j| j).count()
    }

    /// The indices of the constraints that hold, ascending.
    pub fn satisfied(&self) -> Vec<usize> {
        self.judge
            .iter()
            .enumerate()
            .filter_map(|(i, &j)| j.then_some(i))
            .collect()
    }
}

/// Checks `response` against every constraint of `instr` with the strict verdict
/// ([`crate::constraint::Constraint::check`], which never panics and answers `false` for
/// anything it cannot verify).
pub fn verify(instr: &Instruction, response: &str) -> Verdict {
    Verdict {
        judge: instr
            .constraints
            .iter()
            .map(|c| c.constraint.check(response))
            .collect(),
    }
}
