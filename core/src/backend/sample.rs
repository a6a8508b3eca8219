//! Token sampling: `sample` and `sample_to_index`.
//!
//! Contract of `sample(logits, vocab, seeds, params)`: draws one token per row of
//! `logits: [rows, V]`, read back to the host.
//!
//! Contract of `sample_to_index(logits, vocab, seeds, params)`: the same draws (the same ids,
//! row for row, for the same arguments) kept on the device as an index buffer of `rows`
//! elements, so that a decode loop can feed them to the next step (`embedding`) without a
//! round trip to the host; read several such buffers back at once with `download_indices`
//! (see [`super::memory`]). Every id is `< vocab` by construction. The default uploads
//! `sample`'s result (what the CPU backend runs, where host and device are one); a GPU backend
//! overrides it to skip the readback. A GPU backend may keep such a buffer *device-only*
//! (no host copy): ops that need the ids on the host (`embedding_backward_acc`, the targets
//! of `cross_entropy` and `token_logprobs*`, `rope`'s positions, `kv_cache`'s slots and
//! positions, `gather_rows`) may then refuse it with a
//! [`BackendError::Shape`](super::BackendError::Shape) naming the op; `embedding`,
//! `download_index` and `download_indices` accept it. The argument checks are `sample`'s
//! (errors name `sample`).
//!
//! Deterministic in `(seeds[r], logits)`: row `r` draws its uniform number from the
//! counter-based generator [`crate::rng::uniform`]`(seeds[r])`. Top-p keeps the smallest
//! prefix of tokens sorted by probability (descending, lower index first on ties) whose
//! mass reaches `top_p`, then samples from it renormalised.
//!
//! Precisely: `p_j ∝ exp((z_j − max z) / T)`; the kept set `K` is that prefix (all tokens
//! when `top_p = 1`); with `u = uniform(seeds[r])` the token is the first `j ∈ K` in
//! ascending index order whose running sum `Σ_{k ∈ K, k ≤ j} p_k` exceeds `u · Σ_K p`.
//! Walking `K` in index order (not sorted order) keeps the draw well defined without a
//! sort when top-p is off. Temperature 0 is greedy (argmax, lowest index on ties) and
//! ignores `u` and `top_p`. Requires `seeds.len() = rows`, a finite `temperature ≥ 0` and
//! `top_p ∈ (0, 1]`.

use alloc::format;

use super::shape::{check_len, err, rows_of};
use super::Result;

/// Sampling settings for `Backend::sample`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleParams {
    /// Softmax temperature; `0.0` means greedy (argmax, lowest index on ties).
    pub temperature: f32,
    /// Nucleus mass in `(0, 1]`; `1.0` disables top-p.
    pub top_p: f32,
}

/// Checks `logits: [rows, vocab]` (element count), `seeds: [rows]` and `params`; returns
/// `rows`.
pub fn check(logits: usize, vocab: usize, seeds: usize, params: &SampleParams) -> Result<usize> {
    const OP: &str = "sample";
    let rows = rows_of(OP, "logits [rows, vocab]", logits, vocab)?;
    check_len(OP, "seeds [rows]", seeds, rows)?;
    if !(params.temperature >= 0.0 && params.temperature.is_finite()) {
        return Err(err(
            OP,
            format!(
                "temperature must be finite and ≥ 0, got {}",
                params.temperature
            ),
        ));
    }
    if !(params.top_p > 0.0 && params.top_p <= 1.0) {
        return Err(err(
            OP,
            format!("top_p must be in (0, 1], got {}", params.top_p),
        ));
    }
    Ok(rows)
}
