//! Token sampling: greedy at temperature 0, otherwise softmax sampling with optional top-p,
//! one counter-based uniform draw per row ([`hir_core::rng::uniform`]).
//!
//! Top-p needs the tokens in descending order of probability only as far as the nucleus
//! reaches, so instead of sorting the whole vocabulary (49152 entries for SmolLM2: a few
//! milliseconds per row) [`nucleus`] selects the `k` most probable tokens in linear time,
//! sorts those, and widens `k` only when their mass falls short. The order is a total order
//! (probability, then index), so the selected prefix is exactly the full sort's prefix and
//! the kept set and its mass (summed in that order) are bit for bit those of a full sort.

use hir_core::backend::{sample::check, Result, SampleParams};
use hir_core::rng::uniform;
use rayon::prelude::*;

use crate::task_size::rows_per_task;

/// The index of the largest value, the lowest index on ties (NaN never wins; an all-NaN row
/// gives 0).
fn argmax(z: &[f32]) -> u32 {
    let mut best = 0usize;
    for (j, &x) in z.iter().enumerate() {
        if x > z[best] || (z[best].is_nan() && !x.is_nan()) {
            best = j;
        }
    }
    best as u32
}

/// Tokens the first top-p selection looks at; widened by [`WIDEN`] while the nucleus is
/// larger.
const FIRST_K: usize = 64;
/// Factor by which the selection widens.
const WIDEN: usize = 8;

/// The top-p nucleus of `p`: the smallest prefix of the tokens sorted by descending `p`
/// (lower index first on ties) whose mass, summed in that order, reaches `target`, or every
/// token when none does. Returns the kept indices in ascending order and their mass.
fn nucleus(p: &[f64], target: f64) -> (Vec<u32>, f64) {
    let before = |a: &u32, b: &u32| p[*b as usize].total_cmp(&p[*a as usize]).then(a.cmp(b));
    let mut k = FIRST_K.min(p.len());
    loop {
        let mut order: Vec<u32> = (0..p.len() as u32).collect();
        if k < p.len() {
            order.select_nth_unstable_by(k - 1, before);
            order.truncate(k);
        }
        order.sort_unstable_by(before);
        let mut mass = 0.0f64;
        let mut taken = None;
        for (n, &j) in order.iter().enumerate() {
            mass += p[j as usize];
            if mass >= target {
                taken = Some(n + 1);
                break;
            }
        }
        if taken.is_some() || k == p.len() {
            order.truncate(taken.unwrap_or(k));
            order.sort_unstable();
            return (order, mass);
        }
        k = k.saturating_mul(WIDEN).min(p.len());
    }
}

/// The first index `j` of `kept` (ascending) whose running sum of `p` exceeds `threshold`;
/// the last one when rounding keeps the sum below it.
fn first_over(p: &[f64], kept: impl Iterator<Item = u32>, threshold: f64) -> u32 {
    let mut running = 0.0f64;
    let mut last = 0u32;
    for j in kept {
        running += p[j as usize];
        last = j;
        if running > threshold {
            return j;
        }
    }
    // Only reachable through rounding (u·mass ≥ the running total): the last kept token.
    last
}

/// Draws one token from `logits` (one row) with uniform number `u ∈ [0, 1)`.
///
/// `p_j ∝ exp((z_j − max)/T)` in f64. The kept set is the smallest prefix of tokens sorted by
/// descending probability (lower index first on ties) whose cumulative mass reaches
/// `top_p · Σp`; the token is then the first kept index `j` (in ascending index order) whose
/// running sum of kept probabilities exceeds `u · (kept mass)`.
fn sample_row(z: &[f32], u: f32, params: &SampleParams) -> u32 {
    if params.temperature == 0.0 {
        return argmax(z);
    }
    let max = z[argmax(z) as usize];
    let t = params.temperature;
    let p: Vec<f64> = z
        .iter()
        .map(|&x| ((x / t - max / t) as f64).exp())
        .collect();
    let total: f64 = p.iter().sum();
    if !(total > 0.0 && total.is_finite()) {
        return argmax(z);
    }
    if params.top_p >= 1.0 {
        return first_over(&p, 0..p.len() as u32, u as f64 * total);
    }
    let (kept, mass) = nucleus(&p, params.top_p as f64 * total);
    first_over(&p, kept.into_iter(), u as f64 * mass)
}

