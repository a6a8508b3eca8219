//! AdamW, sum of squares and sampling of the CPU backend against hand computations and
//! statistics.

mod common;

use common::{cpu, normal, t};
use hir_backend_cpu::CpuBackend;
use hir_core::backend::{AdamWParams, Backend, SampleParams};

fn params(step: u32) -> AdamWParams {
    AdamWParams {
        lr: 0.1,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weight_decay: 0.01,
        step,
        grad_scale: 1.0,
    }
}

#[test]
fn adamw_first_step_by_hand() {
    // p = 1, g = 0.5: decay p = 1 − 0.1·0.01 = 0.999; m = 0.05, v = 0.001·0.25 = 2.5e-4;
    // m̂ = 0.5, v̂ = 0.25, so p = 0.999 − 0.1·0.5/(0.5 + 1e-8) = 0.899 (+2e-10).
    let b = cpu();
    let (mut p, mut m, mut v) = (t(&[1.0]), t(&[0.0]), t(&[0.0]));
    b.adamw_step(&mut p, &t(&[0.5]), &mut m, &mut v, &params(1))
        .unwrap();
    assert!(
        (p.as_slice()[0] - 0.899).abs() < 1e-6,
        "{}",
        p.as_slice()[0]
    );
    // β1 = 0.9 and β2 = 0.999 are f32 hyper-parameters (0.89999998, 0.99900001), so
    // 1 − β1 = 0.10000002: m = 0.05000001, v = 2.4998188e-4 (checked to within 1 f32 ulp).
    let want_m = (1.0 - 0.9f32 as f64) * 0.5;
    let want_v = (1.0 - 0.999f32 as f64) * 0.25;
    assert!(
        (m.as_slice()[0] as f64 - want_m).abs() < 4e-9,
        "m = {}",
        m.as_slice()[0]
    );
    assert!(
        (v.as_slice()[0] as f64 - want_v).abs() < 3e-11,
        "v = {}",
        v.as_slice()[0]
    );
}

#[test]
fn adamw_two_steps_match_formula_in_f64() {
    let b = cpu();
    let n = 29;
    let p0 = normal(1, n, 1.0);
    let grads = [normal(2, n, 0.3), normal(3, n, 0.3)];
    let (mut p, mut m, mut v) = (t(&p0), b.zeros(n).unwrap(), b.zeros(n).unwrap());
    let mut hp: Vec<f64> = p0.iter().map(|&x| x as f64).collect();
    let (mut hm, mut hv) = (vec![0.0f64; n], vec![0.0f64; n]);
    for (s, g) in grads.iter().enumerate() {
        let mut prm = params(s as u32 + 1);
        prm.grad_scale = 0.7;
        b.adamw_step(&mut p, &t(g), &mut m, &mut v, &prm).unwrap();
        let (lr, b1, b2) = (prm.lr as f64, prm.beta1 as f64, prm.beta2 as f64);
        let step = (s + 1) as i32;
        for i in 0..n {
            let gi = g[i] as f64 * prm.grad_scale as f64;
            hp[i] -= lr * prm.weight_decay as f64 * hp[i];
            hm[i] = b1 * hm[i] + (1.0 - b1) * gi;
            hv[i] = b2 * hv[i] + (1.0 - b2) * gi * gi;
            let mhat = hm[i] / (1.0 - b1.powi(step));
            let vhat = hv[i] / (1.0 - b2.powi(step));
            hp[i] -= lr * mhat / (vhat.sqrt() + prm.eps as f64);
        }
    }
    for i in 0..n {
        // A handful of f32 roundings of O(1) quantities: a few 1e-7.
        assert!((p.as_slice()[i] as f64 - hp[i]).abs() < 2e-6, "p[{i}]");
        assert!(
            (m.as_slice()[i] as f64 - hm[i]).abs() < 1e-6 * (1.0 + hm[i].abs()),
            "m[{i}]"
        );
        assert!(
            (v.as_slice()[i] as f64 - hv[i]).abs() < 1e-6 * hv[i].abs() + 1e-12,
            "v[{i}]"
        );
    }
}

#[test]
fn sum_squares_matches_f64() {
    let b = cpu();
    let xs = [
        normal(4, 1, 1.0),
        normal(5, 100_003, 1.0),
        normal(6, 17, 3.0),
    ];
    let ts: Vec<_> = xs.iter().map(|x| t(x)).collect();
    let got = b.sum_squares(&ts.iter().collect::<Vec<_>>()).unwrap() as f64;
    let want: f64 = xs.iter().flatten().map(|&x| (x as f64).powi(2)).sum();
    assert!((got - want).abs() <= 1e-7 * want, "{got} vs {want}");
}

fn sample(
    b: &CpuBackend,
    logits: &[f32],
    vocab: usize,
    seeds: &[u64],
    temperature: f32,
    top_p: f32,
) -> Vec<u32> {
    b.sample(
        &t(logits),
        vocab,
        seeds,
        &SampleParams { temperature, top_p },
    )
    .unwrap()
}

