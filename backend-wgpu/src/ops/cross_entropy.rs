//! Losses over the vocabulary: softmax cross-entropy (forward, backward) and the per-token
//! log-probability and entropy (kernels in `hir_kernels::CROSS_ENTROPY`: one workgroup per row for the
//! row reductions, one thread per logit for the backward). `token_logprobs` and its backward
//! run the cross-entropy kernels with the temperature and the sign folded in.

use hir_core::backend::cross_entropy::{
    check_backward, check_forward, check_logprobs, check_token_logprobs,
    check_token_logprobs_backward, inverse_temperature,
};
use hir_core::backend::Result;
use hir_kernels::CROSS_ENTROPY;

use crate::dispatch::to_u32;
use crate::dispatch::{grid_1d, Binding, Kernel, Params, MAX_GROUPS_PER_DIM};
use crate::gpu::Gpu;
use crate::tensor::{WgpuIndex, WgpuTensor};

/// The `LossParams` block: rows, vocab, the temperature of token_logprobs_entropy, the
/// `inv_t` and `sign` of the cross-entropy kernels (see the kernel file), padding.
fn params(rows: usize, vocab: usize, temperature: f32, inv_t: f32, sign: f32) -> Params {
    Params::new()
        .u32(rows as u32)
        .u32(vocab as u32)
        .f32(temperature)
        .f32(inv_t)
        .f32(sign)
        .u32(0)
        .u32(0)
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
    let rows = check_forward(logits.len, targets.host_for("cross_entropy")?, vocab)?;
    to_u32("cross_entropy", "logits.len()", logits.len)?;
    forward(
        gpu,
        logits,
        targets,
        params(rows, vocab, 1.0, 1.0, 1.0),
        rows,
    )
}

/// See `Backend::token_logprobs`: the cross-entropy kernel reading `logits · (1/T)` and
/// writing `−loss`.
pub(crate) fn token_logprobs(
    gpu: &Gpu,
    logits: &WgpuTensor,
    targets: &WgpuIndex,
    vocab: usize,
    temperature: f32,
) -> Result<(WgpuTensor, WgpuTensor)> {
    let rows = check_token_logprobs(
        logits.len,
        targets.host_for("token_logprobs")?,
        vocab,
        temperature,
    )?;
    to_u32("token_logprobs", "logits.len()", logits.len)?;
    let inv_t = inverse_temperature(temperature).unwrap_or(1.0);
    forward(
        gpu,
        logits,
        targets,
        params(rows, vocab, 1.0, inv_t, -1.0),
        rows,
    )
}

/// `cross_entropy_forward` over validated arguments: returns `(sign · loss, lse)`.
fn forward(
    gpu: &Gpu,
    logits: &WgpuTensor,
    targets: &WgpuIndex,
    p: Params,
    rows: usize,
) -> Result<(WgpuTensor, WgpuTensor)> {
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
        &p,
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
    let rows = check_backward(
        logits.len,
        lse.len,
        targets.host_for("cross_entropy_backward")?,
        dloss.len,
        vocab,
    )?;
    to_u32("cross_entropy_backward", "logits.len()", logits.len)?;
    let p = params(rows, vocab, 1.0, 1.0, 1.0);
    backward(gpu, [logits, lse, dloss], targets, p)
}

/// See `Backend::token_logprobs_backward`: the cross-entropy backward kernel reading
/// `logits · (1/T)`, with `dloss = −dlogp` and the result times `1/T`.
pub(crate) fn token_logprobs_backward(
    gpu: &Gpu,
    logits: &WgpuTensor,
    lse: &WgpuTensor,
    targets: &WgpuIndex,
    dlogp: &WgpuTensor,
    vocab: usize,
    temperature: f32,
) -> Result<WgpuTensor> {
    let rows = check_token_logprobs_backward(
        logits.len,
        lse.len,
        targets.host_for("token_logprobs_backward")?,
        dlogp.len,
        vocab,
        temperature,
    )?;
    to_u32("token_logprobs_backward", "logits.len()", logits.len)?;
    let inv_t = inverse_temperature(temperature).unwrap_or(1.0);
    let p = params(rows, vocab, 1.0, inv_t, -1.0);
    backward(gpu, [logits, lse, dlogp], targets, p)
}

/// `cross_entropy_backward` over validated `[logits, lse, dloss]`: returns `dlogits`.
fn backward(
    gpu: &Gpu,
    [logits, lse, dloss]: [&WgpuTensor; 3],
    targets: &WgpuIndex,
    p: Params,
) -> Result<WgpuTensor> {
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
        &p,
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
    let rows = check_logprobs(
        logits.len,
        targets.host_for("token_logprobs_entropy")?,
        vocab,
        temperature,
    )?;
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
        &params(rows, vocab, temperature, 1.0, 1.0),
        row_grid(rows),
    )?;
    Ok((logp, entropy))
}
