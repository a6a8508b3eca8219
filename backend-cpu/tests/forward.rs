//! Forward ops of the CPU backend against straightforward f64 formulas.

mod common;

use common::{cpu, ints, ix, normal, t};
use hir_core::backend::{AttentionShape, Backend, CachedAttention, KvCacheShape, Matmul};

/// Unit roundoff of f32.
const EPS32: f64 = f32::EPSILON as f64 / 2.0;

#[test]
fn matmul_matches_triple_loop_in_all_layouts() {
    let b = cpu();
    for (m, k, n) in [
        (1, 1, 1),
        (1, 9, 1),
        (5, 1, 3),
        (17, 33, 9),
        (70, 129, 65),
        (64, 64, 64),
    ] {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            for (alpha, beta) in [(1.0f32, 0.0f32), (-0.5, 2.0)] {
                let a = normal(1, m * k, 1.0);
                let bm = normal(2, k * n, 1.0);
                let c0 = if beta == 0.0 {
                    vec![f32::NAN; m * n]
                } else {
                    normal(3, m * n, 1.0)
                };
                let mut c = t(&c0);
                b.matmul(
                    &t(&a),
                    &t(&bm),
                    &mut c,
                    Matmul {
                        m,
                        k,
                        n,
                        trans_a: ta,
                        trans_b: tb,
                        alpha,
                        beta,
                    },
                )
                .unwrap();
                for i in 0..m {
                    for j in 0..n {
                        let (mut want, mut mag) = (0.0f64, 0.0f64);
                        for p in 0..k {
                            let av = if ta { a[p * m + i] } else { a[i * k + p] } as f64;
                            let bv = if tb { bm[j * k + p] } else { bm[p * n + j] } as f64;
                            want += av * bv;
                            mag += (av * bv).abs();
                        }
                        let c_term = if beta == 0.0 {
                            0.0
                        } else {
                            beta as f64 * c0[i * n + j] as f64
                        };
                        let want = alpha as f64 * want + c_term;
                        let got = c.as_slice()[i * n + j] as f64;
                        // Standard f32 dot-product bound γ_k·Σ|a b| (any summation order),
                        // plus the rounding of the α/β combination.
                        let bound = (k as f64 + 3.0)
                            * EPS32
                            * (mag * alpha.abs() as f64 + c_term.abs() + want.abs())
                            + 1e-30;
                        assert!(
                            (got - want).abs() <= bound,
                            "m={m} k={k} n={n} tA={ta} tB={tb} α={alpha} β={beta} C[{i},{j}] = \
                             {got}, want {want} (bound {bound:e})"
                        );
                    }
                }
            }
        }
    }
}

/// Explicit causal softmax attention in f64 for token `i`, head `h`: `(o, lse)`.
#[allow(clippy::too_many_arguments)]
fn naive_attention_row(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    s0: usize,
    i: usize,
    h: usize,
    heads: usize,
    kv: usize,
    e: usize,
) -> (Vec<f64>, f64) {
    let g = h / (heads / kv);
    let qi = &q[(i * heads + h) * e..][..e];
    let scores: Vec<f64> = (s0..=i)
        .map(|j| {
            let kj = &k[(j * kv + g) * e..][..e];
            qi.iter()
                .zip(kj)
                .map(|(&a, &b)| a as f64 * b as f64)
                .sum::<f64>()
                / (e as f64).sqrt()
        })
        .collect();
    let lse = scores.iter().map(|s| s.exp()).sum::<f64>().ln();
    let mut o = vec![0.0f64; e];
    for (jj, s) in scores.iter().enumerate() {
        let p = (s - lse).exp();
        for (d, od) in o.iter_mut().enumerate() {
            *od += p * v[((s0 + jj) * kv + g) * e + d] as f64;
        }
    }
    (o, lse)
}

/// `seq_starts` of packed sequences with these lengths.
fn starts(lens: &[u32]) -> Vec<u32> {
    let mut s = vec![0];
    for &l in lens {
        s.push(s[s.len() - 1] + l);
    }
    s
}

