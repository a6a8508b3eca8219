//! [`paired_bootstrap`]: the mean paired difference between two methods and its 95%
//! percentile bootstrap confidence interval, over seeds and held-out items.
//!
//! The data are crossed, not nested: every seed of both methods is evaluated on the same
//! items, so item `i` is the same instruction under every seed. A resample therefore draws
//! `S` seeds and `N` items with replacement, independently, and averages the difference over
//! every drawn (seed, item) pair. That keeps both sources of uncertainty — which seeds (training
//! randomness) and which items (the held-out sample) — and keeps an item's correlation across
//! seeds, which resampling items separately inside each seed would break.

use hir_core::rng::{derive, Rng};
use serde::Serialize;

/// A mean difference with its 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PairedCi {
    /// Mean over seeds and items of `a − b`.
    pub mean: f64,
    /// 2.5th percentile of the bootstrap distribution of the mean.
    pub lo: f64,
    /// 97.5th percentile of the bootstrap distribution of the mean.
    pub hi: f64,
    /// Bootstrap draws.
    pub resamples: usize,
}

impl PairedCi {
    /// Whether the interval excludes 0 (a difference at the 5% level, two-sided).
    pub fn excludes_zero(&self) -> bool {
        self.lo > 0.0 || self.hi < 0.0
    }
}

/// `a[s][i]` and `b[s][i]`: two methods' values for seed `s` (paired by seed index) and item
/// `i` (the same items in the same order). Returns the mean over seeds and items of `a − b`
/// with a 95% percentile CI from `resamples` bootstrap draws of seeds and items (crossed; see
/// the module doc), deterministic for `seed`.
///
/// Shapes that do not match (a different number of seeds, or of items in any seed), no
/// seeds, no items or no resamples give NaN in every field but `resamples`: there is nothing
/// paired to compare.
pub fn paired_bootstrap(a: &[Vec<f64>], b: &[Vec<f64>], resamples: usize, seed: u64) -> PairedCi {
    let nan = PairedCi {
        mean: f64::NAN,
        lo: f64::NAN,
        hi: f64::NAN,
        resamples,
    };
    let seeds = a.len();
    let items = a.first().map_or(0, Vec::len);
    let shaped = |m: &[Vec<f64>]| m.len() == seeds && m.iter().all(|row| row.len() == items);
    if seeds == 0 || items == 0 || resamples == 0 || !shaped(a) || !shaped(b) {
        return nan;
    }
    let diff: Vec<Vec<f64>> = a
        .iter()
        .zip(b)
        .map(|(ra, rb)| ra.iter().zip(rb).map(|(x, y)| x - y).collect())
        .collect();
    let cells = (seeds * items) as f64;
    let mean = diff.iter().flatten().sum::<f64>() / cells;
    let mut rng = Rng::new(derive(seed, 0xB007_57A9));
    let mut seed_count = vec![0u32; seeds];
    let mut item_count = vec![0u32; items];
    let mut means: Vec<f64> = (0..resamples)
        .map(|_| {
            draw_counts(&mut rng, &mut seed_count);
            draw_counts(&mut rng, &mut item_count);
            weighted_mean(&diff, &seed_count, &item_count) / cells
        })
        .collect();
    means.sort_by(f64::total_cmp);
    PairedCi {
        mean,
        lo: percentile(&means, 0.025),
        hi: percentile(&means, 0.975),
        resamples,
    }
}

/// Draws `counts.len()` indices uniformly with replacement and stores how often each was drawn.
fn draw_counts(rng: &mut Rng, counts: &mut [u32]) {
    counts.iter_mut().for_each(|c| *c = 0);
    let n = counts.len() as u64;
    for _ in 0..n {
        counts[rng.below(n) as usize] += 1;
    }
}

/// `Σ_s Σ_i w_s v_i d[s][i]`: the sum over every drawn (seed, item) pair.
fn weighted_mean(diff: &[Vec<f64>], seed_count: &[u32], item_count: &[u32]) -> f64 {
    diff.iter()
        .zip(seed_count)
        .filter(|(_, &w)| w > 0)
        .map(|(row, &w)| {
            let inner: f64 = row
                .iter()
                .zip(item_count)
                .map(|(d, &v)| d * f64::from(v))
                .sum();
            f64::from(w) * inner
        })
        .sum()
}

