//! Policy objectives: the losses the trainer back-propagates through the model, computed over
//! a (micro-)batch of response tokens on the backend.
//!
//! This is the layer above the pure RL math of [`crate::rl`] (KL estimators, the PPO-clip
//! token formulas, advantages, aggregation weights) and the [`crate::backend::Backend`] ops
//! that evaluate it on the device. `rl` imports neither, so the backend contract can name
//! `rl`'s types (`PpoClip`, `KlEstimator`) without a circle.
//!
//! - [`policy`]: the [`PolicyObjective`] trait, its batch and output types, and the default
//!   [`PpoObjective`] (one `Backend::policy_loss` call);
//! - [`pairwise`]: the explicit DPO-style dual-preference objective.

pub mod pairwise;
pub mod policy;

pub use pairwise::{PairwiseObjective, PreferencePair};
pub use policy::{ObjectiveBatch, ObjectiveOutput, PolicyObjective, PpoObjective};
