//! The hard world: instructions with 5–8 constraints, where a binary reward is almost always
//! 0 (the regime HiR is for), with a held-out split that tests new topics, new family
//! combinations and new families.
//!
//! - [`suite`]: [`hard_suite`] — the training split and the labelled held-out split;
//! - [`policy`]: the embedded warm start trained on the hard training split only.

pub mod policy;
pub mod suite;

pub use suite::{hard_suite, HardSuite, HARD_PARTS, HELD_OUT_PAIRS};
