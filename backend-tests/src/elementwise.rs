//! Elementwise ops: `axpy`, `scale`, `add_bias`, `bias_backward_acc`, `gather_rows`.

use hir_core::backend::{Backend, Result};

use crate::finite_difference::{fd_check, weighted_sum};
use crate::inputs::{ints, normal, wide};
use crate::report::{Expected, Outputs, Tolerance, ELEMENTWISE, EXACT, F32_REDUCTION};
use crate::suite::{Case, Outcome, Suite};

/// The elementwise family's cases.
pub fn cases<B: Backend, R: Backend>(s: &mut Suite<'_, B, R>) {
    s.table(&AxpyScale { n: 1, seed: 1 });
    s.table(&AxpyScale { n: 4097, seed: 2 });
    for (rows, cols) in [(1, 1), (7, 13), (33, 256)] {
        s.table(&Bias { rows, cols });
        s.table(&Gather {
            rows: cols,
            cols: rows,
            n: 21,
        });
    }
    s.check("bias_backward_acc against finite differences 9x5", |b| {
        bias_backward_fd(b)
    });
    s.check("gather_rows copies rows", |b| gather_copies_rows(b));
    s.check("scale on more than 65535 workgroups", |b| large_grid(b));
    s.check("1500 axpy keep their own alpha", |b| many_dispatches(b));
    s.check("rejects inconsistent shapes", |b| shape_errors(b));
}

/// `y += −0.75·x`, then `y *= 3`.
struct AxpyScale {
    n: usize,
    seed: u64,
}

impl Case for AxpyScale {
    fn name(&self) -> String {
        format!("axpy/scale n={}", self.n)
    }
    fn tolerance(&self) -> Tolerance {
        ELEMENTWISE
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let x = b.upload(&normal(self.seed, self.n, 1.0))?;
        let mut y = b.upload(&normal(self.seed + 1, self.n, 1.0))?;
        b.axpy(-0.75, &x, &mut y)?;
        let ya = b.download(&y)?;
        b.scale(&mut y, 3.0)?;
        Ok(vec![("axpy", ya), ("scale", b.download(&y)?)])
    }
    fn expected(&self) -> Expected {
        let x = normal(self.seed, self.n, 1.0);
        let y = normal(self.seed + 1, self.n, 1.0);
        let axpy: Vec<f64> = x
            .iter()
            .zip(&y)
            .map(|(&x, &y)| y as f64 - 0.75 * x as f64)
            .collect();
        let scale = axpy.iter().map(|v| 3.0 * v).collect();
        vec![("axpy", axpy), ("scale", scale)]
    }
}

/// `add_bias` on `[rows, cols]`, then `bias_backward_acc` of the result into a seeded `dbias`.
struct Bias {
    rows: usize,
    cols: usize,
}

impl Case for Bias {
    fn name(&self) -> String {
        format!("bias rows={} cols={}", self.rows, self.cols)
    }
    fn tolerance(&self) -> Tolerance {
        F32_REDUCTION
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let (rows, cols) = (self.rows, self.cols);
        let mut x = b.upload(&normal(3, rows * cols, 1.0))?;
        let bias = b.upload(&normal(4, cols, 1.0))?;
        b.add_bias(&mut x, &bias, cols)?;
        let mut dbias = b.upload(&normal(5, cols, 1.0))?;
        b.bias_backward_acc(&x, &mut dbias, cols)?;
        Ok(vec![
            ("add_bias", b.download(&x)?),
            ("bias_backward_acc", b.download(&dbias)?),
        ])
    }
    fn expected(&self) -> Expected {
        let (rows, cols) = (self.rows, self.cols);
        let x = normal(3, rows * cols, 1.0);
        let bias = normal(4, cols, 1.0);
        let mut y = vec![0.0f64; rows * cols];
        let mut dbias = wide(&normal(5, cols, 1.0));
        for r in 0..rows {
            for c in 0..cols {
                y[r * cols + c] = x[r * cols + c] as f64 + bias[c] as f64;
                dbias[c] += y[r * cols + c];
            }
        }
        vec![("add_bias", y), ("bias_backward_acc", dbias)]
    }
}

/// `gather_rows` of `n` seeded row ids (repeats when `rows < 21`) from `[rows, cols]`.
struct Gather {
    rows: usize,
    cols: usize,
    n: usize,
}

