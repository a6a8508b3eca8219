//! `attention` (causal grouped-query attention over packed sequences) and
//! `attention_backward`.

use std::sync::Mutex;

use hir_core::backend::{AttentionSaved, AttentionShape, Backend, BackendError, Result};

use crate::finite_difference::{fd_check, weighted_sum};
use crate::inputs::{normal, starts, wide};
use crate::report::{Expected, Outputs, Tolerance};
use crate::suite::{shape_error, Case, Failure, Outcome, Suite};

/// The head layout of an attention call: the contract's [`AttentionShape`].
pub type Heads = AttentionShape;

/// The query, key and value tensors of one attention call.
pub struct Qkv<'t, T> {
    /// `q: [N, H, E]`.
    pub q: &'t T,
    /// `k: [N, Hkv, E]`.
    pub k: &'t T,
    /// `v: [N, Hkv, E]`.
    pub v: &'t T,
}

/// The one place this crate calls [`Backend::attention`]: returns `(o, lse)`.
pub fn attention<B: Backend>(
    b: &B,
    x: Qkv<'_, B::Tensor>,
    seq_starts: &[u32],
    h: Heads,
) -> Result<(B::Tensor, B::Tensor)> {
    b.attention(x.q, x.k, x.v, seq_starts, h)
}

/// The one place this crate calls [`Backend::attention_backward`]: returns `(dq, dk, dv)`.
pub fn attention_backward<B: Backend>(
    b: &B,
    d_o: &B::Tensor,
    x: Qkv<'_, B::Tensor>,
    (o, lse): (&B::Tensor, &B::Tensor),
    seq_starts: &[u32],
    h: Heads,
) -> Result<(B::Tensor, B::Tensor, B::Tensor)> {
    let saved = AttentionSaved {
        q: x.q,
        k: x.k,
        v: x.v,
        o,
        lse,
    };
    b.attention_backward(d_o, saved, seq_starts, h)
}

/// The f64 reference of attention and its backward for upstream gradient `w = dL/do`.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// `o: [N, H, E]`.
    pub o: Vec<f64>,
    /// `lse: [N, H]`.
    pub lse: Vec<f64>,
    /// `dq: [N, H, E]`.
    pub dq: Vec<f64>,
    /// `dk: [N, Hkv, E]`.
    pub dk: Vec<f64>,
    /// `dv: [N, Hkv, E]`.
    pub dv: Vec<f64>,
}

/// Explicit causal softmax attention and its gradients in f64, straight from the contract:
/// scores `s_ij = q_i·k_j / sqrt(E)` over `j ≤ i` of `i`'s sequence, `p = softmax(s)`,
/// `o_i = Σ_j p_ij v_j`; `ds_ij = p_ij (w_i·v_j − w_i·o_i)`.
pub fn reference(q: &[f32], k: &[f32], v: &[f32], w: &[f32], seq: &[u32], h: Heads) -> Reference {
    let Heads {
        heads,
        kv_heads: kv,
        head_dim: e,
    } = h;
    let (q, k, v, w) = (wide(q), wide(k), wide(v), wide(w));
    let scale = 1.0 / (e as f64).sqrt();
    let n = q.len() / (heads * e);
    let (mut o, mut lse) = (vec![0.0; q.len()], vec![0.0; n * heads]);
    let (mut dq, mut dk, mut dv) = (vec![0.0; q.len()], vec![0.0; k.len()], vec![0.0; v.len()]);
    // Head vectors as slices (plain loops over slices keep the 2048-token cases fast).
    let row = |x: &[f64], at: usize| -> Vec<f64> { x[at..at + e].to_vec() };
    let dot = |a: &[f64], b: &[f64]| -> f64 { a.iter().zip(b).map(|(x, y)| x * y).sum() };
    let axpy = |y: &mut [f64], a: f64, x: &[f64]| {
        for (yi, xi) in y.iter_mut().zip(x) {
            *yi += a * xi;
        }
    };
    for s in seq.windows(2) {
        let (s0, s1) = (s[0] as usize, s[1] as usize);
        for i in s0..s1 {
            for h in 0..heads {
                let g = h / (heads / kv);
                let qi = (i * heads + h) * e;
                let kj = |j: usize| (j * kv + g) * e;
                let (q_i, w_i) = (row(&q, qi), row(&w, qi));
                let sc: Vec<f64> = (s0..=i)
                    .map(|j| dot(&q_i, &k[kj(j)..kj(j) + e]) * scale)
                    .collect();
                let l = sc.iter().map(|x| x.exp()).sum::<f64>().ln();
                lse[i * heads + h] = l;
                let p: Vec<f64> = sc.iter().map(|x| (x - l).exp()).collect();
                let mut o_i = vec![0.0; e];
                for (jj, &pj) in p.iter().enumerate() {
                    axpy(&mut o_i, pj, &v[kj(s0 + jj)..kj(s0 + jj) + e]);
                }
                let delta = dot(&w_i, &o_i);
                o[qi..qi + e].copy_from_slice(&o_i);
                for (jj, &pj) in p.iter().enumerate() {
                    let at = kj(s0 + jj);
                    let ds = pj * (dot(&w_i, &v[at..at + e]) - delta);
                    axpy(&mut dq[qi..qi + e], ds * scale, &k[at..at + e]);
                    axpy(&mut dk[at..at + e], ds * scale, &q_i);
                    axpy(&mut dv[at..at + e], pj, &w_i);
                }
            }
        }
    }
    Reference { o, lse, dq, dk, dv }
}

