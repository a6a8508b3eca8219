//! The methods `hir compare` runs: HiR and its variants, the binary-reward and dense-reward
//! baselines and the selection ablations, each a change of a few trainer fields from a base
//! configuration (the world's, which is HiR's).

use hir_core::hindsight::{EntropyAgg, Scope, Selection};
use hir_core::rl::{AdvEstimator, KlEstimator};
use hir_core::train::{RewardKind, TrainerConfig};

/// Method names, in table order.
pub const METHODS: [&str; 10] = [
    "hir",
    "hir_global",
    "hir_sum_entropy",
    "hir_random_select",
    "hir_no_curriculum",
    "reinforce_pp",
    "reinforce_pp_m8",
    "grpo",
    "dense",
    "hir_grpo",
];

/// The binary-reward baseline every method's sample efficiency is measured against.
pub const BINARY_BASELINE: &str = "reinforce_pp";

/// The dense-reward baseline (the paper's main comparison).
pub const DENSE_BASELINE: &str = "dense";
/// The method the HiR variants and ablations are compared with (`hir`): each `hir_*` against
/// it answers whether its change (global selection, summed entropy, random selection, no
/// curriculum, GRPO advantages) matters.
pub const HIR_REFERENCE: &str = "hir";

/// Samples per prompt of `reinforce_pp_m8`: HiR's `m = 6` rollouts plus its `k = 2` replays,
/// the same number of update rows per prompt.
pub const M8_ROLLOUT_N: usize = 8;

/// The configuration of `method` derived from `base` (the HiR configuration), or `None` for
/// an unknown name.
///
/// - `hir`: `base` (REINFORCE++ with hindsight replay, selection per group).
/// - `hir_global`: replay selecting the top `k·B` over the whole batch
///   (`replay_scope = "global"`, the authors' released code).
/// - `hir_sum_entropy`: `F_div` sums the token entropies (`replay_entropy = "sum"`, the
///   paper's formula) instead of averaging them.
/// - `hir_random_select`: replay with a uniformly random choice among eligible failures.
/// - `hir_no_curriculum`: replay with `λ_s = λ_0` at every step.
/// - `reinforce_pp`: no replay (plain binary-reward REINFORCE++).
/// - `reinforce_pp_m8`: no replay, [`M8_ROLLOUT_N`] samples per prompt: as many update rows
///   as HiR, for a larger budget of generated responses (`hir compare` reports it).
/// - `grpo`: no replay, GRPO advantages, KL as a k3 loss instead of in the reward (verl's
///   GRPO recipe).
/// - `dense`: no replay, REINFORCE++ on the dense reward (fraction of constraints satisfied).
/// - `hir_grpo`: replay, with `grpo`'s advantages and KL handling.
pub fn method_config(method: &str, base: &TrainerConfig) -> Option<TrainerConfig> {
    let mut c = base.clone();
    match method {
        "hir" => {}
        "hir_global" => c.replay_scope = Scope::Global,
        "hir_sum_entropy" => c.replay_entropy = EntropyAgg::Sum,
        "hir_random_select" => c.replay_selection = Selection::Random,
        "hir_no_curriculum" => c.replay_curriculum = false,
        "reinforce_pp" => c.replay = false,
        "reinforce_pp_m8" => {
            c.replay = false;
            c.rollout_n = M8_ROLLOUT_N;
        }
        "grpo" => {
            c.replay = false;
            grpo(&mut c, base);
        }
        "dense" => {
            c.replay = false;
            c.reward = RewardKind::Dense;
        }
        "hir_grpo" => grpo(&mut c, base),
        _ => return None,
    }
    Some(c)
}

/// GRPO advantages, and the KL penalty as a k3 loss with `base`'s coefficient instead of in
/// the reward.
fn grpo(c: &mut TrainerConfig, base: &TrainerConfig) {
    c.adv_estimator = AdvEstimator::Grpo;
    c.use_kl_in_reward = false;
    c.use_kl_loss = true;
    c.kl_loss_type = KlEstimator::K3;
    c.kl_loss_coef = base.kl_coef;
}
