//! Reinforcement-learning math: KL estimators, the PPO-clip token loss, advantages and the
//! dual-preference objectives (spec §2.6–§3).
//!
//! Everything here works on host slices of per-token values (log-probabilities of response
//! tokens, advantages, weights). The same per-token PPO formulas back the
//! [`Backend::policy_loss`](crate::backend::Backend::policy_loss) op, so a GPU kernel and the
//! CPU reference compute exactly one definition.

pub mod kl;
pub mod ppo;

pub use kl::KlEstimator;
pub use ppo::{ppo_token, PpoClip, PpoToken};