/// See [`hir_core::backend::Backend::sample`].
pub(crate) fn sample(
    logits: &[f32],
    vocab: usize,
    seeds: &[u64],
    params: &SampleParams,
) -> Result<Vec<u32>> {
    check(logits.len(), vocab, seeds.len(), params)?;
    Ok(logits
        .par_chunks(vocab)
        .zip(seeds.par_iter())
        .with_min_len(rows_per_task(vocab))
        .map(|(z, &seed)| sample_row(z, uniform(seed), params))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sampler before the partial selection: the whole vocabulary sorted, a `keep` mask,
    /// one pass in index order. The new one must draw the same token on every row.
    fn full_sort_row(z: &[f32], u: f32, params: &SampleParams) -> u32 {
        if params.temperature == 0.0 {
            return argmax(z);
        }
        let max = z[argmax(z) as usize];
        let t = params.temperature;
        let p: Vec<f64> = z
            .iter()
            .map(|&x| ((x / t - max / t) as f64).exp())
            .collect();
        let total: f64 = p.iter().sum();
        if !(total > 0.0 && total.is_finite()) {
            return argmax(z);
        }
        let mut keep = vec![params.top_p >= 1.0; p.len()];
        let kept_mass = if params.top_p >= 1.0 {
            total
        } else {
            let mut order: Vec<u32> = (0..p.len() as u32).collect();
            order.sort_by(|&a, &b| p[b as usize].total_cmp(&p[a as usize]).then(a.cmp(&b)));
            let target = params.top_p as f64 * total;
            let mut mass = 0.0f64;
            for &j in &order {
                keep[j as usize] = true;
                mass += p[j as usize];
                if mass >= target {
                    break;
                }
            }
            mass
        };
        let threshold = u as f64 * kept_mass;
        let mut running = 0.0f64;
        let mut last = 0u32;
        for (j, (&pj, &k)) in p.iter().zip(&keep).enumerate() {
            if !k {
                continue;
            }
            running += pj;
            last = j as u32;
            if running > threshold {
                return j as u32;
            }
        }
        last
    }

    /// A small xorshift generator for test logits.
    struct Gen(u64);
    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn unit(&mut self) -> f32 {
            (self.next() >> 40) as f32 / (1u64 << 24) as f32
        }
    }

    #[test]
    fn partial_selection_draws_what_the_full_sort_draws() {
        let mut g = Gen(0x9e37_79b9_7f4a_7c15);
        let mut rows = 0;
        for vocab in [1usize, 2, 7, 63, 64, 65, 600, 5000] {
            for &(spread, ties) in &[(0.5f32, false), (4.0, false), (12.0, false), (3.0, true)] {
                let z: Vec<f32> = (0..vocab)
                    .map(|_| {
                        let x = (g.unit() - 0.5) * 2.0 * spread;
                        // Coarse values make many exact ties.
                        if ties {
                            (x * 2.0).round() / 2.0
                        } else {
                            x
                        }
                    })
                    .collect();
                for &temperature in &[0.0f32, 0.3, 1.0, 2.5] {
                    for &top_p in &[1e-6f32, 0.1, 0.5, 0.9, 0.95, 0.999, 1.0] {
                        let params = SampleParams { temperature, top_p };
                        for _ in 0..8 {
                            let u = g.unit();
                            assert_eq!(
                                sample_row(&z, u, &params),
                                full_sort_row(&z, u, &params),
                                "vocab {vocab} spread {spread} ties {ties} {params:?} u {u}"
                            );
                            rows += 1;
                        }
                    }
                }
            }
        }
        assert!(rows > 1000);
    }

    #[test]
    fn nucleus_is_a_sorted_prefix_with_its_mass() {
        let p = [0.1f64, 0.4, 0.1, 0.3, 0.1];
        // 0.4 + 0.3 = 0.7 ≥ 0.6: tokens 1 and 3.
        assert_eq!(nucleus(&p, 0.6), (vec![1, 3], 0.4 + 0.3));
        // Ties go to the lower index: 0.4 + 0.3 + 0.1 (token 0).
        assert_eq!(nucleus(&p, 0.75), (vec![0, 1, 3], 0.4 + 0.3 + 0.1));
        // A target above the total keeps everything, summed in sorted order.
        let all = 0.4 + 0.3 + 0.1 + 0.1 + 0.1;
        assert_eq!(nucleus(&p, 2.0), (vec![0, 1, 2, 3, 4], all));
    }
}