#[test]
fn greedy_is_argmax_with_lowest_index_on_ties() {
    let b = cpu();
    let logits = [
        1.0, 3.0, 3.0, 2.0, /* row 2 */ -5.0, -7.0, -1.0, -1.5, /* row 3 */ 0.0, 0.0,
        0.0, 0.0,
    ];
    assert_eq!(sample(&b, &logits, 4, &[1, 2, 3], 0.0, 1.0), vec![1, 2, 0]);
    // top_p is irrelevant at temperature 0.
    assert_eq!(sample(&b, &logits, 4, &[9, 9, 9], 0.0, 0.5), vec![1, 2, 0]);
}

#[test]
fn tiny_top_p_is_argmax() {
    let b = cpu();
    let (rows, vocab) = (50, 37);
    let logits = normal(7, rows * vocab, 2.0);
    let seeds: Vec<u64> = (0..rows as u64).collect();
    let greedy = sample(&b, &logits, vocab, &seeds, 0.0, 1.0);
    for temperature in [0.5, 1.0, 3.0] {
        assert_eq!(
            sample(&b, &logits, vocab, &seeds, temperature, 1e-6),
            greedy
        );
    }
}

/// Draws `n` samples of one row with seeds `0..n` and returns the counts per token.
fn counts(b: &CpuBackend, logits: &[f32], n: usize, temperature: f32, top_p: f32) -> Vec<usize> {
    let vocab = logits.len();
    let rows: Vec<f32> = (0..n).flat_map(|_| logits.iter().copied()).collect();
    let seeds: Vec<u64> = (0..n as u64)
        .map(|s| s.wrapping_mul(0x9E37_79B9) ^ 0xABCD)
        .collect();
    let mut c = vec![0usize; vocab];
    for tok in sample(b, &rows, vocab, &seeds, temperature, top_p) {
        c[tok as usize] += 1;
    }
    c
}

/// Each empirical frequency must lie within 5 binomial standard deviations of its
/// probability: `|c/n − p| ≤ 5·sqrt(p(1−p)/n)` (a false alarm has probability < 6e-7 per
/// token), plus one count of slack for p ≈ 0.
fn assert_frequencies(c: &[usize], p: &[f64], n: usize, what: &str) {
    for (j, (&cj, &pj)) in c.iter().zip(p).enumerate() {
        let f = cj as f64 / n as f64;
        let bound = 5.0 * (pj * (1.0 - pj) / n as f64).sqrt() + 1.0 / n as f64;
        assert!(
            (f - pj).abs() <= bound,
            "{what}: token {j} frequency {f}, probability {pj}"
        );
    }
}

#[test]
fn frequencies_follow_softmax_at_temperature() {
    let b = cpu();
    let logits = [0.3f32, -1.0, 1.2, 0.0, -0.4];
    let n = 20_000;
    for temperature in [1.0f32, 0.5, 2.0] {
        let w: Vec<f64> = logits
            .iter()
            .map(|&z| ((z / temperature) as f64).exp())
            .collect();
        let s: f64 = w.iter().sum();
        let p: Vec<f64> = w.iter().map(|x| x / s).collect();
        assert_frequencies(
            &counts(&b, &logits, n, temperature, 1.0),
            &p,
            n,
            &format!("T={temperature}"),
        );
    }
}

#[test]
fn top_p_keeps_the_nucleus_and_renormalises() {
    let b = cpu();
    // Probabilities 0.15, 0.5, 0.05, 0.3: sorted 0.5, 0.3, 0.15 reach 0.95 ≥ 0.9, so token 2
    // (0.05) is dropped and the rest renormalised by 0.95.
    let probs = [0.15f64, 0.5, 0.05, 0.3];
    let logits: Vec<f32> = probs.iter().map(|p| p.ln() as f32).collect();
    let n = 20_000;
    let c = counts(&b, &logits, n, 1.0, 0.9);
    assert_eq!(c[2], 0, "token outside the nucleus was drawn");
    let kept: Vec<f64> = probs
        .iter()
        .map(|&p| if p == 0.05 { 0.0 } else { p / 0.95 })
        .collect();
    assert_frequencies(&c, &kept, n, "top_p=0.9");
    // top_p = 0.5 keeps only the top token (0.5 ≥ 0.5).
    let c = counts(&b, &logits, 1000, 1.0, 0.5);
    assert_eq!(c[1], 1000);
}

#[test]
fn draws_are_deterministic_per_seed_and_row() {
    let (rows, vocab) = (64, 101);
    let logits = normal(8, rows * vocab, 1.0);
    let seeds: Vec<u64> = (0..rows as u64).map(|s| s * 31 + 5).collect();
    let a = sample(&cpu(), &logits, vocab, &seeds, 0.8, 0.95);
    let one = CpuBackend::with_threads(1).unwrap();
    assert_eq!(a, sample(&one, &logits, vocab, &seeds, 0.8, 0.95));
    // A row's draw depends only on its own logits and seed.
    for r in [0, 17, 63] {
        let alone = sample(
            &one,
            &logits[r * vocab..(r + 1) * vocab],
            vocab,
            &seeds[r..r + 1],
            0.8,
            0.95,
        );
        assert_eq!(alone[0], a[r]);
    }
    // Different seeds give different draws (not all the same token).
    let spread = sample(&one, &logits[..vocab].repeat(rows), vocab, &seeds, 1.0, 1.0);
    assert!(spread.iter().any(|&x| x != spread[0]));
}