impl Case for Gather {
    fn name(&self) -> String {
        format!(
            "gather_rows rows={} cols={} N={}",
            self.rows, self.cols, self.n
        )
    }
    fn tolerance(&self) -> Tolerance {
        EXACT
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let x = b.upload(&normal(6, self.rows * self.cols, 1.0))?;
        let ids = b.upload_index(&ints(7, self.n, self.rows as u32))?;
        Ok(vec![(
            "gather_rows",
            b.download(&b.gather_rows(&x, &ids, self.cols)?)?,
        )])
    }
    fn expected(&self) -> Expected {
        let x = normal(6, self.rows * self.cols, 1.0);
        let out = ints(7, self.n, self.rows as u32)
            .iter()
            .flat_map(|&r| wide(&x[r as usize * self.cols..][..self.cols]))
            .collect();
        vec![("gather_rows", out)]
    }
}

/// `L = Σ w ⊙ (x + bias)`: `bias_backward_acc(w)` from zero is `∂L/∂bias`.
fn bias_backward_fd<B: Backend>(b: &B) -> Outcome {
    let (rows, cols) = (9, 5);
    let x = normal(21, rows * cols, 1.0);
    let bias = normal(22, cols, 1.0);
    let w = normal(23, rows * cols, 1.0);
    let obj = |bias: &[f32]| {
        let mut y = b.upload(&x)?;
        b.add_bias(&mut y, &b.upload(bias)?, cols)?;
        Ok(weighted_sum(&w, &b.download(&y)?))
    };
    let mut db = b.zeros(cols)?;
    b.bias_backward_acc(&b.upload(&w)?, &mut db, cols)?;
    fd_check("bias dbias", &bias, &b.download(&db)?, 1.0, obj)
}

/// `gather_rows` of a `[4, 3]` table of 0..12 with repeated ids.
fn gather_copies_rows<B: Backend>(b: &B) -> Outcome {
    let table: Vec<f32> = (0..12).map(|v| v as f32).collect();
    let ids = b.upload_index(&[3, 0, 3])?;
    let want = vec![9.0, 10.0, 11.0, 0.0, 1.0, 2.0, 9.0, 10.0, 11.0];
    let got = b.download(&b.gather_rows(&b.upload(&table)?, &ids, 3)?)?;
    ensure!(got == want, "gather_rows gave {got:?}, want {want:?}");
    Ok(())
}

/// 65600·256 + 3 elements: more threads than 65535 workgroups of 256 hold, so a GPU backend
/// must spread them over a 2-D grid.
fn large_grid<B: Backend>(b: &B) -> Outcome {
    let n = 65_600 * 256 + 3;
    let x = normal(4, n, 1.0);
    let mut t = b.upload(&x)?;
    b.scale(&mut t, 0.5)?;
    let got = b.download(&t)?;
    ensure!(
        got.len() == n && got.iter().zip(&x).all(|(g, x)| *g == x * 0.5),
        "scale on a 2-D grid"
    );
    Ok(())
}

/// 1500 dispatches span several submitted batches of a GPU backend (512 commands each), each
/// with its own `alpha` in the parameter arena: `y = Σ i·x` exactly (integers below 2^24).
fn many_dispatches<B: Backend>(b: &B) -> Outcome {
    let x = b.upload(&[1.0, 2.0, 3.0])?;
    let mut y = b.zeros(3)?;
    for i in 0..1500 {
        b.axpy(i as f32, &x, &mut y)?;
    }
    let s = (0..1500).sum::<u32>() as f32;
    let got = b.download(&y)?;
    ensure!(got == vec![s, 2.0 * s, 3.0 * s], "y = {got:?}");
    Ok(())
}

/// Every call with inconsistent sizes is an error, not a panic or a success.
fn shape_errors<B: Backend>(b: &B) -> Outcome {
    let t = |n: usize| b.upload(&normal(70, n, 1.0));
    let ix = |v: &[u32]| b.upload_index(v);
    ensure!(b.axpy(1.0, &t(3)?, &mut t(4)?).is_err(), "axpy 3 into 4");
    ensure!(
        b.add_bias(&mut t(6)?, &t(4)?, 3).is_err(),
        "add_bias [2, 3] + [4]"
    );
    ensure!(
        b.bias_backward_acc(&t(7)?, &mut t(3)?, 3).is_err(),
        "bias_backward_acc of 7 elements in rows of 3"
    );
    ensure!(
        b.gather_rows(&t(6)?, &ix(&[2])?, 3).is_err(),
        "gather_rows of row 2 of [2, 3]"
    );
    Ok(())
}
