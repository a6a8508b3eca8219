//! Instructions: a task text plus an ordered list of atomic constraints, and their rendering.
//!
//! An [`Instruction`] `q = (x, C)` is what a prompt asks for. Its prompt text is produced by a
//! [`Layout`] (spec §4), so that the hindsight rewrite can re-render `q' = (x, C')` with the
//! same layout when only some constraints are kept. The model's chat template is applied
//! afterwards by the tokenizer side (it is not part of the instruction).

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::constraint::Constraint;

pub mod codec;
pub mod layout;

pub use codec::{prompt_char_bound, ChatCodec, CodecError};
pub use layout::{Layout, LayoutError};

/// One constraint of an instruction, with the text the prompt carries for it.
#[derive(Debug, Clone)]
pub struct InstructionConstraint {
    /// The verifier.
    pub constraint: Arc<dyn Constraint>,
    /// The text shown in the prompt; by default [`Constraint::describe`].
    pub text: String,
}

impl InstructionConstraint {
    /// Wraps a verifier, using its [`Constraint::describe`] text.
    pub fn new(constraint: Arc<dyn Constraint>) -> Self {
        let text = constraint.describe();
        Self { constraint, text }
    }

    /// Wraps a verifier with an explicit prompt text (e.g. the wording of a dataset row).
    pub fn with_text(constraint: Arc<dyn Constraint>, text: String) -> Self {
        Self { constraint, text }
    }
}

/// An instruction `q = (x, C)`: task text, ordered constraints, and the layout of its prompt.
#[derive(Debug, Clone)]
pub struct Instruction {
    /// The task text `x`.
    pub task: String,
    /// The constraints `C`, in prompt order.
    pub constraints: Vec<InstructionConstraint>,
    /// How the prompt text is laid out.
    pub layout: Layout,
}

impl Instruction {
    /// The prompt text (before any chat template).
    pub fn render(&self) -> String {
        let texts: Vec<&str> = self.constraints.iter().map(|c| c.text.as_str()).collect();
        self.layout.render(&self.task, &texts)
    }

    /// The same instruction keeping only the constraints at `kept` (indices into
    /// `self.constraints`, in the order given), with the same task and layout.
    ///
    /// Indices out of range are ignored.
    pub fn keep(&self, kept: &[usize]) -> Instruction {
        Instruction {
            task: self.task.clone(),
            constraints: kept
                .iter()
                .filter_map(|&i| self.constraints.get(i).cloned())
                .collect(),
            layout: self.layout,
        }
    }
}
