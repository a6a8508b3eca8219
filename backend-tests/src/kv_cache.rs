//! The KV cache: `kv_cache_write` and `attention_cached` (prefill and decode).

use hir_core::backend::{AttentionShape, Backend, CachedAttention, KvCacheShape, Result};

use crate::attention::{self, Heads, ATTENTION};
use crate::inputs::{normal, starts, wide};
use crate::report::{Expected, Outputs, Tolerance};
use crate::suite::{shape_error, Case, Outcome, Suite};

/// The layout of a KV cache `[slots, max_len, kv_heads, head_dim]` and the query heads
/// attending to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheDims {
    /// Positions per slot.
    pub max_len: usize,
    /// Query heads `H` (used by `attention_cached` only).
    pub heads: usize,
    /// Key/value heads `Hkv`.
    pub kv_heads: usize,
    /// Head size `E`.
    pub head_dim: usize,
}

/// The one place this crate calls [`Backend::kv_cache_write`].
pub fn kv_cache_write<B: Backend>(
    b: &B,
    cache: &mut B::Tensor,
    x: &B::Tensor,
    (slot, pos): (&B::Index, &B::Index),
    d: CacheDims,
) -> Result<()> {
    b.kv_cache_write(
        cache,
        x,
        slot,
        pos,
        KvCacheShape::new(d.max_len, d.kv_heads, d.head_dim),
    )
}

/// The one place this crate calls [`Backend::attention_cached`].
pub fn attention_cached<B: Backend>(
    b: &B,
    q: &B::Tensor,
    (k_cache, v_cache): (&B::Tensor, &B::Tensor),
    (slot, pos): (&B::Index, &B::Index),
    d: CacheDims,
) -> Result<B::Tensor> {
    let shape = CachedAttention::new(
        AttentionShape::new(d.heads, d.kv_heads, d.head_dim),
        d.max_len,
    );
    b.attention_cached(q, k_cache, v_cache, slot, pos, shape)
}

/// The kv_cache family's cases.
pub fn cases<B: Backend, R: Backend>(s: &mut Suite<'_, B, R>) {
    for c in attention::CONFIGS {
        s.table(&PrefillDecode {
            h: attention::heads_of(c),
            lens: c.3,
        });
    }
    for (heads, kv_heads, head_dim) in [(2, 1, 64), (2, 1, 128)] {
        s.table(&LongContext {
            h: Heads::new(heads, kv_heads, head_dim),
            len: 2048,
            prefill: 37,
        });
    }
    s.check("cached attention equals the training attention", |b| {
        equals_training(b)
    });
    s.check("kv_cache_write places rows", |b| places_rows(b));
    s.check(
        "kv_cache_write: the later of two tokens at one place wins",
        |b| later_token_wins(b),
    );
    s.check("error message names the op", |b| error_message(b));
    s.check("rejects inconsistent shapes", |b| shape_errors(b));
}

/// Each sequence goes to its own cache slot (slot order reversed, so slot ≠ sequence index);
/// the first half of each is written and attended as a prefill, then the rest one token at a
/// time as decode steps. The cache starts with seeded garbage.
struct PrefillDecode {
    h: Heads,
    lens: &'static [u32],
}

impl PrefillDecode {
    fn max_len(&self) -> usize {
        *self.lens.iter().max().unwrap_or(&1) as usize + 3
    }
    fn dims(&self) -> CacheDims {
        CacheDims {
            max_len: self.max_len(),
            heads: self.h.heads,
            kv_heads: self.h.kv_heads,
            head_dim: self.h.head_dim,
        }
    }
    /// `(seq_starts, q, k, v, k_cache, v_cache)`.
    #[allow(clippy::type_complexity)]
    fn inputs(&self) -> (Vec<u32>, Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
        let seq = starts(self.lens);
        let n = seq[seq.len() - 1] as usize;
        let Heads {
            heads,
            kv_heads,
            head_dim: e,
        } = self.h;
        let cache_len = self.lens.len() * self.max_len() * kv_heads * e;
        (
            seq,
            normal(44, n * heads * e, 1.0),
            normal(45, n * kv_heads * e, 1.0),
            normal(46, n * kv_heads * e, 1.0),
            normal(47, cache_len, 1.0),
            normal(48, cache_len, 1.0),
        )
    }
}

