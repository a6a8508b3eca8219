//! The ops of a decode step at decoding's shapes (SmolLM2-135M: hidden 576, 9 query heads and
//! 3 key/value heads of 64, a 49152-token vocabulary, up to 16 sequences), large enough that
//! the CPU backend splits them over threads: every result must be the same bits on 1, 2 and
//! 5 threads, and attention over the cache must match a plain f64 computation.

use hir_backend_cpu::CpuBackend;
use hir_core::backend::{AttentionShape, Backend, CachedAttention, SampleParams};
use hir_core::rng::Rng;

fn pools() -> Vec<CpuBackend> {
    [1, 2, 5]
        .iter()
        .map(|&n| CpuBackend::with_threads(n).expect("pool"))
        .collect()
}

fn normal(n: usize, seed: u64, scale: f32) -> Vec<f32> {
    let mut r = Rng::new(seed);
    (0..n).map(|_| r.next_normal() * scale).collect()
}

/// Runs `op` on every pool and checks that all give the same bits; returns the result.
fn same_on_every_pool<T: PartialEq + std::fmt::Debug>(
    what: &str,
    op: impl Fn(&CpuBackend) -> T,
) -> T {
    let mut results = pools().iter().map(op).collect::<Vec<_>>();
    let first = results.remove(0);
    for (i, r) in results.iter().enumerate() {
        assert!(
            *r == first,
            "{what}: pool {} differs from one thread",
            i + 1
        );
    }
    first
}

fn bits(v: Vec<f32>) -> Vec<u32> {
    v.into_iter().map(f32::to_bits).collect()
}

#[test]
fn row_ops_are_bit_identical_on_any_thread_count() {
    let (rows, dim, ffn) = (64, 576, 1536);
    let x = normal(rows * dim, 1, 1.0);
    let w = normal(dim, 2, 0.3);
    let wide = normal(rows * ffn, 3, 1.0);
    let bias = normal(ffn, 4, 1.0);
    same_on_every_pool("rmsnorm", |b| {
        let (y, r) = b
            .rmsnorm(&b.upload(&x).unwrap(), &b.upload(&w).unwrap(), dim, 1e-5)
            .unwrap();
        (bits(b.download(&y).unwrap()), bits(b.download(&r).unwrap()))
    });
    same_on_every_pool("add_bias", |b| {
        let mut t = b.upload(&wide).unwrap();
        b.add_bias(&mut t, &b.upload(&bias).unwrap(), ffn).unwrap();
        bits(b.download(&t).unwrap())
    });
    let rows_idx: Vec<u32> = (0..rows as u32).rev().step_by(3).collect();
    let gathered = same_on_every_pool("gather_rows", |b| {
        let g = b
            .gather_rows(
                &b.upload(&wide).unwrap(),
                &b.upload_index(&rows_idx).unwrap(),
                ffn,
            )
            .unwrap();
        b.download(&g).unwrap()
    });
    for (i, &r) in rows_idx.iter().enumerate() {
        let r = r as usize;
        assert_eq!(gathered[i * ffn..][..ffn], wide[r * ffn..][..ffn]);
    }
    let (tokens, heads, e) = (200, 9, 64);
    let qx = normal(tokens * heads * e, 5, 1.0);
    let pos: Vec<u32> = (0..tokens as u32).map(|i| (i * 7) % 300).collect();
    same_on_every_pool("rope", |b| {
        let mut t = b.upload(&qx).unwrap();
        let p = b.upload_index(&pos).unwrap();
        b.rope(&mut t, &p, heads, e, 100_000.0, false).unwrap();
        bits(b.download(&t).unwrap())
    });
}

