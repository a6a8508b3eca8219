//! The methods `hir compare` runs: HiR, the binary-reward baselines and the selection
//! ablations, each a change of a few trainer fields from a base configuration.

use hir_core::hindsight::Selection;
use hir_core::rl::{AdvEstimator, KlEstimator};
use hir_core::train::TrainerConfig;

/// Method names, in table order.
pub const METHODS: [&str; 5] = [
    "hir",
    "reinforce_pp",
    "grpo",
    "hir_random_select",
    "hir_no_curriculum",
];

/// The configuration of `method` derived from `base` (the HiR configuration), or `None` for
/// an unknown name.
///
/// - `hir`: `base` (REINFORCE++ with hindsight replay).
/// - `reinforce_pp`: the same without replay (plain binary-reward REINFORCE++).
/// - `grpo`: no replay, GRPO advantages, KL as a k3 loss instead of in the reward (verl's
///   GRPO recipe).
/// - `hir_random_select`: replay with a uniformly random choice among eligible failures.
/// - `hir_no_curriculum`: replay with `λ_s = λ_0` at every step.
pub fn method_config(method: &str, base: &TrainerConfig) -> Option<TrainerConfig> {
    let mut c = base.clone();
    match method {
        "hir" => {}
        "reinforce_pp" => c.replay = false,
        "grpo" => {
            c.replay = false;
            c.adv_estimator = AdvEstimator::Grpo;
            c.use_kl_in_reward = false;
            c.use_kl_loss = true;
            c.kl_loss_type = KlEstimator::K3;
            c.kl_loss_coef = base.kl_coef;
        }
        "hir_random_select" => c.replay_selection = Selection::Random,
        "hir_no_curriculum" => c.replay_curriculum = false,
        _ => return None,
    }
    Some(c)
}
