//! Conformance cases for the network ops: RMSNorm, RoPE, attention (training and KV cache),
//! SwiGLU, the vocabulary losses, and the shape-error contract.

use hir_core::backend::{
    AttentionSaved, AttentionShape, Backend, CachedAttention, KvCacheShape, Matmul, Result,
    SampleParams,
};

use super::cases::{case, ints, normal};
use super::{compare, CaseReport, Outputs, Tolerance, EXACT, F32_REDUCTION, TRANSCENDENTAL};
use crate::CpuBackend;

/// Attention sums up to 256 exponentiated scores and, in the backward pass, products over
/// `group · 256` terms: a little more room than a plain reduction.
const ATTENTION: Tolerance = Tolerance {
    abs: 2e-4,
    rel: 2e-4,
};

/// Attention configurations `(heads, kv_heads, head_dim, sequence lengths)`: single tokens,
/// GQA groups of 1..8, odd head sizes, an empty sequence, a 256-token sequence.
const ATTENTION_CONFIGS: [(usize, usize, usize, &[u32]); 6] = [
    (1, 1, 1, &[1]),
    (2, 1, 3, &[1, 4]),
    (4, 2, 8, &[5, 1, 9]),
    (6, 3, 17, &[33, 0, 1, 16]),
    (8, 8, 64, &[100]),
    (8, 1, 16, &[256]),
];

pub(crate) fn run<B: Backend>(b: &B, r: &CpuBackend, reports: &mut Vec<CaseReport>) {
    for (rows, dim) in [(1, 1), (5, 7), (33, 256), (3, 1)] {
        let name = format!("rmsnorm rows={rows} dim={dim}");
        case!(reports, b, r, name, F32_REDUCTION, rmsnorm(rows, dim));
    }
    for (n, heads, head_dim) in [(1, 1, 2), (7, 3, 6), (19, 2, 34), (5, 4, 256)] {
        let name = format!("rope N={n} heads={heads} head_dim={head_dim}");
        case!(
            reports,
            b,
            r,
            name,
            TRANSCENDENTAL,
            rope(n, heads, head_dim)
        );
    }
    for (heads, kv_heads, e, lens) in ATTENTION_CONFIGS {
        let name = format!("attention H={heads} Hkv={kv_heads} E={e} seqs={lens:?}");
        case!(
            reports,
            b,
            r,
            name,
            ATTENTION,
            attention(heads, kv_heads, e, lens)
        );
        let name = format!("kv cache H={heads} Hkv={kv_heads} E={e} seqs={lens:?}");
        case!(
            reports,
            b,
            r,
            name,
            ATTENTION,
            kv_cache(heads, kv_heads, e, lens)
        );
    }
    for n in [1, 17, 4099] {
        case!(
            reports,
            b,
            r,
            format!("swiglu n={n}"),
            TRANSCENDENTAL,
            swiglu(n)
        );
    }
    for (rows, vocab) in [(1, 1), (3, 2), (17, 37), (40, 256)] {
        let name = format!("cross_entropy rows={rows} vocab={vocab}");
        case!(
            reports,
            b,
            r,
            name,
            F32_REDUCTION,
            cross_entropy(rows, vocab)
        );
        for t in [1.0, 0.7] {
            let name = format!("token_logprobs_entropy rows={rows} vocab={vocab} T={t}");
            case!(reports, b, r, name, F32_REDUCTION, logprobs(rows, vocab, t));
        }
    }
    // Both backends must reject every inconsistent call (a flag of 1 each).
    let got = shape_errors(b);
    let accepted = match &got {
        Ok(out) => out[0].1.iter().position(|&f| f != 1.0),
        Err(_) => None,
    };
    let mut report = compare("shape errors".into(), EXACT, got, shape_errors(r));
    if let Some(i) = accepted {
        report.passed = false;
        report.detail = Some(format!(
            "inconsistent call #{i} of `shape_errors` was accepted"
        ));
    }
    reports.push(report);
}