/// Attention sums up to 256 exponentiated scores and, in the backward pass, products over
/// `group · 256` terms: a little more room than a plain reduction. (Also the bound for the
/// 640-token sequence: sums of ~1000 exponentiated scores and products over the head size;
/// and for the 2048-token ones, whose f32 errors measure ≤ 5e-6 on lavapipe and the CPU.)
pub const ATTENTION: Tolerance = Tolerance {
    abs: 2e-4,
    rel: 2e-4,
};

/// f32 results of O(1) inputs with sums of ≤ 191 softmax terms and ≤ 64-term dot products
/// carry errors ~1e-6; a wrong tile offset, mask or accumulation is off by O(0.1..1).
const TIGHT: Tolerance = Tolerance {
    abs: 2e-5,
    rel: 2e-5,
};

/// The forward alone, absolute: scores over ≤ 64-term dot products and ≤ 40-term softmax
/// sums of O(1) values have errors ~1e-6; 2e-5 leaves a wide margin.
const FORWARD: Tolerance = Tolerance {
    abs: 2e-5,
    rel: 0.0,
};

/// An attention configuration: `(heads, kv_heads, head_dim, sequence lengths)`.
pub type Config = (usize, usize, usize, &'static [u32]);

/// Single tokens, GQA groups of 1..8, odd head sizes, an empty sequence, a 256-token
/// sequence (also the configurations of the KV-cache cases).
pub const CONFIGS: [Config; 6] = [
    (1, 1, 1, &[1]),
    (2, 1, 3, &[1, 4]),
    (4, 2, 8, &[5, 1, 9]),
    (6, 3, 17, &[33, 0, 1, 16]),
    (8, 8, 64, &[100]),
    (8, 1, 16, &[256]),
];

/// Ragged batches with an empty and a 40-token sequence, GQA 2:1, 3:1 and 8:1 (the forward
/// against f64, and the KV cache against the training attention).
pub const FORWARD_CONFIGS: [Config; 4] = [
    (1, 1, 1, &[1]),
    (4, 2, 5, &[3, 1, 0, 7]),
    (6, 2, 17, &[1, 40, 2]),
    (8, 1, 64, &[33]),
];

/// Longer than one query tile (64 rows) of the blocked kernels, with ragged tails: several
/// tiles per sequence, tails of 1 and 63 rows, an exact multiple of the tile, and GQA groups
/// of 1, 2 and 3.
const MULTI_TILE: [Config; 3] = [
    (4, 2, 32, &[130, 1, 64]),
    (3, 1, 16, &[191, 65]),
    (2, 2, 8, &[129]),
];

/// 640 tokens (sequences of 5 and 635), E = 64, GQA 2:1: before its head-dim loops were
/// unrolled, the wgpu kernel exceeded lavapipe's loop cap here and came back as zeros.
const LONG: Config = (2, 1, 64, &[5, 635]);

/// Long sequences: 2048 tokens at head size 64 (GQA 2:1) and 128 (one head, so the f64
/// reference and lavapipe stay fast). The wgpu kernels split each row over 2 and 4 threads
/// here (one thread per row would run past lavapipe's loop cap, which stopped them at about
/// 1600 and 780 tokens).
pub const LONG_2048: [Config; 2] = [(2, 1, 64, &[2048]), (1, 1, 128, &[2048])];

/// Packed sequences around the wgpu kernels' split boundaries (head size 256: one thread per
/// row up to 448 tokens, 2 from 449, 4 from 778): the longest sequence one thread per row
/// still handles (its busiest thread just inside lavapipe's loop budget); the shortest that
/// takes 2 threads per row (32 rows per tile), packed with sequences shorter than the split,
/// of one tile less or more a row, and odd; and 4 threads per row (16 rows per tile) packed
/// with 1, 3, 15 and 17 tokens.
const SPLIT_EDGES: [Config; 3] = [
    (1, 1, 256, &[448]),
    (1, 1, 256, &[1, 449, 2, 31, 33, 7]),
    (1, 1, 256, &[1, 3, 778, 15, 17]),
];

/// The heads of a configuration.
pub fn heads_of((heads, kv_heads, head_dim, _): Config) -> Heads {
    Heads {
        heads,
        kv_heads,
        head_dim,
    }
}

/// The attention family's cases.
pub fn cases<B: Backend, R: Backend>(s: &mut Suite<'_, B, R>) {
    for c in CONFIGS {
        s.table(&AttentionCase::new(c, [40, 41, 42, 43], 1.0, ATTENTION));
    }
    for c in FORWARD_CONFIGS {
        s.table(&AttentionCase {
            backward: false,
            ..AttentionCase::new(c, [4, 5, 6, 0], 1.5, FORWARD)
        });
    }
    for c in MULTI_TILE {
        s.table(&AttentionCase::new(c, [21, 22, 23, 24], 1.0, TIGHT));
    }
    s.table(&AttentionCase::new(LONG, [1, 2, 3, 4], 1.0, ATTENTION));
    for c in LONG_2048 {
        s.table(&AttentionCase::new(c, [31, 32, 33, 34], 1.0, ATTENTION));
    }
    for c in SPLIT_EDGES {
        s.table(&AttentionCase::new(c, [35, 36, 37, 38], 1.0, ATTENTION));
    }
    s.check(
        "attention_backward dq, dk, dv against finite differences (GQA, ragged)",
        |b| backward_fd(b),
    );
    s.check("error message names the op and the argument", |b| {
        error_message(b)
    });
    s.check("rejects inconsistent shapes", |b| shape_errors(b));
}

/// Attention over packed sequences of lengths `lens` on seeded `q, k, v` (`seeds[0..3]`, q
/// and k times `qk_scale`) and, when `backward`, its backward for a seeded `do`
/// (`seeds[3]`).
struct AttentionCase {
    h: Heads,
    lens: &'static [u32],
    seeds: [u64; 4],
    qk_scale: f32,
    tol: Tolerance,
    backward: bool,
}

impl AttentionCase {
    /// Forward and backward of configuration `c`.
    fn new(c: Config, seeds: [u64; 4], qk_scale: f32, tol: Tolerance) -> Self {
        AttentionCase {
            h: heads_of(c),
            lens: c.3,
            seeds,
            qk_scale,
            tol,
            backward: true,
        }
    }
    /// The f64 reference of this case, computed once per process: a test process may run the
    /// suite several times (`tests/teeth.rs` once per mutant), and the 2048-token cases' f64
    /// attention takes about a second each.
    fn reference(&self) -> Reference {
        static MEMO: Mutex<Vec<(String, Reference)>> = Mutex::new(Vec::new());
        let key = format!(
            "{} seeds={:?} qk_scale={}",
            self.name(),
            self.seeds,
            self.qk_scale
        );
        let found = MEMO
            .lock()
            .ok()
            .and_then(|m| m.iter().find(|(k, _)| *k == key).map(|(_, r)| r.clone()));
        found.unwrap_or_else(|| {
            let (seq, [q, k, v, d_o]) = self.inputs();
            let r = reference(&q, &k, &v, &d_o, &seq, self.h);
            if let Ok(mut m) = MEMO.lock() {
                m.push((key, r.clone()));
            }
            r
        })
    }
    fn inputs(&self) -> (Vec<u32>, [Vec<f32>; 4]) {
        let seq = starts(self.lens);
        let n = seq[seq.len() - 1] as usize;
        let Heads {
            heads,
            kv_heads,
            head_dim: e,
        } = self.h;
        let [s0, s1, s2, s3] = self.seeds;
        let x = [
            normal(s0, n * heads * e, self.qk_scale),
            normal(s1, n * kv_heads * e, self.qk_scale),
            normal(s2, n * kv_heads * e, 1.0),
            normal(s3, n * heads * e, 1.0),
        ];
        (seq, x)
    }
}

impl Case for AttentionCase {
    fn name(&self) -> String {
        let Heads {
            heads,
            kv_heads,
            head_dim,
        } = self.h;
        let what = if self.backward {
            "attention"
        } else {
            "attention forward"
        };
        format!(
            "{what} H={heads} Hkv={kv_heads} E={head_dim} seqs={:?}",
            self.lens
        )
    }
    fn tolerance(&self) -> Tolerance {
        self.tol
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let (seq, [q, k, v, d_o]) = self.inputs();
        let (q, k, v) = (b.upload(&q)?, b.upload(&k)?, b.upload(&v)?);
        let x = || Qkv {
            q: &q,
            k: &k,
            v: &v,
        };
        let (o, lse) = attention(b, x(), &seq, self.h)?;
        let mut out = vec![("o", b.download(&o)?), ("lse", b.download(&lse)?)];
        if self.backward {
            let d_o = b.upload(&d_o)?;
            let (dq, dk, dv) = attention_backward(b, &d_o, x(), (&o, &lse), &seq, self.h)?;
            out.extend([
                ("dq", b.download(&dq)?),
                ("dk", b.download(&dk)?),
                ("dv", b.download(&dv)?),
            ]);
        }
        Ok(out)
    }
    fn expected(&self) -> Expected {
        let r = self.reference();
        let mut out = vec![("o", r.o), ("lse", r.lse)];
        if self.backward {
            out.extend([("dq", r.dq), ("dk", r.dk), ("dv", r.dv)]);
        }
        out
    }
}

/// `L = Σ w ⊙ o`: `attention_backward(w)` against finite differences of the forward, for
/// GQA groups 1, 2 and 3 and ragged packed sequences including length-1 ones.
fn backward_fd<B: Backend>(b: &B) -> Outcome {
    for (heads, kv_heads, e, lens) in [
        (1, 1, 1, vec![1]),
        (4, 2, 5, vec![3, 1, 4]),
        (3, 1, 3, vec![1, 6]),
        (2, 2, 9, vec![5]),
    ] {
        let h = Heads {
            heads,
            kv_heads,
            head_dim: e,
        };
        let seq = starts(&lens);
        let n = seq[seq.len() - 1] as usize;
        let q = normal(8, n * heads * e, 1.0);
        let k = normal(9, n * kv_heads * e, 1.0);
        let v = normal(10, n * kv_heads * e, 1.0);
        let w = normal(11, n * heads * e, 1.0);
        let obj = |q: &[f32], k: &[f32], v: &[f32]| {
            let (q, k, v) = (b.upload(q)?, b.upload(k)?, b.upload(v)?);
            let (o, _) = attention(
                b,
                Qkv {
                    q: &q,
                    k: &k,
                    v: &v,
                },
                &seq,
                h,
            )?;
            Ok(weighted_sum(&w, &b.download(&o)?))
        };
        let (qt, kt, vt) = (b.upload(&q)?, b.upload(&k)?, b.upload(&v)?);
        let x = || Qkv {
            q: &qt,
            k: &kt,
            v: &vt,
        };
        let (o, lse) = attention(b, x(), &seq, h)?;
        let (dq, dk, dv) = attention_backward(b, &b.upload(&w)?, x(), (&o, &lse), &seq, h)?;
        let tag = format!("H={heads} Hkv={kv_heads} E={e} seqs={lens:?}");
        fd_check(
            &format!("attention dq {tag}"),
            &q,
            &b.download(&dq)?,
            1.0,
            |x| obj(x, &k, &v),
        )?;
        fd_check(
            &format!("attention dk {tag}"),
            &k,
            &b.download(&dk)?,
            1.0,
            |x| obj(&q, x, &v),
        )?;
        fd_check(
            &format!("attention dv {tag}"),
            &v,
            &b.download(&dv)?,
            1.0,
            |x| obj(&q, &k, x),
        )?;
    }
    Ok(())
}

/// `seq_starts` that do not end at `N` names it and `N`.
fn error_message<B: Backend>(b: &B) -> Outcome {
    let t = b.upload(&[0.0; 8])?;
    let h = Heads {
        heads: 1,
        kv_heads: 1,
        head_dim: 4,
    };
    let r = attention(
        b,
        Qkv {
            q: &t,
            k: &t,
            v: &t,
        },
        &[0, 1],
        h,
    );
    shape_error(r, "attention", &["seq_starts", "N = 2"])
}

/// Every call with inconsistent sizes is an error, not a panic or a success.
fn shape_errors<B: Backend>(b: &B) -> Outcome {
    let t = |n: usize| b.upload(&normal(70, n, 1.0));
    let heads = |heads, kv_heads| Heads {
        heads,
        kv_heads,
        head_dim: 4,
    };
    let (t8, t5, t4) = (t(8)?, t(5)?, t(4)?);
    ensure!(
        attention(
            b,
            Qkv {
                q: &t8,
                k: &t5,
                v: &t4
            },
            &[0, 1],
            heads(2, 1)
        )
        .is_err(),
        "attention with k, v of the wrong sizes"
    );
    let (a, c, d) = (t(8)?, t(8)?, t(8)?);
    let x = || Qkv {
        q: &a,
        k: &c,
        v: &d,
    };
    ensure!(
        attention(b, x(), &[0, 2], heads(3, 2)).is_err(),
        "attention with H = 3 not a multiple of Hkv = 2"
    );
    ensure!(
        attention(b, x(), &[0, 2, 1, 2], heads(1, 1)).is_err(),
        "attention with decreasing seq_starts"
    );
    let (o, lse) = (t(8)?, t(1)?);
    ensure!(
        attention_backward(b, &t(8)?, x(), (&o, &lse), &[0, 2], heads(1, 1)).is_err(),
        "attention_backward with lse of 1 for 2 tokens"
    );
    Ok(())
}

/// On lavapipe (`is_lavapipe`), a sequence too long for its cap of 65535 loop iterations
/// per shader invocation even with the rows split over several threads (4096 tokens,
/// E = 256; the wgpu kernels reach about 2900 there) is an error naming lavapipe, not silently wrong
/// output; elsewhere it runs. (A guard of the wgpu backend; see `attention.wgsl`.)
pub fn refuses_beyond_loop_cap<B: Backend>(b: &B, is_lavapipe: bool) -> Outcome {
    let (n, e) = (4096usize, 256usize);
    let x = b.upload(&normal(5, n * e, 1.0))?;
    let h = Heads {
        heads: 1,
        kv_heads: 1,
        head_dim: e,
    };
    let r = attention(
        b,
        Qkv {
            q: &x,
            k: &x,
            v: &x,
        },
        &[0, n as u32],
        h,
    );
    if is_lavapipe {
        match r {
            Err(BackendError::Device(msg)) => {
                ensure!(msg.contains("lavapipe"), "{msg}");
                Ok(())
            }
            other => Err(Failure(format!(
                "expected the lavapipe loop-cap error, got {:?}",
                other.map(drop)
            ))),
        }
    } else {
        r.map(drop).map_err(Failure::from)
    }
}
