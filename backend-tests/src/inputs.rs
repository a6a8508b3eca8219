//! Seeded inputs: every case draws its numbers from fixed seeds, so every backend (and the
//! f64 reference) sees the same values.

use hir_core::rng::Rng;

/// `n` standard normal samples times `scale`, from `seed`.
pub fn normal(seed: u64, n: usize, scale: f32) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| rng.next_normal() * scale).collect()
}

/// `n` integers in `0..bound`, from `seed`.
pub fn ints(seed: u64, n: usize, bound: u32) -> Vec<u32> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| rng.below(bound as u64) as u32).collect()
}

/// `seq_starts` of packed sequences with these lengths (`[0, l0, l0 + l1, …]`).
pub fn starts(lens: &[u32]) -> Vec<u32> {
    let mut s = vec![0u32];
    for &l in lens {
        s.push(s[s.len() - 1] + l);
    }
    s
}

/// `x` widened to f64.
pub fn wide(x: &[f32]) -> Vec<f64> {
    x.iter().map(|&v| v as f64).collect()
}