fn rmsnorm<B: Backend>(b: &B, rows: usize, dim: usize) -> Result<Outputs> {
    let x = b.upload(&normal(30, rows * dim, 2.0))?;
    let w = b.upload(&normal(31, dim, 1.0))?;
    let (y, rstd) = b.rmsnorm(&x, &w, dim, 1e-6)?;
    let dy = b.upload(&normal(32, rows * dim, 1.0))?;
    let mut dw = b.upload(&normal(33, dim, 1.0))?;
    let dx = b.rmsnorm_backward(&dy, &x, &w, &rstd, &mut dw, dim)?;
    Ok(vec![
        ("y", b.download(&y)?),
        ("rstd", b.download(&rstd)?),
        ("dx", b.download(&dx)?),
        ("dw", b.download(&dw)?),
    ])
}

fn rope<B: Backend>(b: &B, n: usize, heads: usize, head_dim: usize) -> Result<Outputs> {
    let x0 = normal(34, n * heads * head_dim, 1.0);
    let mut x = b.upload(&x0)?;
    // Positions up to 2047: large angles, where the f32 angle rounding matters. (A GPU's
    // native f32 sin/cos is not accurate on such arguments; compute the angle as f32 like the
    // contract says but its cos/sin with proper range reduction, or in a host-side table.)
    let pos = b.upload_index(&ints(35, n, 2048))?;
    b.rope(&mut x, &pos, heads, head_dim, 10_000.0, false)?;
    let fwd = b.download(&x)?;
    b.rope(&mut x, &pos, heads, head_dim, 1_000_000.0, true)?;
    Ok(vec![
        ("rope", fwd),
        ("rope then inverse (other theta)", b.download(&x)?),
    ])
}

/// `seq_starts` for packed sequences of the given lengths.
fn starts(lens: &[u32]) -> Vec<u32> {
    let mut s = vec![0u32];
    for &l in lens {
        s.push(s[s.len() - 1] + l);
    }
    s
}

fn attention<B: Backend>(
    b: &B,
    heads: usize,
    kv_heads: usize,
    e: usize,
    lens: &[u32],
) -> Result<Outputs> {
    let seq = starts(lens);
    let n = seq[seq.len() - 1] as usize;
    let q = b.upload(&normal(40, n * heads * e, 1.0))?;
    let k = b.upload(&normal(41, n * kv_heads * e, 1.0))?;
    let v = b.upload(&normal(42, n * kv_heads * e, 1.0))?;
    let (o, lse) = b.attention(&q, &k, &v, &seq, AttentionShape::new(heads, kv_heads, e))?;
    let d_o = b.upload(&normal(43, n * heads * e, 1.0))?;
    let (dq, dk, dv) = b.attention_backward(
        &d_o,
        AttentionSaved {
            q: &q,
            k: &k,
            v: &v,
            o: &o,
            lse: &lse,
        },
        &seq,
        AttentionShape::new(heads, kv_heads, e),
    )?;
    Ok(vec![
        ("o", b.download(&o)?),
        ("lse", b.download(&lse)?),
        ("dq", b.download(&dq)?),
        ("dk", b.download(&dk)?),
        ("dv", b.download(&dv)?),
    ])
}

