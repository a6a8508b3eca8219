//! Losses over the vocabulary: `cross_entropy`, `cross_entropy_backward`,
//! `token_logprobs`, `token_logprobs_backward` and `token_logprobs_entropy`.
//!
//! Contract:
//! - `cross_entropy(logits, targets, vocab)`: per-row softmax cross-entropy,
//!   `logits: [rows, V]`, `targets: [rows]`. Returns `(loss: [rows], lse: [rows])` with
//!   `loss[r] = lse[r] − logits[r, targets[r]]`. A target equal to [`IGNORE`] (`u32::MAX`)
//!   marks an ignored row: its loss is 0 (its `lse` is still computed). Any other target
//!   `≥ V` is a shape error.
//! - `cross_entropy_backward(logits, lse, targets, dloss, vocab)`, given `dloss: [rows]`:
//!   `dlogits[r, j] = dloss[r] * (softmax(logits[r])[j] − 1[j = targets[r]])` (zero rows for
//!   ignored targets).
//! - `token_logprobs_entropy(logits, targets, vocab, temperature)`: per-row log-probability
//!   of the target and entropy of the softmax, at `temperature` (logits are divided by it
//!   first; use 1.0 for none). Returns `(logp: [rows], entropy: [rows])`,
//!   `entropy = −Σ_j p_j log p_j`. An ignored target gives `logp = 0` (the entropy is still
//!   computed); `temperature` must be finite and `> 0`.
//! - `token_logprobs(logits, targets, vocab, temperature)`: the training objective's
//!   log-probabilities in one pass over the vocabulary. With `z = logits · (1/T)` (the f32
//!   product with the f32 `1/T`, exactly what `scale(logits, 1/T)` computes; no product at
//!   `T = 1`), returns `(logp: [rows], lse: [rows])`, `logp[r] = −(lse(z_r) − z_r[targets[r]])`
//!   and `lse` of `z`: bit for bit `scale`, then `cross_entropy`, then `scale(loss, −1)`, which
//!   is the default. An ignored target gives `logp = −0`.
//! - `token_logprobs_backward(logits, lse, targets, dlogp, vocab, temperature)`, given the
//!   `lse` from `token_logprobs` and `dlogp: [rows]`: the gradient with respect to the
//!   *unscaled* logits, `dlogits[r, j] = ((−dlogp[r]) · (softmax(z_r)_j − 1[j = t_r])) · (1/T)`
//!   (the last product skipped at `T = 1`; zero rows for ignored targets): bit for bit
//!   `cross_entropy_backward` of `z` with `dloss = −dlogp`, then `scale(dlogits, 1/T)`.

use alloc::format;

use super::shape::{check_len, err, rows_of};
use super::Result;

/// The target value that marks an ignored row.
pub const IGNORE: u32 = u32::MAX;

/// Checks the targets of a `[rows, vocab]` logits tensor: one per row, in range or
/// [`IGNORE`]; returns `rows`.
fn check_targets(op: &'static str, logits: usize, targets: &[u32], vocab: usize) -> Result<usize> {
    let rows = rows_of(op, "logits [rows, vocab]", logits, vocab)?;
    check_len(op, "targets [rows]", targets.len(), rows)?;
    if let Some(r) = targets
        .iter()
        .position(|&t| t != IGNORE && t as usize >= vocab)
    {
        return Err(err(
            op,
            format!(
                "`targets[{r}]` = {} is out of range for vocab = {vocab} (use u32::MAX to ignore a row)",
                targets[r]
            ),
        ));
    }
    Ok(rows)
}

/// Checks `cross_entropy`'s `logits` (element count) and the host copy of `targets`; returns
/// `rows`.
pub fn check_forward(logits: usize, targets: &[u32], vocab: usize) -> Result<usize> {
    check_targets("cross_entropy", logits, targets, vocab)
}

/// Checks `cross_entropy_backward`'s arguments (element counts, and the host copy of
/// `targets`); returns `rows`.
pub fn check_backward(
    logits: usize,
    lse: usize,
    targets: &[u32],
    dloss: usize,
    vocab: usize,
) -> Result<usize> {
    const OP: &str = "cross_entropy_backward";
    let rows = check_targets(OP, logits, targets, vocab)?;
    check_len(OP, "lse [rows]", lse, rows)?;
    check_len(OP, "dloss [rows]", dloss, rows)?;
    Ok(rows)
}

/// Checks `token_logprobs_entropy`'s arguments; returns `rows`.
pub fn check_logprobs(
    logits: usize,
    targets: &[u32],
    vocab: usize,
    temperature: f32,
) -> Result<usize> {
    const OP: &str = "token_logprobs_entropy";
    let rows = check_targets(OP, logits, targets, vocab)?;
    check_temperature_of(OP, temperature)?;
    Ok(rows)
}

/// Checks `token_logprobs`' arguments; returns `rows`.
pub fn check_token_logprobs(
    logits: usize,
    targets: &[u32],
    vocab: usize,
    temperature: f32,
) -> Result<usize> {
    const OP: &str = "token_logprobs";
    let rows = check_targets(OP, logits, targets, vocab)?;
    check_temperature_of(OP, temperature)?;
    Ok(rows)
}

/// Checks `token_logprobs_backward`'s arguments; returns `rows`.
pub fn check_token_logprobs_backward(
    logits: usize,
    lse: usize,
    targets: &[u32],
    dlogp: usize,
    vocab: usize,
    temperature: f32,
) -> Result<usize> {
    const OP: &str = "token_logprobs_backward";
    let rows = check_targets(OP, logits, targets, vocab)?;
    check_len(OP, "lse [rows]", lse, rows)?;
    check_len(OP, "dlogp [rows]", dlogp, rows)?;
    check_temperature_of(OP, temperature)?;
    Ok(rows)
}

/// A temperature must be finite and `> 0` (`op` names the op in the error).
pub fn check_temperature_of(op: &'static str, temperature: f32) -> Result<()> {
    if temperature > 0.0 && temperature.is_finite() {
        Ok(())
    } else {
        Err(err(
            op,
            format!("temperature must be finite and > 0, got {temperature}"),
        ))
    }
}

/// The factor the logits are multiplied by at `temperature`: `None` at `T = 1` (no product),
/// else the f32 `1/T`.
pub fn inverse_temperature(temperature: f32) -> Option<f32> {
    (temperature != 1.0).then(|| 1.0 / temperature)
}