const ATTENTION_CASES: [(usize, usize, usize, &[u32]); 4] = [
    (1, 1, 1, &[1]),
    (4, 2, 5, &[3, 1, 0, 7]),
    (6, 2, 17, &[1, 40, 2]),
    (8, 1, 64, &[33]),
];

#[test]
fn attention_matches_explicit_softmax() {
    let b = cpu();
    for (heads, kv, e, lens) in ATTENTION_CASES {
        let seq = starts(lens);
        let n = seq[seq.len() - 1] as usize;
        let q = normal(4, n * heads * e, 1.5);
        let k = normal(5, n * kv * e, 1.5);
        let v = normal(6, n * kv * e, 1.0);
        let (o, lse) = b
            .attention(
                &t(&q),
                &t(&k),
                &t(&v),
                &seq,
                AttentionShape::new(heads, kv, e),
            )
            .unwrap();
        for w in seq.windows(2) {
            for i in w[0] as usize..w[1] as usize {
                for h in 0..heads {
                    let (want_o, want_lse) =
                        naive_attention_row(&q, &k, &v, w[0] as usize, i, h, heads, kv, e);
                    // f32 scores over ≤ 64-term dot products and ≤ 40-term softmax sums of
                    // O(1) values: errors ~1e-6; 2e-5 leaves a wide margin.
                    let got_lse = lse.as_slice()[i * heads + h] as f64;
                    assert!(
                        (got_lse - want_lse).abs() < 2e-5,
                        "lse[{i},{h}] {got_lse} vs {want_lse}"
                    );
                    for (d, want) in want_o.iter().enumerate() {
                        let got = o.as_slice()[(i * heads + h) * e + d] as f64;
                        assert!(
                            (got - want).abs() < 2e-5,
                            "H={heads} Hkv={kv} E={e} o[{i},{h},{d}] = {got}, want {want}"
                        );
                    }
                }
            }
        }
    }
}

/// Bound on `|cached − training| / (1 + |training|)` for the attention outputs below.
///
/// The training attention computes scores with blocked `gemm` calls (one FMA chain over `E`)
/// and the KV-cache attention one row at a time (eight partial sums), so the same scores
/// differ by reordering: at most `γ_E·Σ|q_d k_d|/sqrt(E)` ≈ 64·6e-8·8 ≈ 3e-5 for E = 64 and
/// O(1) inputs in the worst case, typically ~1e-7 (measured ≤ 5e-7 on these cases). A
/// probability-weighted mean of the O(1) values inherits that relative error, so 1e-5 is a
/// tight bound that still catches any real difference (a wrong key, mask or position is O(1)).
const CACHED_TOLERANCE: f32 = 1e-5;