/// Each sequence goes to its own cache slot (slot order reversed, so slot ≠ sequence index);
/// the first half of each is written and attended as a prefill, then the rest one token at a
/// time as decode steps.
fn kv_cache<B: Backend>(
    b: &B,
    heads: usize,
    kv_heads: usize,
    e: usize,
    lens: &[u32],
) -> Result<Outputs> {
    let seq = starts(lens);
    let n = seq[seq.len() - 1] as usize;
    let max_len = *lens.iter().max().unwrap_or(&1) as usize + 3;
    let slots = lens.len();
    let (qs, ks, vs) = (
        normal(44, n * heads * e, 1.0),
        normal(45, n * kv_heads * e, 1.0),
        normal(46, n * kv_heads * e, 1.0),
    );
    let cache_len = slots * max_len * kv_heads * e;
    let mut k_cache = b.upload(&normal(47, cache_len, 1.0))?;
    let mut v_cache = b.upload(&normal(48, cache_len, 1.0))?;
    let mut out = vec![0.0f32; n * heads * e];
    let (qrow, kvrow) = (heads * e, kv_heads * e);
    // Phase 0: prefill the first half of every sequence in one call; phase t ≥ 1: one decode
    // token per (remaining) sequence per call.
    let mut phases: Vec<Vec<(usize, usize)>> = vec![Vec::new()];
    for (s, &l) in lens.iter().enumerate() {
        let half = l as usize / 2;
        phases[0].extend((0..half).map(|p| (s, p)));
        for p in half..l as usize {
            let t = p - half + 1;
            if phases.len() <= t {
                phases.resize(t + 1, Vec::new());
            }
            phases[t].push((s, p));
        }
    }
    for toks in phases.iter().filter(|t| !t.is_empty()) {
        let gather = |src: &[f32], row: usize| -> Vec<f32> {
            toks.iter()
                .flat_map(|&(s, p)| {
                    let i = seq[s] as usize + p;
                    src[i * row..(i + 1) * row].to_vec()
                })
                .collect()
        };
        let slot = b.upload_index(
            &toks
                .iter()
                .map(|&(s, _)| (slots - 1 - s) as u32)
                .collect::<Vec<_>>(),
        )?;
        let pos = b.upload_index(&toks.iter().map(|&(_, p)| p as u32).collect::<Vec<_>>())?;
        b.kv_cache_write(
            &mut k_cache,
            &b.upload(&gather(&ks, kvrow))?,
            &slot,
            &pos,
            KvCacheShape::new(max_len, kv_heads, e),
        )?;
        b.kv_cache_write(
            &mut v_cache,
            &b.upload(&gather(&vs, kvrow))?,
            &slot,
            &pos,
            KvCacheShape::new(max_len, kv_heads, e),
        )?;
        let q = b.upload(&gather(&qs, qrow))?;
        let o = b.download(&b.attention_cached(
            &q,
            &k_cache,
            &v_cache,
            &slot,
            &pos,
            CachedAttention::new(AttentionShape::new(heads, kv_heads, e), max_len),
        )?)?;
        for (t, &(s, p)) in toks.iter().enumerate() {
            let i = seq[s] as usize + p;
            out[i * qrow..(i + 1) * qrow].copy_from_slice(&o[t * qrow..(t + 1) * qrow]);
        }
    }
    Ok(vec![
        ("o", out),
        ("k_cache", b.download(&k_cache)?),
        ("v_cache", b.download(&v_cache)?),
    ])
}

fn swiglu<B: Backend>(b: &B, n: usize) -> Result<Outputs> {
    let g = b.upload(&normal(50, n, 3.0))?;
    let u = b.upload(&normal(51, n, 1.0))?;
    let h = b.swiglu(&g, &u)?;
    let dh = b.upload(&normal(52, n, 1.0))?;
    let (dg, du) = b.swiglu_backward(&dh, &g, &u)?;
    Ok(vec![
        ("h", b.download(&h)?),
        ("dgate", b.download(&dg)?),
        ("dup", b.download(&du)?),
    ])
}

/// Targets with every third row ignored (`u32::MAX`).
fn targets(rows: usize, vocab: usize) -> Vec<u32> {
    let mut t = ints(61, rows, vocab as u32);
    for r in (1..rows).step_by(3) {
        t[r] = u32::MAX;
    }
    t
}

fn cross_entropy<B: Backend>(b: &B, rows: usize, vocab: usize) -> Result<Outputs> {
    let logits = b.upload(&normal(60, rows * vocab, 3.0))?;
    let t = b.upload_index(&targets(rows, vocab))?;
    let (loss, lse) = b.cross_entropy(&logits, &t, vocab)?;
    let dloss = b.upload(&normal(62, rows, 1.0))?;
    let dlogits = b.cross_entropy_backward(&logits, &lse, &t, &dloss, vocab)?;
    Ok(vec![
        ("loss", b.download(&loss)?),
        ("lse", b.download(&lse)?),
        ("dlogits", b.download(&dlogits)?),
    ])
}

fn logprobs<B: Backend>(b: &B, rows: usize, vocab: usize, temperature: f32) -> Result<Outputs> {
    let logits = b.upload(&normal(63, rows * vocab, 3.0))?;
    let t = b.upload_index(&targets(rows, vocab))?;
    let (logp, ent) = b.token_logprobs_entropy(&logits, &t, vocab, temperature)?;
    Ok(vec![
        ("logp", b.download(&logp)?),
        ("entropy", b.download(&ent)?),
    ])
}

