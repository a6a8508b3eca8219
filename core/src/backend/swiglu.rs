//! SwiGLU gating: `swiglu` and `swiglu_backward`.
//!
//! Contract:
//! - `swiglu(gate, up)`: `h = silu(gate) * up`, elementwise, `silu(x) = x / (1 + e^(−x))`.
//! - `swiglu_backward(dh, gate, up)`: returns `(dgate, dup)`, `dup = dh · silu(gate)`,
//!   `dgate = dh · up · σ(gate) · (1 + gate · (1 − σ(gate)))`.

use super::shape::check_len;
use super::Result;

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