impl Case for PrefillDecode {
    fn name(&self) -> String {
        let Heads {
            heads,
            kv_heads,
            head_dim,
        } = self.h;
        format!(
            "kv cache H={heads} Hkv={kv_heads} E={head_dim} seqs={:?}",
            self.lens
        )
    }
    fn tolerance(&self) -> Tolerance {
        ATTENTION
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let (seq, qs, ks, vs, kc, vc) = self.inputs();
        let lens = self.lens;
        let d = self.dims();
        let slots = lens.len();
        let n = seq[seq.len() - 1] as usize;
        let mut k_cache = b.upload(&kc)?;
        let mut v_cache = b.upload(&vc)?;
        let (qrow, kvrow) = (d.heads * d.head_dim, d.kv_heads * d.head_dim);
        let mut out = vec![0.0f32; n * qrow];
        // Phase 0: prefill the first half of every sequence in one call; phase t ≥ 1: one
        // decode token per (remaining) sequence per call.
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
            let at = (&slot, &pos);
            kv_cache_write(b, &mut k_cache, &b.upload(&gather(&ks, kvrow))?, at, d)?;
            kv_cache_write(b, &mut v_cache, &b.upload(&gather(&vs, kvrow))?, at, d)?;
            let q = b.upload(&gather(&qs, qrow))?;
            let o = b.download(&attention_cached(b, &q, (&k_cache, &v_cache), at, d)?)?;
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
    /// `o` is the training attention of the same tokens; token `p` of sequence `s` lands in
    /// slot `slots − 1 − s` at position `p`; the rest of the cache keeps its garbage.
    fn expected(&self) -> Expected {
        let (seq, qs, ks, vs, kc, vc) = self.inputs();
        let d = self.dims();
        let slots = self.lens.len();
        let kvrow = d.kv_heads * d.head_dim;
        let o = attention::reference(&qs, &ks, &vs, &vec![0.0; qs.len()], &seq, self.h).o;
        let (mut k_cache, mut v_cache) = (wide(&kc), wide(&vc));
        for (s, w) in seq.windows(2).enumerate() {
            for i in w[0] as usize..w[1] as usize {
                let at = ((slots - 1 - s) * d.max_len + (i - w[0] as usize)) * kvrow;
                for c in 0..kvrow {
                    k_cache[at + c] = ks[i * kvrow + c] as f64;
                    v_cache[at + c] = vs[i * kvrow + c] as f64;
                }
            }
        }
        vec![("o", o), ("k_cache", k_cache), ("v_cache", v_cache)]
    }
}

/// Attention over a long cached context: a sequence of `len` tokens is written to slot 1 of a
/// two-slot cache in one call (slot 0 and the positions past `len` keep seeded garbage), then
/// attended by a prefill chunk (the queries of its last `prefill` positions, one call) and a
/// decode step (one query at the last position). Both against the f64 softmax attention of
/// those rows.
struct LongContext {
    h: Heads,
    len: usize,
    prefill: usize,
}

impl LongContext {
    fn dims(&self) -> CacheDims {
        CacheDims {
            max_len: self.len + 5,
            heads: self.h.heads,
            kv_heads: self.h.kv_heads,
            head_dim: self.h.head_dim,
        }
    }
    /// `(q of the prefill rows, q of the decode row, k, v, cache garbage)`.
    fn inputs(&self) -> [Vec<f32>; 5] {
        let Heads {
            heads,
            kv_heads,
            head_dim: e,
        } = self.h;
        [
            normal(60, self.prefill * heads * e, 1.0),
            normal(61, heads * e, 1.0),
            normal(62, self.len * kv_heads * e, 1.0),
            normal(63, self.len * kv_heads * e, 1.0),
            normal(64, 2 * self.dims().max_len * kv_heads * e, 1.0),
        ]
    }
    /// The f64 attention of query rows `q` at positions `pos` over keys/values `k`, `v` of
    /// the sequence: `softmax_j≤pos(q·k_j / sqrt(E)) v`.
    fn reference(&self, q: &[f32], pos: &[usize], k: &[f32], v: &[f32]) -> Vec<f64> {
        let Heads {
            heads,
            kv_heads,
            head_dim: e,
        } = self.h;
        let scale = 1.0 / (e as f64).sqrt();
        let mut o = vec![0.0; q.len()];
        for (r, &p) in pos.iter().enumerate() {
            for h in 0..heads {
                let g = h / (heads / kv_heads);
                let qi = (r * heads + h) * e;
                let kj = |j: usize| (j * kv_heads + g) * e;
                let sc: Vec<f64> = (0..=p)
                    .map(|j| {
                        (0..e)
                            .map(|d| q[qi + d] as f64 * k[kj(j) + d] as f64)
                            .sum::<f64>()
                            * scale
                    })
                    .collect();
                let m = sc.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                let w: Vec<f64> = sc.iter().map(|s| (s - m).exp()).collect();
                let l: f64 = w.iter().sum();
                for (j, wj) in w.iter().enumerate() {
                    for d in 0..e {
                        o[qi + d] += wj / l * v[kj(j) + d] as f64;
                    }
                }
            }
        }
        o
    }
}

impl Case for LongContext {
    fn name(&self) -> String {
        let Heads {
            heads,
            kv_heads,
            head_dim,
        } = self.h;
        format!(
            "kv cache H={heads} Hkv={kv_heads} E={head_dim}: {} cached tokens, prefill {} rows \
             and decode 1",
            self.len, self.prefill
        )
    }
    fn tolerance(&self) -> Tolerance {
        ATTENTION
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let [qp, qd, k, v, garbage] = self.inputs();
        let d = self.dims();
        let (mut k_cache, mut v_cache) = (b.upload(&garbage)?, b.upload(&garbage)?);
        let slot = b.upload_index(&vec![1; self.len])?;
        let pos = b.upload_index(&(0..self.len as u32).collect::<Vec<_>>())?;
        kv_cache_write(b, &mut k_cache, &b.upload(&k)?, (&slot, &pos), d)?;
        kv_cache_write(b, &mut v_cache, &b.upload(&v)?, (&slot, &pos), d)?;
        let caches = (&k_cache, &v_cache);
        let first = (self.len - self.prefill) as u32;
        let slot = b.upload_index(&vec![1; self.prefill])?;
        let pos = b.upload_index(&(first..self.len as u32).collect::<Vec<_>>())?;
        let prefill = attention_cached(b, &b.upload(&qp)?, caches, (&slot, &pos), d)?;
        let (slot, pos) = (
            b.upload_index(&[1])?,
            b.upload_index(&[self.len as u32 - 1])?,
        );
        let decode = attention_cached(b, &b.upload(&qd)?, caches, (&slot, &pos), d)?;
        Ok(vec![
            ("prefill o", b.download(&prefill)?),
            ("decode o", b.download(&decode)?),
        ])
    }
    fn expected(&self) -> Expected {
        let [qp, qd, k, v, _] = self.inputs();
        let rows: Vec<usize> = (self.len - self.prefill..self.len).collect();
        vec![
            ("prefill o", self.reference(&qp, &rows, &k, &v)),
            ("decode o", self.reference(&qd, &[self.len - 1], &k, &v)),
        ]
    }
}

/// Bound on `|cached − training| / (1 + |training|)` for [`equals_training`].
///
/// The CPU backend's training attention computes scores with blocked `gemm` calls (one FMA
/// chain over `E`) and its KV-cache attention one row at a time (eight partial sums), so the
/// same scores differ by reordering: at most `γ_E·Σ|q_d k_d|/sqrt(E)` ≈ 64·6e-8·8 ≈ 3e-5 for
/// E = 64 and O(1) inputs in the worst case, typically ~1e-7 (measured ≤ 5e-7 on these
/// cases). A probability-weighted mean of the O(1) values inherits that relative error, so
/// 1e-5 is a tight bound that still catches any real difference (a wrong key, mask or
/// position is O(1)).
const CACHED_TOLERANCE: f32 = 1e-5;

/// Prefill + decode through the KV cache gives the backend's own training attention of the
/// same tokens, up to f32 rounding of the reordered score sums ([`CACHED_TOLERANCE`]);
/// garbage in the cache beyond what is written must not matter.
fn equals_training<B: Backend>(b: &B) -> Outcome {
    for c in attention::FORWARD_CONFIGS {
        let (h, lens) = (attention::heads_of(c), c.3);
        let (heads, kv_heads, e) = (h.heads, h.kv_heads, h.head_dim);
        let seq = starts(lens);
        let n = seq[seq.len() - 1] as usize;
        let q = normal(7, n * heads * e, 1.0);
        let k = normal(8, n * kv_heads * e, 1.0);
        let v = normal(9, n * kv_heads * e, 1.0);
        let (qt, kt, vt) = (b.upload(&q)?, b.upload(&k)?, b.upload(&v)?);
        let x = attention::Qkv {
            q: &qt,
            k: &kt,
            v: &vt,
        };
        let o_train = b.download(&attention::attention(b, x, &seq, h)?.0)?;
        let d = CacheDims {
            max_len: *lens.iter().max().unwrap_or(&0) as usize + 2,
            heads,
            kv_heads,
            head_dim: e,
        };
        let slots = lens.len() + 1;
        let mut kc = b.upload(&normal(10, slots * d.max_len * kv_heads * e, 9.0))?;
        let mut vc = b.upload(&normal(11, slots * d.max_len * kv_heads * e, 9.0))?;
        let mut o_cached = vec![0.0f32; n * heads * e];
        let (qrow, kvrow) = (heads * e, kv_heads * e);
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
                let slot = b.upload_index(&vec![slot_id; c1 - c0])?;
                let pos =
                    b.upload_index(&((c0 - a) as u32..(c1 - a) as u32).collect::<Vec<_>>())?;
                let at = (&slot, &pos);
                kv_cache_write(b, &mut kc, &b.upload(&k[c0 * kvrow..c1 * kvrow])?, at, d)?;
                kv_cache_write(b, &mut vc, &b.upload(&v[c0 * kvrow..c1 * kvrow])?, at, d)?;
                let qc = b.upload(&q[c0 * qrow..c1 * qrow])?;
                let o = b.download(&attention_cached(b, &qc, (&kc, &vc), at, d)?)?;
                o_cached[c0 * qrow..c1 * qrow].copy_from_slice(&o);
            }
        }
        let worst = o_cached
            .iter()
            .zip(&o_train)
            .map(|(&c, &w)| (c - w).abs() / (1.0 + w.abs()))
            .fold(
                0.0f32,
                |m, r| if r.is_nan() { f32::INFINITY } else { m.max(r) },
            );
        ensure!(
            worst <= CACHED_TOLERANCE,
            "H={heads} Hkv={kv_heads} E={e} seqs={lens:?}: |cached − training| / (1 + |training|) \
             = {worst:e} > {CACHED_TOLERANCE:e}"
        );
    }
    Ok(())
}

