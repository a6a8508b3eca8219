//! The matrix product `matmul`: `C = alpha · op(A) · op(B) + beta · C`, with
//! `op(X) = Xᵀ` when the flag is set.
//!
//! Contract: `op(A)` is `[m, k]` and `op(B)` is `[k, n]`; stored `A` is `[m, k]` (or `[k, m]`
//! when `trans_a`), stored `B` is `[k, n]` (or `[n, k]` when `trans_b`), `C` is `[m, n]`.
//! With `beta = 0` the previous content of `C` is ignored (even if it holds NaN); with
//! `beta = 1` the product is accumulated into `C`. `k = 0` gives `C = beta * C`.

use alloc::format;

use super::shape::{check_len, mul};
use super::Result;

/// The dimensions and scalars of one [`Backend::matmul`](super::Backend::matmul) call.
///
/// Build it with [`Matmul::new`] and the modifiers, e.g. a linear layer `y = x · wᵀ` is
/// `Matmul::new(rows, d_in, d_out).transpose_b()`, and accumulating a weight gradient
/// `dw += dyᵀ · x` is `Matmul::new(d_out, rows, d_in).transpose_a().accumulate()`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Matmul {
    /// Rows of `op(A)` and `C`.
    pub m: usize,
    /// Columns of `op(A)`, rows of `op(B)`: the reduced dimension.
    pub k: usize,
    /// Columns of `op(B)` and `C`.
    pub n: usize,
    /// `A` is stored transposed (`[k, m]`).
    pub trans_a: bool,
    /// `B` is stored transposed (`[n, k]`).
    pub trans_b: bool,
    /// Factor of the product.
    pub alpha: f32,
    /// Factor of the previous `C` (0: overwrite, 1: accumulate).
    pub beta: f32,
}

impl Matmul {
    /// `C = A · B` for `A: [m, k]`, `B: [k, n]` (no transposes, `alpha = 1`, `beta = 0`).
    pub fn new(m: usize, k: usize, n: usize) -> Self {
        Self {
            m,
            k,
            n,
            trans_a: false,
            trans_b: false,
            alpha: 1.0,
            beta: 0.0,
        }
    }

    /// `A` is stored transposed, `[k, m]`.
    pub fn transpose_a(self) -> Self {
        Self {
            trans_a: true,
            ..self
        }
    }

    /// `B` is stored transposed, `[n, k]`.
    pub fn transpose_b(self) -> Self {
        Self {
            trans_b: true,
            ..self
        }
    }

    /// Scales the product by `alpha`.
    pub fn alpha(self, alpha: f32) -> Self {
        Self { alpha, ..self }
    }

    /// Keeps `beta · C` (`beta = 0` overwrites `C`).
    pub fn beta(self, beta: f32) -> Self {
        Self { beta, ..self }
    }

    /// Adds the product into `C` (`beta = 1`).
    pub fn accumulate(self) -> Self {
        self.beta(1.0)
    }

    /// Checks the element counts of stored `A`, `B` and `C` against the dimensions.
    pub fn check(&self, a: usize, b: usize, c: usize) -> Result<()> {
        const OP: &str = "matmul";
        let Self {
            m,
            k,
            n,
            trans_a,
            trans_b,
            ..
        } = *self;
        let a_shape = if trans_a { "[k, m]" } else { "[m, k]" };
        let b_shape = if trans_b { "[n, k]" } else { "[k, n]" };
        check_len(
            OP,
            &format!("a {a_shape} (m={m}, k={k})"),
            a,
            mul(OP, &[m, k])?,
        )?;
        check_len(
            OP,
            &format!("b {b_shape} (k={k}, n={n})"),
            b,
            mul(OP, &[k, n])?,
        )?;
        check_len(
            OP,
            &format!("c [m, n] (m={m}, n={n})"),
            c,
            mul(OP, &[m, n])?,
        )
    }
}
