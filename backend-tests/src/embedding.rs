//! `embedding` and `embedding_backward_acc`.

use hir_core::backend::{Backend, Result};

use crate::finite_difference::{fd_check, weighted_sum};
use crate::inputs::{ints, normal, wide};
use crate::report::{Expected, Outputs, Tolerance, F32_REDUCTION};
use crate::suite::{shape_error, Case, Outcome, Suite};

/// The embedding family's cases.
pub fn cases<B: Backend, R: Backend>(s: &mut Suite<'_, B, R>) {
    for (dim, vocab) in [(1, 1), (7, 13), (33, 256)] {
        s.table(&Embedding { vocab, dim, n: 21 });
    }
    s.check("embedding copies rows", |b| copies_rows(b));
    s.check(
        "embedding_backward_acc with repeated ids against finite differences",
        |b| backward_fd(b),
    );
    s.check("error message names the op and the argument", |b| {
        error_message(b)
    });
    s.check("rejects inconsistent shapes", |b| shape_errors(b));
}

/// `embedding` of `n` seeded ids (repeats when `V ≤ 21`, which exercises the ordered
/// accumulation), and `embedding_backward_acc` into a seeded `dtable`.
struct Embedding {
    vocab: usize,
    dim: usize,
    n: usize,
}

impl Case for Embedding {
    fn name(&self) -> String {
        format!("embedding V={} dim={} N={}", self.vocab, self.dim, self.n)
    }
    fn tolerance(&self) -> Tolerance {
        F32_REDUCTION
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let (vocab, dim, n) = (self.vocab, self.dim, self.n);
        let table = b.upload(&normal(6, vocab * dim, 1.0))?;
        let ids = b.upload_index(&ints(7, n, vocab as u32))?;
        let out = b.embedding(&table, &ids, dim)?;
        let mut dtable = b.upload(&normal(8, vocab * dim, 1.0))?;
        let dout = b.upload(&normal(9, n * dim, 1.0))?;
        b.embedding_backward_acc(&dout, &ids, &mut dtable, dim)?;
        Ok(vec![
            ("embedding", b.download(&out)?),
            ("embedding_backward_acc", b.download(&dtable)?),
        ])
    }
    fn expected(&self) -> Expected {
        let (vocab, dim, n) = (self.vocab, self.dim, self.n);
        let table = normal(6, vocab * dim, 1.0);
        let ids = ints(7, n, vocab as u32);
        let mut dtable = wide(&normal(8, vocab * dim, 1.0));
        let dout = normal(9, n * dim, 1.0);
        let mut out = Vec::with_capacity(n * dim);
        for (i, &id) in ids.iter().enumerate() {
            let id = id as usize;
            out.extend(wide(&table[id * dim..][..dim]));
            for d in 0..dim {
                dtable[id * dim + d] += dout[i * dim + d] as f64;
            }
        }
        vec![("embedding", out), ("embedding_backward_acc", dtable)]
    }
}

/// A `[4, 3]` table of 0..12 looked up with repeated ids.
fn copies_rows<B: Backend>(b: &B) -> Outcome {
    let table: Vec<f32> = (0..12).map(|v| v as f32).collect();
    let ids = b.upload_index(&[3, 0, 3])?;
    let want = vec![9.0, 10.0, 11.0, 0.0, 1.0, 2.0, 9.0, 10.0, 11.0];
    let got = b.download(&b.embedding(&b.upload(&table)?, &ids, 3)?)?;
    ensure!(got == want, "embedding gave {got:?}, want {want:?}");
    Ok(())
}

/// `L = Σ w ⊙ embedding(table)`: the increment of `embedding_backward_acc(w)` is `∂L/∂table`;
/// a row never looked up keeps its starting value exactly.
fn backward_fd<B: Backend>(b: &B) -> Outcome {
    let (vocab, dim) = (5, 3);
    let ids = [3u32, 0, 3, 3, 4, 0, 1];
    let table = normal(18, vocab * dim, 1.0);
    let w = normal(19, ids.len() * dim, 1.0);
    let idx = b.upload_index(&ids)?;
    let obj = |tab: &[f32]| {
        let y = b.embedding(&b.upload(tab)?, &idx, dim)?;
        Ok(weighted_sum(&w, &b.download(&y)?))
    };
    let d0 = normal(20, vocab * dim, 1.0);
    let mut d = b.upload(&d0)?;
    b.embedding_backward_acc(&b.upload(&w)?, &idx, &mut d, dim)?;
    let d = b.download(&d)?;
    let inc: Vec<f32> = d.iter().zip(&d0).map(|(a, b)| a - b).collect();
    fd_check("embedding dtable", &table, &inc, 1.0, obj)?;
    // Row 2 is never looked up: its gradient is exactly the starting value.
    ensure!(
        d[2 * dim..3 * dim] == d0[2 * dim..3 * dim],
        "row 2 changed: {:?}",
        &d[2 * dim..3 * dim]
    );
    Ok(())
}

/// An id past the table names the id and its value.
fn error_message<B: Backend>(b: &B) -> Outcome {
    let r = b.embedding(&b.upload(&[0.0; 6])?, &b.upload_index(&[0, 3])?, 2);
    shape_error(r, "embedding", &["ids[1]", "= 3"])
}

/// Every call with inconsistent sizes is an error, not a panic or a success.
fn shape_errors<B: Backend>(b: &B) -> Outcome {
    let t = |n: usize| b.upload(&normal(70, n, 1.0));
    let ix = |v: &[u32]| b.upload_index(v);
    ensure!(
        b.embedding(&t(6)?, &ix(&[3])?, 2).is_err(),
        "embedding of id 3 in a [3, 2] table"
    );
    ensure!(
        b.embedding_backward_acc(&t(4)?, &ix(&[0])?, &mut t(6)?, 2)
            .is_err(),
        "embedding_backward_acc of 4 values for one id of dim 2"
    );
    Ok(())
}
