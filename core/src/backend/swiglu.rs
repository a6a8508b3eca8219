//! SwiGLU gating: `swiglu`, `swiglu_backward`, and `gate_up_swiglu` (the gate/up projections
//! of a SwiGLU MLP fused with the gating).
//!
//! Contract:
//! - `swiglu(gate, up)`: `h = silu(gate) * up`, elementwise, `silu(x) = x / (1 + e^(−x))`.
//! - `swiglu_backward(dh, gate, up)`: returns `(dgate, dup)`, `dup = dh · silu(gate)`,
//!   `dgate = dh · up · σ(gate) · (1 + gate · (1 − σ(gate)))`.
//! - `gate_up_swiglu(x, w_gate, w_up, shape)` with `shape: `[`GateUp`]: for `x: [rows, d_in]`
//!   and the two weights in a linear layer's layout `[d_ff, d_in]`, computes
//!   `gate = x · w_gateᵀ`, `up = x · w_upᵀ` (each `[rows, d_ff]`, the product `matmul` computes
//!   with [`Matmul::new`]`(rows, d_in, d_ff).transpose_b()`) and returns
//!   `act = swiglu(gate, up)`, plus `Some((gate, up))` when `shape.keep` (training keeps them
//!   for the backward pass) and `None` otherwise. The weights may be stored weights
//!   ([`super::weight`]): they are `matmul`'s `b` with trans_b, which stored weights allow.
//!   The trait's default is exactly that sequence (two `matmul` calls into fresh zeroed
//!   tensors, then `swiglu`), so a backend that keeps it gives the same bits as the unfused
//!   ops; a backend may fuse it into fewer dispatches, accumulating each product in f32 (the
//!   tolerance of `matmul` then `swiglu`). No bias and no adapter term: a model with either
//!   uses the separate ops.
//!
//! [`Matmul::new`]: super::Matmul::new

use super::shape::{check_len, mul};
use super::{Backend, Matmul, Result};

/// Checks `up` against `gate` (same length); returns the length.
pub fn check_forward(gate: usize, up: usize) -> Result<usize> {
    check_len("swiglu", "up", up, gate)?;
    Ok(gate)
}

/// Checks `up` and `dh` against `gate` (same length); returns the length.
pub fn check_backward(dh: usize, gate: usize, up: usize) -> Result<usize> {
    check_len("swiglu_backward", "up", up, gate)?;
    check_len("swiglu_backward", "dh", dh, gate)?;
    Ok(gate)
}

/// The sizes of `gate_up_swiglu`: `x: [rows, d_in]`, `w_gate`, `w_up: [d_ff, d_in]`, the
/// outputs `[rows, d_ff]`, and whether `gate` and `up` are returned too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateUp {
    /// Tokens.
    pub rows: usize,
    /// Input features (the hidden size).
    pub d_in: usize,
    /// Output features (the MLP's intermediate size).
    pub d_ff: usize,
    /// Return `(gate, up)` as well as `act` (training); `false` for inference.
    pub keep: bool,
}

impl GateUp {
    /// `rows` tokens of `d_in` features through two `[d_ff, d_in]` weights.
    pub fn new(rows: usize, d_in: usize, d_ff: usize, keep: bool) -> Self {
        Self {
            rows,
            d_in,
            d_ff,
            keep,
        }
    }
}

/// What `gate_up_swiglu` returns: `act`, and `Some((gate, up))` when they are kept.
pub type GateUpOutput<T> = (T, Option<(T, T)>);

/// Checks the element counts of `x` (`[rows, d_in]`) and of the two weights
/// (`[d_ff, d_in]` each) against `shape`; returns the output length `rows · d_ff`.
pub fn check_gate_up(x: usize, w_gate: usize, w_up: usize, shape: GateUp) -> Result<usize> {
    const OP: &str = "gate_up_swiglu";
    let GateUp {
        rows, d_in, d_ff, ..
    } = shape;
    let x_want = mul(OP, &[rows, d_in])?;
    let w_want = mul(OP, &[d_ff, d_in])?;
    let out = mul(OP, &[rows, d_ff])?;
    check_len(
        OP,
        &alloc::format!("x [rows, d_in] (rows={rows}, d_in={d_in})"),
        x,
        x_want,
    )?;
    check_len(
        OP,
        &alloc::format!("w_gate [d_ff, d_in] (d_ff={d_ff}, d_in={d_in})"),
        w_gate,
        w_want,
    )?;
    check_len(
        OP,
        &alloc::format!("w_up [d_ff, d_in] (d_ff={d_ff}, d_in={d_in})"),
        w_up,
        w_want,
    )?;
    Ok(out)
}

/// `gate_up_swiglu` as the unfused ops (the trait's default, and the fallback of a backend
/// whose fused kernel does not cover a call): `matmul` with trans_b into a fresh zeroed
/// tensor for the gate, then for the up product, then `swiglu`.
pub fn gate_up_unfused<B: Backend + ?Sized>(
    b: &B,
    x: &B::Tensor,
    w_gate: &B::Tensor,
    w_up: &B::Tensor,
    shape: GateUp,
) -> Result<GateUpOutput<B::Tensor>> {
    let out = check_gate_up(b.len(x), b.len(w_gate), b.len(w_up), shape)?;
    let mm = Matmul::new(shape.rows, shape.d_in, shape.d_ff).transpose_b();
    let mut gate = b.zeros(out)?;
    b.matmul(x, w_gate, &mut gate, mm)?;
    let mut up = b.zeros(out)?;
    b.matmul(x, w_up, &mut up, mm)?;
    let act = b.swiglu(&gate, &up)?;
    Ok((act, shape.keep.then_some((gate, up))))
}