/// Prefill + decode through the KV cache gives the training attention of the same tokens,
/// up to f32 rounding of the reordered score sums ([`CACHED_TOLERANCE`]).
#[test]
fn cached_attention_equals_training_attention() {
    let b = cpu();
    for (heads, kv, e, lens) in ATTENTION_CASES {
        let seq = starts(lens);
        let n = seq[seq.len() - 1] as usize;
        let q = normal(7, n * heads * e, 1.0);
        let k = normal(8, n * kv * e, 1.0);
        let v = normal(9, n * kv * e, 1.0);
        let (o_train, _) = b
            .attention(
                &t(&q),
                &t(&k),
                &t(&v),
                &seq,
                AttentionShape::new(heads, kv, e),
            )
            .unwrap();
        let max_len = *lens.iter().max().unwrap() as usize + 2;
        let slots = lens.len() + 1;
        // Garbage in the cache beyond what is written must not matter.
        let mut kc = t(&normal(10, slots * max_len * kv * e, 9.0));
        let mut vc = t(&normal(11, slots * max_len * kv * e, 9.0));
        let mut o_cached = vec![0.0f32; n * heads * e];
        let (qrow, kvrow) = (heads * e, kv * e);
        for (s, w) in seq.windows(2).enumerate() {
            let (a, z) = (w[0] as usize, w[1] as usize);
            if a == z {
                continue;
            }
            let slot_id = (slots - 1 - s) as u32;
            // Prefill the first half (at least one token) in one call, then decode one by one.
            let split = a + ((z - a) / 2).max(1);
            let mut chunks = vec![(a, split)];
            chunks.extend((split..z).map(|i| (i, i + 1)));
            for (c0, c1) in chunks {
                let slot = ix(&vec![slot_id; c1 - c0]);
                let pos = ix(&((c0 - a) as u32..(c1 - a) as u32).collect::<Vec<_>>());
                b.kv_cache_write(
                    &mut kc,
                    &t(&k[c0 * kvrow..c1 * kvrow]),
                    &slot,
                    &pos,
                    KvCacheShape::new(max_len, kv, e),
                )
                .unwrap();
                b.kv_cache_write(
                    &mut vc,
                    &t(&v[c0 * kvrow..c1 * kvrow]),
                    &slot,
                    &pos,
                    KvCacheShape::new(max_len, kv, e),
                )
                .unwrap();
                let o = b
                    .attention_cached(
                        &t(&q[c0 * qrow..c1 * qrow]),
                        &kc,
                        &vc,
                        &slot,
                        &pos,
                        CachedAttention::new(AttentionShape::new(heads, kv, e), max_len),
                    )
                    .unwrap();
                o_cached[c0 * qrow..c1 * qrow].copy_from_slice(o.as_slice());
            }
        }
        let worst = o_cached
            .iter()
            .zip(o_train.as_slice())
            .map(|(&c, &w)| (c - w).abs() / (1.0 + w.abs()))
            .fold(0.0f32, f32::max);
        assert!(
            worst <= CACHED_TOLERANCE,
            "H={heads} Hkv={kv} E={e} seqs={lens:?}: |cached − training| / (1 + |training|) \
             = {worst:e} > {CACHED_TOLERANCE:e}"
        );
    }
}

#[test]
fn kv_cache_write_places_rows() {
    let b = cpu();
    let (slots, max_len, kv, e) = (2, 3, 2, 2);
    let mut cache = b.zeros(slots * max_len * kv * e).unwrap();
    let x: Vec<f32> = (1..=8).map(|v| v as f32).collect(); // two tokens of [kv=2, e=2]
    b.kv_cache_write(
        &mut cache,
        &t(&x),
        &ix(&[1, 0]),
        &ix(&[2, 0]),
        KvCacheShape::new(max_len, kv, e),
    )
    .unwrap();
    let mut want = [0.0f32; 24];
    want[((max_len + 2) * kv * e)..((max_len + 3) * kv * e)].copy_from_slice(&x[..4]);
    want[..4].copy_from_slice(&x[4..]);
    assert_eq!(cache.as_slice(), &want[..]);
}

#[test]
fn rmsnorm_matches_formula() {
    let b = cpu();
    for (rows, dim) in [(1, 1), (3, 5), (2, 257)] {
        let x = normal(12, rows * dim, 3.0);
        let w = normal(13, dim, 1.0);
        let (y, rstd) = b.rmsnorm(&t(&x), &t(&w), dim, 1e-6).unwrap();
        for r in 0..rows {
            let row = &x[r * dim..(r + 1) * dim];
            let ms = row.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / dim as f64;
            let want_r = 1.0 / (ms + 1e-6).sqrt();
            assert!((rstd.as_slice()[r] as f64 - want_r).abs() <= 2.0 * EPS32 * want_r);
            for c in 0..dim {
                let want = row[c] as f64 * want_r * w[c] as f64;
                let got = y.as_slice()[r * dim + c] as f64;
                assert!(
                    (got - want).abs() <= 8.0 * EPS32 * want.abs() + 1e-30,
                    "y[{r},{c}]"
                );
            }
        }
    }
}

