//! Which prompts a step trains on: epochs over a seeded shuffle of the dataset.
//!
//! Step `s` (1-based) takes the `B` prompts at positions `(s−1)·B .. s·B` of the endless
//! sequence "epoch 0's permutation, epoch 1's permutation, ...", where epoch `e`'s permutation
//! is a Fisher–Yates shuffle seeded by `derive(seed, e)`. The order is a pure function of
//! `(seed, s)`, so a resumed run sees exactly the prompts the uninterrupted run would.

use crate::rng::{derive, Rng};
use alloc::vec::Vec;

/// The permutation of `0..n` used in epoch `epoch`.
pub fn epoch_permutation(seed: u64, epoch: u64, n: usize) -> Vec<usize> {
    let mut perm: Vec<usize> = (0..n).collect();
    let mut rng = Rng::new(derive(seed, epoch));
    for i in (1..n).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        perm.swap(i, j);
    }
    perm
}

/// The dataset indices of step `step` (1-based): `batch` prompts, epochs wrapping around.
pub fn step_prompts(seed: u64, step: u64, batch: usize, n: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let first = (step.saturating_sub(1)) * batch as u64;
    let mut out = Vec::with_capacity(batch);
    let mut cached: Option<(u64, Vec<usize>)> = None;
    for p in first..first + batch as u64 {
        let epoch = p / n as u64;
        if cached.as_ref().map(|c| c.0) != Some(epoch) {
            cached = Some((epoch, epoch_permutation(seed, epoch, n)));
        }
        if let Some((_, perm)) = &cached {
            out.push(perm[(p % n as u64) as usize]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn an_epoch_visits_every_prompt_once() {
        let n = 10;
        let mut seen: Vec<usize> = (1..=5).flat_map(|s| step_prompts(3, s, 2, n)).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..n).collect::<Vec<_>>());
        // The next epoch is another order of the same prompts.
        let e0: Vec<usize> = (1..=5).flat_map(|s| step_prompts(3, s, 2, n)).collect();
        let e1: Vec<usize> = (6..=10).flat_map(|s| step_prompts(3, s, 2, n)).collect();
        assert_ne!(e0, e1);
    }

    #[test]
    fn a_batch_straddling_two_epochs_takes_the_end_of_one_and_the_start_of_the_next() {
        let (n, b) = (5, 3);
        let p0 = epoch_permutation(9, 0, n);
        let p1 = epoch_permutation(9, 1, n);
        assert_eq!(step_prompts(9, 2, b, n), vec![p0[3], p0[4], p1[0]]);
    }
}
