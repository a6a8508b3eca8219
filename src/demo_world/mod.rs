//! The built-in demo world: a small instruction-following world (instructions drawn from
//! IFEval constraint families, an imperfect teacher, a tiny warm-started policy) that is the
//! embedded default of `hir train`, so the trainer runs with no model or data file.
//!
//! - [`bank`]: task templates, topics and the word pools constraints draw parameters from;
//! - [`family`]: the IFEval constraint families used, their parameters and compatibilities;
//! - [`build`]: [`builtin_suite`] — train and held-out evaluation instructions;
//! - [`teacher`]: an imperfect teacher writing responses, verified by the real checkers;
//! - [`greedy`]: greedy evaluation on held-out instructions;
//! - [`hard`]: the hard world (5–8 constraints, in- and out-of-distribution held-out parts);
//! - [`regime`]: the sparse-reward regime a world's warm start is in, measured;
//! - [`warmstart`]: tokenizer training, the tiny Llama config and supervised warm start;
//! - [`embedded_policy`]: the committed warm-start checkpoint, embedded in the binary.

pub mod bank;
pub mod build;
pub mod embedded_policy;
pub mod family;
pub mod greedy;
pub mod hard;
pub mod regime;
pub mod teacher;
pub mod warmstart;
pub mod world;

pub use build::{builtin_suite, Suite, EVAL_SIZE, TRAIN_SIZE};
pub use embedded_policy::{builtin_policy, BuiltinError};
pub use family::Family;
pub use greedy::{evaluate_greedy, EvalReport};
pub use hard::{hard_suite, HardSuite};
pub use teacher::{imperfect_response, perfect_response, verify, TeacherResponse};
pub use world::World;