/// Every op called with inconsistent sizes must return an error (1.0), not panic or succeed.
fn shape_errors<B: Backend>(b: &B) -> Result<Outputs> {
    let t = |n: usize| b.upload(&normal(70, n, 1.0));
    let ix = |v: &[u32]| b.upload_index(v);
    let e = |r: Result<()>| if r.is_err() { 1.0 } else { 0.0 };
    let greedy = SampleParams {
        temperature: 0.0,
        top_p: 1.0,
    };

    let flags = vec![
        e(b.axpy(1.0, &t(3)?, &mut t(4)?)),
        e(b.add_bias(&mut t(6)?, &t(4)?, 3)),
        e(b.bias_backward_acc(&t(7)?, &mut t(3)?, 3)),
        e(b.gather_rows(&t(6)?, &ix(&[2])?, 3).map(drop)),
        e(b.matmul(&t(6)?, &t(6)?, &mut t(5)?, Matmul::new(2, 3, 2))),
        e(b.matmul(
            &t(6)?,
            &t(5)?,
            &mut t(4)?,
            Matmul::new(2, 3, 2).transpose_a().transpose_b(),
        )),
        e(b.embedding(&t(6)?, &ix(&[3])?, 2).map(drop)),
        e(b.embedding_backward_acc(&t(4)?, &ix(&[0])?, &mut t(6)?, 2)),
        e(b.rmsnorm(&t(6)?, &t(2)?, 3, 1e-6).map(drop)),
        e(
            b.rmsnorm_backward(&t(6)?, &t(6)?, &t(3)?, &t(3)?, &mut t(3)?, 3)
                .map(drop),
        ),
        e(b.rope(&mut t(6)?, &ix(&[0])?, 1, 3, 1e4, false)),
        e(b.rope(&mut t(8)?, &ix(&[0])?, 1, 4, 1e4, false)),
        e(b.attention(
            &t(8)?,
            &t(5)?,
            &t(4)?,
            &[0, 1],
            AttentionShape::new(2, 1, 4),
        )
        .map(drop)),
        e(b.attention(
            &t(8)?,
            &t(8)?,
            &t(8)?,
            &[0, 2],
            AttentionShape::new(3, 2, 4),
        )
        .map(drop)),
        e(b.attention(
            &t(8)?,
            &t(8)?,
            &t(8)?,
            &[0, 2, 1, 2],
            AttentionShape::new(1, 1, 4),
        )
        .map(drop)),
        e(b.attention_backward(
            &t(8)?,
            AttentionSaved {
                q: &t(8)?,
                k: &t(8)?,
                v: &t(8)?,
                o: &t(8)?,
                lse: &t(1)?,
            },
            &[0, 2],
            AttentionShape::new(1, 1, 4),
        )
        .map(drop)),
        e(b.kv_cache_write(
            &mut t(16)?,
            &t(4)?,
            &ix(&[2])?,
            &ix(&[1])?,
            KvCacheShape::new(2, 1, 4),
        )),
        e(b.kv_cache_write(
            &mut t(16)?,
            &t(4)?,
            &ix(&[0])?,
            &ix(&[2])?,
            KvCacheShape::new(2, 2, 4),
        )),
        e(b.attention_cached(
            &t(4)?,
            &t(8)?,
            &t(8)?,
            &ix(&[0])?,
            &ix(&[2])?,
            CachedAttention::new(AttentionShape::new(1, 1, 4), 2),
        )
        .map(drop)),
        e(b.swiglu(&t(3)?, &t(4)?).map(drop)),
        e(b.swiglu_backward(&t(3)?, &t(3)?, &t(4)?).map(drop)),
        e(b.cross_entropy(&t(6)?, &ix(&[0, 3])?, 3).map(drop)),
        e(
            b.cross_entropy_backward(&t(6)?, &t(2)?, &ix(&[0, 1])?, &t(3)?, 3)
                .map(drop),
        ),
        e(b.token_logprobs_entropy(&t(6)?, &ix(&[0])?, 3, 1.0)
            .map(drop)),
        e(b.adamw_step(&mut t(3)?, &t(3)?, &mut t(2)?, &mut t(3)?, &adamw_params())),
        e(b.sample(&t(6)?, 3, &[1], &greedy).map(drop)),
        e(b.sample(
            &t(6)?,
            3,
            &[1, 2],
            &SampleParams {
                temperature: 1.0,
                top_p: 0.0,
            },
        )
        .map(drop)),
    ];
    Ok(vec![("errors", flags)])
}

fn adamw_params() -> hir_core::backend::AdamWParams {
    hir_core::backend::AdamWParams {
        lr: 1e-3,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weight_decay: 0.0,
        step: 1,
        grad_scale: 1.0,
    }
}
