//! Reinforcement-learning math: KL estimators, the PPO-clip token loss, advantages and loss
//! aggregation (spec §2.6–§3).
//!
//! Everything here is pure math on host values (log-probabilities of response tokens,
//! advantages, weights); nothing here calls a backend. The same per-token PPO formulas back
//! the backend's `policy_loss` op (its contract is `backend::policy_loss`), so a GPU kernel
//! and the CPU reference compute exactly one definition. The objectives that run that op over
//! a batch live in the `objective` module of this crate.
//!
//! - [`kl`]: KL estimators k1/k2/k3 (verl's `kl_penalty`);
//! - [`ppo`]: the per-token PPO-clip loss with dual clip;
//! - [`advantage`]: REINFORCE++, REINFORCE++-baseline, GRPO, RLOO (verl's `core_algos`);
//! - [`aggregate`]: loss aggregation modes as per-token weights (verl's `agg_loss`);
//! - [`reward_stats`](mod@reward_stats): `reward_mean/std`, `frac_reward_zero_std` for the logs;
//! - [`identity`]: the group-gradient = sum-of-pairwise-preferences identity of spec §3.

pub mod advantage;
pub mod aggregate;
pub mod identity;
pub mod kl;
pub mod ppo;
pub mod reward_stats;

pub use advantage::{
    compute_advantages, try_compute_advantages, AdvEstimator, AdvantageConfig, AdvantageError,
    AdvantageInput, Advantages,
};
pub use aggregate::{token_weights, LossAggMode};
pub use kl::KlEstimator;
pub use ppo::{ppo_token, PpoClip, PpoToken};
pub use reward_stats::{reward_stats, RewardStats};