/// Two tokens of `[kv = 2, e = 2]` written to (slot 1, position 2) and (slot 0, position 0).
fn places_rows<B: Backend>(b: &B) -> Outcome {
    let d = CacheDims {
        max_len: 3,
        heads: 2,
        kv_heads: 2,
        head_dim: 2,
    };
    let slots = 2;
    let mut cache = b.zeros(slots * d.max_len * 4)?;
    let x: Vec<f32> = (1..=8).map(|v| v as f32).collect();
    let (slot, pos) = (b.upload_index(&[1, 0])?, b.upload_index(&[2, 0])?);
    kv_cache_write(b, &mut cache, &b.upload(&x)?, (&slot, &pos), d)?;
    let mut want = [0.0f32; 24];
    want[((d.max_len + 2) * 4)..((d.max_len + 3) * 4)].copy_from_slice(&x[..4]);
    want[..4].copy_from_slice(&x[4..]);
    let got = b.download(&cache)?;
    ensure!(got == want, "cache {got:?}, want {want:?}");
    Ok(())
}

/// Several tokens naming the same place: tokens are written in order, the later one wins
/// (exact: data movement).
fn later_token_wins<B: Backend>(b: &B) -> Outcome {
    let (slots, d) = (
        2usize,
        CacheDims {
            max_len: 4,
            heads: 2,
            kv_heads: 2,
            head_dim: 3,
        },
    );
    let row = d.kv_heads * d.head_dim;
    let cache0: Vec<f32> = (0..slots * d.max_len * row).map(|i| -(i as f32)).collect();
    // Tokens 0, 2 and 5 all write slot 1, position 2; tokens 1 and 4 both write (0, 0).
    let slot = [1u32, 0, 1, 0, 0, 1, 1];
    let pos = [2u32, 0, 2, 3, 0, 2, 1];
    let x: Vec<f32> = (0..slot.len() * row).map(|i| 100.0 + i as f32).collect();
    let mut cache = b.upload(&cache0)?;
    let (si, pi) = (b.upload_index(&slot)?, b.upload_index(&pos)?);
    kv_cache_write(b, &mut cache, &b.upload(&x)?, (&si, &pi), d)?;
    let mut want = cache0.clone();
    for (t, (&s, &p)) in slot.iter().zip(&pos).enumerate() {
        let at = (s as usize * d.max_len + p as usize) * row;
        want[at..at + row].copy_from_slice(&x[t * row..(t + 1) * row]);
    }
    let got = b.download(&cache)?;
    ensure!(got == want, "cache {got:?}, want {want:?}");
    // Slot 1, position 2 holds token 5's row.
    let at = (d.max_len + 2) * row;
    ensure!(
        got[at..at + row] == x[5 * row..6 * row],
        "slot 1, position 2"
    );
    Ok(())
}

