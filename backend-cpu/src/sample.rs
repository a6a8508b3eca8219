//! Token sampling: greedy at temperature 0, otherwise softmax sampling with optional top-p,
//! one counter-based uniform draw per row ([`hir_core::rng::uniform`]).

use hir_core::backend::{sample::check, Result, SampleParams};
use hir_core::rng::uniform;
use rayon::prelude::*;

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
    // Only reachable through rounding (u·mass ≥ the running total): the last kept token.
    last
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
        .map(|(z, &seed)| sample_row(z, uniform(seed), params))
        .collect())
}