#[test]
fn rope_matches_rotate_half_formula_and_inverts() {
    let b = cpu();
    let (n, heads, e, theta) = (4, 3, 10, 10_000.0f32);
    let x = normal(14, n * heads * e, 1.0);
    let pos = [0u32, 1, 17, 4095];
    let mut y = t(&x);
    b.rope(&mut y, &ix(&pos), heads, e, theta, false).unwrap();
    for (i, &p) in pos.iter().enumerate() {
        for h in 0..heads {
            let base = (i * heads + h) * e;
            for d in 0..e / 2 {
                // The angle as Hugging Face computes it: f32 inv_freq times f32 position.
                let f = (1.0 / (theta as f64).powf(2.0 * d as f64 / e as f64)) as f32;
                let a = (p as f32 * f) as f64;
                let (x1, x2) = (x[base + d] as f64, x[base + d + e / 2] as f64);
                let want1 = x1 * a.cos() - x2 * a.sin();
                let want2 = x2 * a.cos() + x1 * a.sin();
                assert!((y.as_slice()[base + d] as f64 - want1).abs() < 1e-6);
                assert!((y.as_slice()[base + d + e / 2] as f64 - want2).abs() < 1e-6);
            }
        }
    }
    b.rope(&mut y, &ix(&pos), heads, e, theta, true).unwrap();
    for (got, want) in y.as_slice().iter().zip(&x) {
        assert!(
            (got - want).abs() < 1e-6,
            "inverse(rope(x)) = {got}, x = {want}"
        );
    }
}

#[test]
fn swiglu_matches_formula() {
    let b = cpu();
    let g = normal(15, 33, 4.0);
    let u = normal(16, 33, 1.0);
    let h = b.swiglu(&t(&g), &t(&u)).unwrap();
    for i in 0..33 {
        let gi = g[i] as f64;
        let want = gi / (1.0 + (-gi).exp()) * u[i] as f64;
        assert!((h.as_slice()[i] as f64 - want).abs() <= 1e-6 * (1.0 + want.abs()));
    }
}

#[test]
fn cross_entropy_and_logprobs_match_f64_softmax() {
    let b = cpu();
    let (rows, vocab) = (5, 37);
    let logits = normal(17, rows * vocab, 4.0);
    let mut targets = ints(18, rows, vocab as u32);
    targets[3] = u32::MAX;
    let (loss, lse) = b.cross_entropy(&t(&logits), &ix(&targets), vocab).unwrap();
    for temp in [1.0f32, 0.6] {
        let (logp, ent) = b
            .token_logprobs_entropy(&t(&logits), &ix(&targets), vocab, temp)
            .unwrap();
        for r in 0..rows {
            let z: Vec<f64> = logits[r * vocab..(r + 1) * vocab]
                .iter()
                .map(|&x| (x / temp) as f64)
                .collect();
            let want_lse = z.iter().map(|x| x.exp()).sum::<f64>().ln();
            let want_ent: f64 = -z
                .iter()
                .map(|x| (x - want_lse).exp() * (x - want_lse))
                .sum::<f64>();
            let want_logp = if r == 3 {
                0.0
            } else {
                z[targets[r] as usize] - want_lse
            };
            assert!(
                (logp.as_slice()[r] as f64 - want_logp).abs() < 1e-5,
                "logp row {r} T={temp}"
            );
            assert!(
                (ent.as_slice()[r] as f64 - want_ent).abs() < 1e-5,
                "entropy row {r} T={temp}"
            );
            if temp == 1.0 {
                assert!(
                    (lse.as_slice()[r] as f64 - want_lse).abs() < 1e-5,
                    "lse row {r}"
                );
                let want_loss = if r == 3 { 0.0 } else { -want_logp };
                assert!(
                    (loss.as_slice()[r] as f64 - want_loss).abs() < 1e-5,
                    "loss row {r}"
                );
            }
        }
    }
}

#[test]
fn gather_and_embedding_copy_rows() {
    let b = cpu();
    let table: Vec<f32> = (0..12).map(|v| v as f32).collect(); // [4, 3]
    let ids = ix(&[3, 0, 3]);
    let want = vec![9.0, 10.0, 11.0, 0.0, 1.0, 2.0, 9.0, 10.0, 11.0];
    assert_eq!(
        b.embedding(&t(&table), &ids, 3).unwrap().as_slice(),
        &want[..]
    );
    assert_eq!(
        b.gather_rows(&t(&table), &ids, 3).unwrap().as_slice(),
        &want[..]
    );
}
