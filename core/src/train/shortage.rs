//! `replay_shortage = "released"`: the released code's handling of a batch short of eligible
//! responses, as a pure function of `(k, B, E)` ([`released_shortage`]).
//!
//! Checked against the authors' released training code (github `sastpg/HIR` at commit
//! `ffd6919`, file `HIR/verl/trainer/ppo/ray_trainer.py`, `RayPPOTrainer.fit()`): it samples
//! `indeed_n = 6` responses per prompt where the config's `n` is 8 (so `k = 2`), and then
//!
//! 1. counts the eligible responses `E = #{0 < dense < 1}` over the **whole batch**;
//! 2. computes `r = ⌈(k·B − E)/B⌉`; when `r > 0` it generates `r` more responses for
//!    **every** prompt and inserts them into the batch next to that prompt's group (same
//!    uid), keeping all of them as training rows;
//! 3. replays `num_replay = k·B` when `r ≤ 0`, else `(k − r)·B`, chosen as the global top
//!    `num_replay` by `λ_s·dense + entropy` over the eligible responses of the enlarged batch
//!    (eligibility recomputed after resampling).
//!
//! Quirk reproduced here: when `r = k`, `num_replay = 0`, and numpy's
//! `np.argpartition(x, -0)[-0:]` is the **whole** array, so every eligible response is
//! replayed.
//!
//! As far as we read it, the released code's resample path cannot run as written: it sets
//! `is_replay = torch.zeros(384, 1)`, sized for `B = 64 × 6` rows without resampling, so a
//! batch enlarged by resampling no longer matches that tensor. We implement what the code
//! describes, not that size mismatch.
//!
//! In this trainer the budget applies in either scope: global scope replays the top
//! `(k − r)·B` over the batch (the released code); group scope replays the top `k − r` of
//! each group (our extension of the same rule), and with `r = k` every eligible response
//! of every group in either scope.

/// What the released code's shortage rule does for one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReleasedShortage {
    /// `r`: extra responses sampled for every prompt (0 when `E ≥ k·B`).
    pub extra_per_prompt: usize,
    /// Responses to replay per group (`k − r`, or `k` when `r = 0`); the global budget is
    /// this times `B`. `None` when `r = k`: every eligible response is replayed.
    pub replay_per_group: Option<usize>,
}

impl ReleasedShortage {
    /// The per-group `k` to hand to selection: [`Self::replay_per_group`], with "every
    /// eligible response" as `usize::MAX` (a budget selection saturates).
    pub fn select_k(&self) -> usize {
        self.replay_per_group.unwrap_or(usize::MAX)
    }
}

/// The released code's rule for `k` replays per prompt, a batch of `batch` prompts and
/// `eligible` eligible responses over the whole batch (counted before resampling):
/// `r = ⌈(k·B − E)/B⌉` extra samples per prompt when `E < k·B` (else 0), and `k − r`
/// replays per group (`k` when `r = 0`, every eligible one when `r = k`).
///
/// `r ≤ k` always (`E ≥ 0`); `k = 0` or `B = 0` resample nothing and replay `k`.
pub fn released_shortage(k: usize, batch: usize, eligible: usize) -> ReleasedShortage {
    let target = k.saturating_mul(batch);
    let r = if batch == 0 || eligible >= target {
        0
    } else {
        (target - eligible).div_ceil(batch)
    };
    ReleasedShortage {
        extra_per_prompt: r,
        replay_per_group: if r == 0 {
            Some(k)
        } else if r >= k {
            None
        } else {
            Some(k - r)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_cases() {
        // k = 2, B = 64 (the released run): E = 128 or more → no resample, replay 2 per group.
        let s = released_shortage(2, 64, 130);
        assert_eq!(s.extra_per_prompt, 0);
        assert_eq!(s.replay_per_group, Some(2));
        // E = 100: r = ⌈28/64⌉ = 1 → replay (2 − 1)·64 = 64.
        let s = released_shortage(2, 64, 100);
        assert_eq!(s.extra_per_prompt, 1);
        assert_eq!(s.replay_per_group, Some(1));
        // E = 64: r = ⌈64/64⌉ = 1 exactly.
        assert_eq!(released_shortage(2, 64, 64).extra_per_prompt, 1);
        // E = 63: r = ⌈65/64⌉ = 2 = k → every eligible one (numpy's [-0:] quirk).
        let s = released_shortage(2, 64, 63);
        assert_eq!(s.extra_per_prompt, 2);
        assert_eq!(s.replay_per_group, None);
        assert_eq!(s.select_k(), usize::MAX);
        // E = 0: r = k.
        assert_eq!(released_shortage(2, 64, 0).extra_per_prompt, 2);
        // Degenerate sizes.
        assert_eq!(
            released_shortage(0, 4, 0),
            ReleasedShortage {
                extra_per_prompt: 0,
                replay_per_group: Some(0)
            }
        );
        assert_eq!(released_shortage(2, 0, 0).extra_per_prompt, 0);
    }
}
