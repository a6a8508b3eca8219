//! Rotary position embedding: `rope`.
//!
//! Contract: Hugging Face "rotate half" layout, in place. `x: [N, heads, head_dim]`,
//! `positions: [N]`. For pair `i < head_dim/2` of each head, with `f = theta^(-2i/head_dim)`
//! and angle `a = pos * f`:
//! `x[i] ← x[i] cos a − x[i+E/2] sin a`, `x[i+E/2] ← x[i+E/2] cos a + x[i] sin a`.
//! `inverse = true` rotates by `−a`, which is exactly the backward pass.
//!
//! `head_dim` must be even. The angle is computed as Hugging Face transformers does, in
//! f32: `inv_freq = f32(1 / theta^(2i/head_dim))` ([`inv_freq`]), `a = f32(pos) * inv_freq`
//! (one f32 product, so large positions carry the same rounding as the reference model);
//! `cos a` and `sin a` are then those of that f32 angle.

use alloc::format;

use super::shape::{err, mul};
use super::Result;

/// `inv_freq` of pair `i`: `1 / theta^(2i/head_dim)` computed in f64 and rounded to f32, as
/// Hugging Face transformers does. Every backend rotates by `f32(pos) * inv_freq`.
///
/// With the `std` feature only: the power is the platform's `f64::powf` (what the backends
/// have always used), not `libm`'s, whose last bit may differ.
#[cfg(feature = "std")]
pub fn inv_freq(i: usize, head_dim: usize, theta: f32) -> f32 {
    (1.0 / (theta as f64).powf((2 * i) as f64 / head_dim as f64)) as f32
}

/// Validated sizes of a `rope` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RopeDims {
    /// Tokens `N` (= `positions.len()`).
    pub tokens: usize,
    /// Heads per token.
    pub heads: usize,
    /// Head size (even, > 0).
    pub head_dim: usize,
    /// Elements per token, `heads · head_dim`.
    pub row: usize,
}

/// Checks `x: [N, heads, head_dim]` against `positions: [N]`.
pub fn check(x: usize, positions: usize, heads: usize, head_dim: usize) -> Result<RopeDims> {
    const OP: &str = "rope";
    if head_dim == 0 || !head_dim.is_multiple_of(2) {
        return Err(err(
            OP,
            format!("head_dim must be even and > 0, got {head_dim}"),
        ));
    }
    if heads == 0 {
        return Err(err(OP, "heads must be > 0".into()));
    }
    let row = mul(OP, &[heads, head_dim])?;
    let expected = mul(OP, &[positions, row])?;
    if x != expected {
        return Err(err(
            OP,
            format!(
                "`x` has {x} elements, expected N·heads·head_dim = {positions}·{heads}·{head_dim} = {expected} \
                 (N = positions.len())",
            ),
        ));
    }
    Ok(RopeDims {
        tokens: positions,
        heads,
        head_dim,
        row,
    })
}
