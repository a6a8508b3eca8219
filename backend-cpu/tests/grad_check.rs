//! Finite-difference checks of every backward op of the CPU backend.
//!
//! Each check builds a scalar objective `L = Σ w ⊙ f(x)` with random weights `w` through the
//! forward op, obtains the analytic gradient from the backward op with upstream gradient `w`,
//! and compares it element by element with central differences (see `common::fd_check` for
//! the tolerance and its justification). Shapes are deliberately awkward: 1, odd sizes,
//! non-multiples of 4/8/16.

mod common;

use common::{cpu, fd_check, ints, ix, normal, t, weighted_sum};
use hir_core::backend::{AttentionSaved, AttentionShape, Backend, Matmul};

#[test]
fn rmsnorm_backward_dx_and_dw() {
    let b = cpu();
    // With dim = 1 and a tiny eps, y ≈ w·sign(x) is nearly flat with a sharp bend at 0, where
    // central differences are dominated by truncation error; a large eps keeps it smooth (and
    // checks that the backward accounts for eps).
    for (rows, dim, eps) in [(1, 1, 0.3), (3, 7, 1e-5), (2, 19, 1e-5), (4, 3, 0.5)] {
        let x = normal(1, rows * dim, 1.0);
        let w = normal(2, dim, 1.0);
        let wy = normal(3, rows * dim, 1.0);
        let obj_x = |x: &[f32]| {
            let (y, _) = b.rmsnorm(&t(x), &t(&w), dim, eps).unwrap();
            weighted_sum(&wy, y.as_slice())
        };
        let obj_w = |w: &[f32]| {
            let (y, _) = b.rmsnorm(&t(&x), &t(w), dim, eps).unwrap();
            weighted_sum(&wy, y.as_slice())
        };
        let (_, rstd) = b.rmsnorm(&t(&x), &t(&w), dim, eps).unwrap();
        // dw accumulates: start from random values and check the increment.
        let dw0 = normal(4, dim, 1.0);
        let mut dw = t(&dw0);
        let dx = b
            .rmsnorm_backward(&t(&wy), &t(&x), &t(&w), &rstd, &mut dw, dim)
            .unwrap();
        let dw_inc: Vec<f32> = dw.as_slice().iter().zip(&dw0).map(|(a, b)| a - b).collect();
        fd_check(
            &format!("rmsnorm dx {rows}x{dim}"),
            &x,
            dx.as_slice(),
            1.0,
            obj_x,
        );
        fd_check(&format!("rmsnorm dw {rows}x{dim}"), &w, &dw_inc, 1.0, obj_w);
    }
}

#[test]
fn rope_inverse_is_the_backward() {
    let b = cpu();
    for (n, heads, head_dim) in [(1, 1, 2), (5, 3, 6), (3, 2, 18)] {
        let x = normal(5, n * heads * head_dim, 1.0);
        let pos = ints(6, n, 3000);
        let w = normal(7, x.len(), 1.0);
        let obj = |x: &[f32]| {
            let mut y = t(x);
            b.rope(&mut y, &ix(&pos), heads, head_dim, 10_000.0, false)
                .unwrap();
            weighted_sum(&w, y.as_slice())
        };
        let mut dx = t(&w);
        b.rope(&mut dx, &ix(&pos), heads, head_dim, 10_000.0, true)
            .unwrap();
        fd_check(
            &format!("rope N={n} H={heads} E={head_dim}"),
            &x,
            dx.as_slice(),
            1.0,
            obj,
        );
    }
}

/// `seq_starts` of packed sequences with these lengths.
fn starts(lens: &[u32]) -> Vec<u32> {
    let mut s = vec![0];
    for &l in lens {
        s.push(s[s.len() - 1] + l);
    }
    s
}

