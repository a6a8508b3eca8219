//! `replay_shortage = "released"`: the released code's resample count `r` and replay budget,
//! worked out by hand from `r = ⌈(k·B − E)/B⌉` and `num_replay = (k − r)·B`.

use hir_core::train::shortage::released_shortage;

#[test]
fn released_shortage_budget_matches_the_released_code() {
    // k = 2 (n = 8, indeed_n = 6), B = 4: k·B = 8.
    // E = 8 → r = 0, replay k·B = 8 (2 per group).
    let s = released_shortage(2, 4, 8);
    assert_eq!((s.extra_per_prompt, s.replay_per_group), (0, Some(2)));
    // E = 5 → r = ⌈3/4⌉ = 1, replay (2 − 1)·4 = 4 (1 per group).
    let s = released_shortage(2, 4, 5);
    assert_eq!((s.extra_per_prompt, s.replay_per_group), (1, Some(1)));
    // E = 3 → r = ⌈5/4⌉ = 2 = k: num_replay = 0, and argpartition(x, -0)[-0:] is the whole
    // array: every eligible response.
    let s = released_shortage(2, 4, 3);
    assert_eq!((s.extra_per_prompt, s.replay_per_group), (2, None));
    // k = 3, B = 4, E = 6 → r = ⌈6/4⌉ = 2, replay (3 − 2)·4 = 4.
    let s = released_shortage(3, 4, 6);
    assert_eq!((s.extra_per_prompt, s.replay_per_group), (2, Some(1)));
}