/// A slot past the cache is a shape error of `kv_cache_write`.
fn error_message<B: Backend>(b: &B) -> Outcome {
    let d = CacheDims {
        max_len: 2,
        heads: 2,
        kv_heads: 2,
        head_dim: 2,
    };
    let (slot, pos) = (b.upload_index(&[2])?, b.upload_index(&[0])?);
    let r = kv_cache_write(
        b,
        &mut b.upload(&[0.0; 16])?,
        &b.upload(&[0.0; 4])?,
        (&slot, &pos),
        d,
    );
    shape_error(r, "kv_cache_write", &[])
}

/// Every call with inconsistent sizes is an error, not a panic or a success.
fn shape_errors<B: Backend>(b: &B) -> Outcome {
    let t = |n: usize| b.upload(&normal(70, n, 1.0));
    let ix = |v: &[u32]| b.upload_index(v);
    let dims = |max_len, heads, kv_heads| CacheDims {
        max_len,
        heads,
        kv_heads,
        head_dim: 4,
    };
    let (s2, p1) = (ix(&[2])?, ix(&[1])?);
    ensure!(
        kv_cache_write(b, &mut t(16)?, &t(4)?, (&s2, &p1), dims(2, 1, 1)).is_err(),
        "kv_cache_write to slot 2 of 2"
    );
    let (s0, p2) = (ix(&[0])?, ix(&[2])?);
    ensure!(
        kv_cache_write(b, &mut t(16)?, &t(4)?, (&s0, &p2), dims(2, 2, 2)).is_err(),
        "kv_cache_write to position 2 of 2"
    );
    let (kc, vc) = (t(8)?, t(8)?);
    ensure!(
        attention_cached(b, &t(4)?, (&kc, &vc), (&s0, &p2), dims(2, 1, 1)).is_err(),
        "attention_cached at position 2 of 2"
    );
    Ok(())
}