#[test]
fn attention_backward_dq_dk_dv_gqa_ragged() {
    let b = cpu();
    // (heads, kv_heads, head_dim, sequence lengths): GQA groups 1, 2 and 3, ragged packed
    // sequences including length-1 ones.
    for (heads, kv, e, lens) in [
        (1, 1, 1, vec![1]),
        (4, 2, 5, vec![3, 1, 4]),
        (3, 1, 3, vec![1, 6]),
        (2, 2, 9, vec![5]),
    ] {
        let seq = starts(&lens);
        let n = seq[seq.len() - 1] as usize;
        let q = normal(8, n * heads * e, 1.0);
        let k = normal(9, n * kv * e, 1.0);
        let v = normal(10, n * kv * e, 1.0);
        let w = normal(11, n * heads * e, 1.0);
        let obj = |q: &[f32], k: &[f32], v: &[f32]| {
            let (o, _) = b
                .attention(&t(q), &t(k), &t(v), &seq, AttentionShape::new(heads, kv, e))
                .unwrap();
            weighted_sum(&w, o.as_slice())
        };
        let (o, lse) = b
            .attention(
                &t(&q),
                &t(&k),
                &t(&v),
                &seq,
                AttentionShape::new(heads, kv, e),
            )
            .unwrap();
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
            .unwrap();
        let tag = format!("H={heads} Hkv={kv} E={e} seqs={lens:?}");
        fd_check(
            &format!("attention dq {tag}"),
            &q,
            dq.as_slice(),
            1.0,
            |x| obj(x, &k, &v),
        );
        fd_check(
            &format!("attention dk {tag}"),
            &k,
            dk.as_slice(),
            1.0,
            |x| obj(&q, x, &v),
        );
        fd_check(
            &format!("attention dv {tag}"),
            &v,
            dv.as_slice(),
            1.0,
            |x| obj(&q, &k, x),
        );
    }
}

#[test]
fn swiglu_backward() {
    let b = cpu();
    let n = 37;
    let g = normal(12, n, 2.0);
    let u = normal(13, n, 1.0);
    let w = normal(14, n, 1.0);
    let (dg, du) = b.swiglu_backward(&t(&w), &t(&g), &t(&u)).unwrap();
    let obj = |g: &[f32], u: &[f32]| weighted_sum(&w, b.swiglu(&t(g), &t(u)).unwrap().as_slice());
    fd_check("swiglu dgate", &g, dg.as_slice(), 1.0, |x| obj(x, &u));
    fd_check("swiglu dup", &u, du.as_slice(), 1.0, |x| obj(&g, x));
}

#[test]
fn cross_entropy_backward_with_ignored_row() {
    let b = cpu();
    for (rows, vocab) in [(1, 1), (4, 7), (3, 33)] {
        let logits = normal(15, rows * vocab, 2.0);
        let mut targets = ints(16, rows, vocab as u32);
        if rows > 1 {
            targets[1] = u32::MAX;
        }
        let dloss = normal(17, rows, 1.0);
        let obj = |z: &[f32]| {
            let (loss, _) = b.cross_entropy(&t(z), &ix(&targets), vocab).unwrap();
            weighted_sum(&dloss, loss.as_slice())
        };
        let (_, lse) = b.cross_entropy(&t(&logits), &ix(&targets), vocab).unwrap();
        let d = b
            .cross_entropy_backward(&t(&logits), &lse, &ix(&targets), &t(&dloss), vocab)
            .unwrap();
        if rows > 1 {
            assert!(
                d.as_slice()[vocab..2 * vocab].iter().all(|&x| x == 0.0),
                "ignored row"
            );
        }
        fd_check(
            &format!("cross_entropy {rows}x{vocab}"),
            &logits,
            d.as_slice(),
            1.0,
            obj,
        );
    }
}

#[test]
fn embedding_backward_with_repeated_ids() {
    let b = cpu();
    let (vocab, dim) = (5, 3);
    let ids = [3u32, 0, 3, 3, 4, 0, 1];
    let table = normal(18, vocab * dim, 1.0);
    let w = normal(19, ids.len() * dim, 1.0);
    let obj =
        |tab: &[f32]| weighted_sum(&w, b.embedding(&t(tab), &ix(&ids), dim).unwrap().as_slice());
    let d0 = normal(20, vocab * dim, 1.0);
    let mut d = t(&d0);
    b.embedding_backward_acc(&t(&w), &ix(&ids), &mut d, dim)
        .unwrap();
    let inc: Vec<f32> = d.as_slice().iter().zip(&d0).map(|(a, b)| a - b).collect();
    fd_check("embedding dtable", &table, &inc, 1.0, obj);
    // Row 2 is never looked up: its gradient is exactly the starting value.
    assert_eq!(&d.as_slice()[2 * dim..3 * dim], &d0[2 * dim..3 * dim]);
}

