//! Losses over the vocabulary: softmax cross-entropy (forward, backward) and the per-token
//! log-probability and entropy (kernels in `hir_kernels::CROSS_ENTROPY`: one workgroup per row for the
//! row reductions, one thread per logit for the backward).

use hir_core::backend::cross_entropy::{check_backward, check_forward, check_logprobs};
use hir_core::backend::Result;
use hir_kernels::CROSS_ENTROPY;

use crate::dispatch::to_u32;
use crate::dispatch::{grid_1d, Binding, Kernel, Params, MAX_GROUPS_PER_DIM};
use crate::gpu::Gpu;
use crate::tensor::{WgpuIndex, WgpuTensor};

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
    let rows = check_forward(logits.len, targets.host(), vocab)?;
    to_u32("cross_entropy", "logits.len()", logits.len)?;
    let loss = gpu.alloc(rows);
    let lse = gpu.alloc(rows);
    gpu.dispatch(
        Kernel::new(CROSS_ENTROPY, "cross_entropy_forward"),
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
    let rows = check_backward(logits.len, lse.len, targets.host(), dloss.len, vocab)?;
    to_u32("cross_entropy_backward", "logits.len()", logits.len)?;
    let dlogits = gpu.alloc(logits.len);
    gpu.dispatch(
        Kernel::new(CROSS_ENTROPY, "cross_entropy_backward"),
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
    let rows = check_logprobs(logits.len, targets.host(), vocab, temperature)?;
    to_u32("token_logprobs_entropy", "logits.len()", logits.len)?;
    let logp = gpu.alloc(rows);
    let entropy = gpu.alloc(rows);
    gpu.dispatch(
        Kernel::new(CROSS_ENTROPY, "token_logprobs_entropy"),
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