/// Attention of query `q: [E]` against keys and values of `[E]` each, in f64.
fn attend_f64(q: &[f32], k: &[Vec<f32>], v: &[Vec<f32>]) -> Vec<f64> {
    let e = q.len();
    let scale = 1.0 / (e as f64).sqrt();
    let s: Vec<f64> = k
        .iter()
        .map(|kj| {
            q.iter()
                .zip(kj)
                .map(|(&a, &b)| a as f64 * b as f64)
                .sum::<f64>()
                * scale
        })
        .collect();
    let max = s.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let p: Vec<f64> = s.iter().map(|&x| (x - max).exp()).collect();
    let total: f64 = p.iter().sum();
    (0..e)
        .map(|c| {
            p.iter()
                .zip(v)
                .map(|(&pj, vj)| pj * vj[c] as f64)
                .sum::<f64>()
                / total
        })
        .collect()
}

#[test]
fn cached_attention_is_bit_identical_on_any_thread_count_and_matches_f64() {
    let (slots, max_len, heads, kv_heads, e) = (5, 300, 9, 3, 64);
    let shape = CachedAttention::new(AttentionShape::new(heads, kv_heads, e), max_len);
    let k_cache = normal(slots * max_len * kv_heads * e, 11, 1.0);
    let v_cache = normal(slots * max_len * kv_heads * e, 12, 1.0);
    // A decode step (one token per slot at different lengths, one long) and a single stream.
    for (slot, pos) in [
        (vec![0u32, 1, 2, 3, 4], vec![299u32, 0, 17, 128, 255]),
        (vec![3], vec![260]),
    ] {
        let q = normal(slot.len() * heads * e, 13, 1.0);
        let o = same_on_every_pool("attention_cached", |b| {
            let o = b
                .attention_cached(
                    &b.upload(&q).unwrap(),
                    &b.upload(&k_cache).unwrap(),
                    &b.upload(&v_cache).unwrap(),
                    &b.upload_index(&slot).unwrap(),
                    &b.upload_index(&pos).unwrap(),
                    shape,
                )
                .unwrap();
            bits(b.download(&o).unwrap())
        });
        for (i, (&s, &p)) in slot.iter().zip(&pos).enumerate() {
            for h in 0..heads {
                let g = h / (heads / kv_heads);
                let row = |c: &[f32], j: usize| {
                    c[((s as usize * max_len + j) * kv_heads + g) * e..][..e].to_vec()
                };
                let ks: Vec<Vec<f32>> = (0..=p as usize).map(|j| row(&k_cache, j)).collect();
                let vs: Vec<Vec<f32>> = (0..=p as usize).map(|j| row(&v_cache, j)).collect();
                let want = attend_f64(&q[(i * heads + h) * e..][..e], &ks, &vs);
                let got = &o[(i * heads + h) * e..][..e];
                for (c, (&g, &w)) in got.iter().zip(&want).enumerate() {
                    let g = f32::from_bits(g) as f64;
                    assert!(
                        (g - w).abs() <= 1e-5 * (1.0 + w.abs()),
                        "token {i} head {h} column {c}: {g} against {w}"
                    );
                }
            }
        }
    }
}

#[test]
fn sampling_a_wide_vocabulary_is_the_same_on_any_thread_count() {
    let (rows, vocab) = (16, 49_152);
    let logits = normal(rows * vocab, 21, 3.0);
    let seeds: Vec<u64> = (0..rows as u64).map(|r| r * 7919 + 1).collect();
    for params in [
        SampleParams {
            temperature: 0.0,
            top_p: 1.0,
        },
        SampleParams {
            temperature: 0.8,
            top_p: 0.9,
        },
        SampleParams {
            temperature: 1.0,
            top_p: 1.0,
        },
    ] {
        let drawn = same_on_every_pool("sample", |b| {
            b.sample(&b.upload(&logits).unwrap(), vocab, &seeds, &params)
                .unwrap()
        });
        if params.temperature == 0.0 {
            for (r, &t) in drawn.iter().enumerate() {
                let row = &logits[r * vocab..][..vocab];
                let best = row.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
                assert_eq!(row.iter().position(|&x| x == best), Some(t as usize));
            }
        }
    }
}