#[test]
fn bias_backward() {
    let b = cpu();
    let (rows, cols) = (9, 5);
    let x = normal(21, rows * cols, 1.0);
    let bias = normal(22, cols, 1.0);
    let w = normal(23, rows * cols, 1.0);
    let obj = |bias: &[f32]| {
        let mut y = t(&x);
        b.add_bias(&mut y, &t(bias), cols).unwrap();
        weighted_sum(&w, y.as_slice())
    };
    let mut db = b.zeros(cols).unwrap();
    b.bias_backward_acc(&t(&w), &mut db, cols).unwrap();
    fd_check("bias dbias", &bias, db.as_slice(), 1.0, obj);
}

/// `C = op(A)·op(B)` with `L = Σ W ⊙ C`: the gradients are themselves matmuls,
/// `d op(A) = W·op(B)ᵀ` and `d op(B) = op(A)ᵀ·W`, written for each storage layout.
#[test]
fn matmul_all_transpose_combinations() {
    let b = cpu();
    let (m, k, n) = (3, 5, 7);
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
        let a = normal(24, m * k, 1.0);
        let bm = normal(25, k * n, 1.0);
        let w = normal(26, m * n, 1.0);
        let obj = |a: &[f32], bm: &[f32]| {
            let mut c = b.zeros(m * n).unwrap();
            b.matmul(
                &t(a),
                &t(bm),
                &mut c,
                Matmul {
                    m,
                    k,
                    n,
                    trans_a: ta,
                    trans_b: tb,
                    alpha: 1.0,
                    beta: 0.0,
                },
            )
            .unwrap();
            weighted_sum(&w, c.as_slice())
        };
        let mut da = b.zeros(m * k).unwrap();
        let mut db = b.zeros(k * n).unwrap();
        let (wt, at, bt) = (t(&w), t(&a), t(&bm));
        match ta {
            // A stored [m, k]: dA = W·op(B)ᵀ.
            false => b.matmul(
                &wt,
                &bt,
                &mut da,
                Matmul {
                    m,
                    k: n,
                    n: k,
                    trans_a: false,
                    trans_b: !tb,
                    alpha: 1.0,
                    beta: 0.0,
                },
            ),
            // A stored [k, m]: dA = op(B)·Wᵀ.
            true => b.matmul(
                &bt,
                &wt,
                &mut da,
                Matmul {
                    m: k,
                    k: n,
                    n: m,
                    trans_a: tb,
                    trans_b: true,
                    alpha: 1.0,
                    beta: 0.0,
                },
            ),
        }
        .unwrap();
        match tb {
            // B stored [k, n]: dB = op(A)ᵀ·W.
            false => b.matmul(
                &at,
                &wt,
                &mut db,
                Matmul {
                    m: k,
                    k: m,
                    n,
                    trans_a: !ta,
                    trans_b: false,
                    alpha: 1.0,
                    beta: 0.0,
                },
            ),
            // B stored [n, k]: dB = Wᵀ·op(A).
            true => b.matmul(
                &wt,
                &at,
                &mut db,
                Matmul {
                    m: n,
                    k: m,
                    n: k,
                    trans_a: true,
                    trans_b: ta,
                    alpha: 1.0,
                    beta: 0.0,
                },
            ),
        }
        .unwrap();
        fd_check(
            &format!("matmul dA tA={ta} tB={tb}"),
            &a,
            da.as_slice(),
            1.0,
            |x| obj(x, &bm),
        );
        fd_check(
            &format!("matmul dB tA={ta} tB={tb}"),
            &bm,
            db.as_slice(),
            1.0,
            |x| obj(&a, x),
        );
    }
}
