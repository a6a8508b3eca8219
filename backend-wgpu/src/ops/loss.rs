//! Losses over the vocabulary: softmax cross-entropy (forward, backward) and the per-token
//! log-probability and entropy (kernels in `hir_kernels::LOSS`: one workgroup per row for the
//! row reductions, one thread per logit for the backward).

use hir_core::backend::Result;
use hir_kernels::LOSS;

use crate::dispatch::{grid_1d, Binding, Kernel, Params, MAX_GROUPS_PER_DIM};
use crate::gpu::Gpu;
use crate::shape::{check_len, err, rows_of, to_u32};
use crate::tensor::{WgpuIndex, WgpuTensor};

/// The target value that marks an ignored row.
const IGNORE: u32 = u32::MAX;

/// Checks the targets of a `[rows, vocab]` logits tensor (in range or [`IGNORE`], from the
/// index buffer's host copy) and returns the row count.
fn check_targets(
    op: &'static str,
    logits: &WgpuTensor,
    targets: &WgpuIndex,
    vocab: usize,
) -> Result<usize> {
    let rows = rows_of(op, "logits [rows, vocab]", logits.len, vocab)?;
    to_u32(op, "logits.len()", logits.len)?;
    check_len(op, "targets [rows]", targets.len(), rows)?;
    let t = targets.host();
    if let Some(r) = t.iter().position(|&x| x != IGNORE && x as usize >= vocab) {
        return Err(err(
            op,
            format!(
                "`targets[{r}]` = {} is out of range for vocab = {vocab} (use u32::MAX to ignore a row)",
                t[r]
            ),
        ));
    }
    Ok(rows)
}

/// The `LossParams` block: rows, vocab, temperature, padding.
fn params(rows: usize, vocab: usize, temperature: f32) -> Params {
    Params::new()
        .u32(rows as u32)
        .u32(vocab as u32)
        .f32(temperature)
        .u32(0)
}

/// One workgroup per row: `[x ≤ 65535, layers, 1]`, flattened by the kernels.
fn row_grid(rows: usize) -> [u32; 3] {
    let x = rows.min(MAX_GROUPS_PER_DIM as usize) as u32;
    [x, rows.div_ceil(MAX_GROUPS_PER_DIM as usize) as u32, 1]
}

/// See `Backend::cross_entropy`.
pub(crate) fn cross_entropy(
    gpu: &Gpu,
    logits: &WgpuTensor,
    targets: &WgpuIndex,
    vocab: usize,
) -> Result<(WgpuTensor, WgpuTensor)> {
    const OP: &str = "cross_entropy";
    let rows = check_targets(OP, logits, targets, vocab)?;
    let loss = gpu.alloc(rows);
    let lse = gpu.alloc(rows);
    gpu.dispatch(
        Kernel::new(LOSS, "cross_entropy_forward"),
        &[
            Binding::read(logits),
            Binding::index(targets),
            Binding::write(&loss),
            Binding::write(&lse),
        ],
        &params(rows, vocab, 1.0),
        row_grid(rows),
    )?;
    Ok((loss, lse))
}

/// See `Backend::cross_entropy_backward`.
pub(crate) fn cross_entropy_backward(
    gpu: &Gpu,
    logits: &WgpuTensor,
    lse: &WgpuTensor,
    targets: &WgpuIndex,
    dloss: &WgpuTensor,
    vocab: usize,
) -> Result<WgpuTensor> {
    const OP: &str = "cross_entropy_backward";
    let rows = check_targets(OP, logits, targets, vocab)?;
    check_len(OP, "lse [rows]", lse.len, rows)?;
    check_len(OP, "dloss [rows]", dloss.len, rows)?;
    let dlogits = gpu.alloc(logits.len);
    gpu.dispatch(
        Kernel::new(LOSS, "cross_entropy_backward"),
        &[
            Binding::read(logits),
            Binding::read(lse),
            Binding::index(targets),
            Binding::read(dloss),
            Binding::write(&dlogits),
        ],
        &params(rows, vocab, 1.0),
        grid_1d(logits.len, 256),
    )?;
    Ok(dlogits)
}

/// See `Backend::token_logprobs_entropy`.
pub(crate) fn token_logprobs_entropy(
    gpu: &Gpu,
    logits: &WgpuTensor,
    targets: &WgpuIndex,
    vocab: usize,
    temperature: f32,
) -> Result<(WgpuTensor, WgpuTensor)> {
    const OP: &str = "token_logprobs_entropy";
    let rows = check_targets(OP, logits, targets, vocab)?;
    if !(temperature > 0.0 && temperature.is_finite()) {
        return Err(err(
            OP,
            format!("temperature must be finite and > 0, got {temperature}"),
        ));
    }
    let logp = gpu.alloc(rows);
    let entropy = gpu.alloc(rows);
    gpu.dispatch(
        Kernel::new(LOSS, "token_logprobs_entropy"),
        &[
            Binding::read(logits),
            Binding::index(targets),
            Binding::write(&logp),
            Binding::write(&entropy),
        ],
        &params(rows, vocab, temperature),
        row_grid(rows),
    )?;
    Ok((logp, entropy))
}