/// The `q` quantile (0 ≤ q ≤ 1) of `sorted` (ascending), interpolating linearly between the
/// two nearest ranks (Hyndman–Fan type 7, numpy's default). NaN for an empty slice.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = q.clamp(0.0, 1.0) * (n - 1) as f64;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_matches_numpy_type_7() {
        // numpy.percentile([1, 2, 4, 8], [0, 2.5, 50, 97.5, 100]) = 1, 1.075, 3, 7.7, 8.
        let s = [1.0, 2.0, 4.0, 8.0];
        let want = [
            (0.0, 1.0),
            (0.025, 1.075),
            (0.5, 3.0),
            (0.975, 7.7),
            (1.0, 8.0),
        ];
        for (q, v) in want {
            assert!((percentile(&s, q) - v).abs() < 1e-12, "q {q}");
        }
        assert!(percentile(&[], 0.5).is_nan());
        assert_eq!(percentile(&[3.0], 0.9), 3.0);
    }

    #[test]
    fn a_constant_difference_has_a_point_interval() {
        let a = vec![vec![1.0, 0.0, 1.0]; 3];
        let b = vec![vec![0.5, -0.5, 0.5]; 3];
        let ci = paired_bootstrap(&a, &b, 500, 1);
        assert_eq!((ci.mean, ci.lo, ci.hi), (0.5, 0.5, 0.5));
        assert!(ci.excludes_zero());
    }

    /// Two seeds × two items: a resample draws seeds (s1, s2) and items (i1, i2), 4 × 4 = 16
    /// equally likely outcomes, each averaging d over its 2 × 2 drawn pairs. Enumerated here
    /// by hand; the bootstrap's draws must follow that distribution.
    #[test]
    fn resamples_follow_the_exact_two_by_two_distribution() {
        // d = a − b = [[1, 0], [0, 0]]: only (seed 0, item 0) differs.
        let a = vec![vec![1.0, 0.0], vec![0.0, 1.0]];
        let b = vec![vec![0.0, 0.0], vec![0.0, 1.0]];
        // Seed draws: both 0 (prob 1/4, weight 2 on seed 0), one of each (1/2, weight 1), both 1
        // (1/4, weight 0); the same for items. The mean is w_seed0 · v_item0 / 4, so:
        // P(1) = 1/16, P(1/2) = 2·(1/4·1/2) = 1/4, P(1/4) = 1/2·1/2 = 1/4, P(0) = 7/16.
        let n = 40_000;
        let mut rng = Rng::new(derive(7, 0xB007_57A9));
        let (mut sc, mut ic) = (vec![0u32; 2], vec![0u32; 2]);
        let diff = vec![vec![1.0, 0.0], vec![0.0, 0.0]];
        let mut freq = [0usize; 4]; // values 0, 1/4, 1/2, 1
        for _ in 0..n {
            draw_counts(&mut rng, &mut sc);
            draw_counts(&mut rng, &mut ic);
            let m = weighted_mean(&diff, &sc, &ic) / 4.0;
            let k = [0.0, 0.25, 0.5, 1.0].iter().position(|v| *v == m).unwrap();
            freq[k] += 1;
        }
        let want = [7.0 / 16.0, 0.25, 0.25, 1.0 / 16.0];
        for (f, w) in freq.iter().zip(want) {
            // 4 standard errors of a proportion near 0.44 at n = 40 000 is ≈ 0.01.
            assert!((*f as f64 / n as f64 - w).abs() < 0.01, "{freq:?}");
        }
        // The interval of the function itself: 2.5% of the mass is at 0 and 97.5% below 1
        // (P(1) = 1/16 > 2.5%), so [0, 1]; the mean is 1/4.
        let ci = paired_bootstrap(&a, &b, 4000, 3);
        assert_eq!((ci.mean, ci.lo, ci.hi), (0.25, 0.0, 1.0));
    }

    #[test]
    fn mismatched_or_empty_input_is_nan_not_a_panic() {
        let a = vec![vec![1.0, 0.0]];
        assert!(paired_bootstrap(&a, &[vec![1.0]], 10, 0).mean.is_nan());
        assert!(paired_bootstrap(&a, &[], 10, 0).mean.is_nan());
        assert!(paired_bootstrap(&[], &[], 10, 0).mean.is_nan());
        assert!(paired_bootstrap(&a, &a, 0, 0).lo.is_nan());
    }

    #[test]
    fn deterministic_for_a_seed_and_centred_on_the_mean() {
        let a: Vec<Vec<f64>> = (0..4)
            .map(|s| {
                (0..50)
                    .map(|i| ((i * 7 + s * 3) % 5 == 0) as u8 as f64)
                    .collect()
            })
            .collect();
        let b: Vec<Vec<f64>> = (0..4)
            .map(|s| {
                (0..50)
                    .map(|i| ((i * 3 + s) % 4 == 0) as u8 as f64)
                    .collect()
            })
            .collect();
        let x = paired_bootstrap(&a, &b, 2000, 11);
        assert_eq!(x, paired_bootstrap(&a, &b, 2000, 11));
        assert!(x.lo < x.mean && x.mean < x.hi, "{x:?}");
    }
}
