//! The blocked training attention on sequences longer than one query tile (64 rows), with
//! ragged tails, against straightforward f64 formulas: forward `o, lse` and the analytic
//! gradients `dq, dk, dv` of `L = Σ w·o`.

mod common;

use common::{cpu, normal, t};
use hir_core::backend::{AttentionSaved, AttentionShape, Backend};

/// Heads, key/value heads, head size, sequence lengths: several tiles per sequence, tails of
/// 1 and 63 rows, an exact multiple of the tile, and GQA groups of 1, 2 and 3.
const CASES: [(usize, usize, usize, &[u32]); 3] = [
    (4, 2, 32, &[130, 1, 64]),
    (3, 1, 16, &[191, 65]),
    (2, 2, 8, &[129]),
];

/// f32 results of O(1) inputs with sums of ≤ 191 softmax terms and 32-term dot products
/// carry errors ~1e-6; a wrong tile offset, mask or accumulation is off by O(0.1..1).
const TOL: f64 = 2e-5;

/// `seq_starts` of packed sequences with these lengths.
fn starts(lens: &[u32]) -> Vec<u32> {
    let mut s = vec![0];
    for &l in lens {
        s.push(s[s.len() - 1] + l);
    }
    s
}

/// f64 reference: `(o, lse, dq, dk, dv)` for upstream gradient `w = dL/do`.
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn reference(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    w: &[f32],
    seq: &[u32],
    heads: usize,
    kv: usize,
    e: usize,
) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let f = |x: f32| x as f64;
    let scale = 1.0 / (e as f64).sqrt();
    let n = q.len() / (heads * e);
    let (mut o, mut lse) = (vec![0.0; q.len()], vec![0.0; n * heads]);
    let (mut dq, mut dk, mut dv) = (vec![0.0; q.len()], vec![0.0; k.len()], vec![0.0; v.len()]);
    for s in seq.windows(2) {
        let s0 = s[0] as usize;
        for i in s0..s[1] as usize {
            for h in 0..heads {
                let g = h / (heads / kv);
                let qi = (i * heads + h) * e;
                let kj = |j: usize| (j * kv + g) * e;
                let dot = |a: &[f32], ao: usize, b: &[f32], bo: usize| -> f64 {
                    (0..e).map(|d| f(a[ao + d]) * f(b[bo + d])).sum()
                };
                let sc: Vec<f64> = (s0..=i).map(|j| dot(q, qi, k, kj(j)) * scale).collect();
                let l = sc.iter().map(|x| x.exp()).sum::<f64>().ln();
                lse[i * heads + h] = l;
                let p: Vec<f64> = sc.iter().map(|x| (x - l).exp()).collect();
                for (jj, &pj) in p.iter().enumerate() {
                    for d in 0..e {
                        o[qi + d] += pj * f(v[kj(s0 + jj) + d]);
                    }
                }
                let delta: f64 = (0..e).map(|d| f(w[qi + d]) * o[qi + d]).sum();
                for (jj, &pj) in p.iter().enumerate() {
                    let j = s0 + jj;
                    let ds = pj * (dot(w, qi, v, kj(j)) - delta);
                    for d in 0..e {
                        dq[qi + d] += ds * f(k[kj(j) + d]) * scale;
                        dk[kj(j) + d] += ds * f(q[qi + d]) * scale;
                        dv[kj(j) + d] += pj * f(w[qi + d]);
                    }
                }
            }
        }
    }
    (o, lse, dq, dk, dv)
}

fn assert_close(name: &str, got: &[f32], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{name} length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g as f64 - w).abs() <= TOL * (1.0 + w.abs()),
            "{name}[{i}] = {g}, want {w}"
        );
    }
}

#[test]
fn multi_tile_attention_forward_and_backward_match_f64() {
    let b = cpu();
    for (heads, kv, e, lens) in CASES {
        let seq = starts(lens);
        let n = seq[seq.len() - 1] as usize;
        let q = normal(21, n * heads * e, 1.0);
        let k = normal(22, n * kv * e, 1.0);
        let v = normal(23, n * kv * e, 1.0);
        let w = normal(24, n * heads * e, 1.0);
        let tag = format!("H={heads} Hkv={kv} E={e} seqs={lens:?}");
        let (o, lse) = b
            .attention(
                &t(&q),
                &t(&k),
                &t(&v),
                &seq,
                AttentionShape::new(heads, kv, e),
            )
            .expect("attention");
        let (dq, dk, dv) = b
            .attention_backward(
                &t(&w),
                AttentionSaved {
                    q: &t(&q),
                    k: &t(&k),
                    v: &t(&v),
                    o: &o,
                    lse: &lse,
                },
                &seq,
                AttentionShape::new(heads, kv, e),
            )
            .expect("attention_backward");
        let (want_o, want_lse, want_dq, want_dk, want_dv) =
            reference(&q, &k, &v, &w, &seq, heads, kv, e);
        assert_close(&format!("o {tag}"), o.as_slice(), &want_o);
        assert_close(&format!("lse {tag}"), lse.as_slice(), &want_lse);
        assert_close(&format!("dq {tag}"), dq.as_slice(), &want_dq);
        assert_close(&format!("dk {tag}"), dk.as_slice(), &want_dk);
        assert_close(&format!("dv {tag}"), dv.as_slice(), &want_dv);
    }
}
