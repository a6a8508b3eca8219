//! Token sampling (kernel `sample_rows` in `hir_kernels::SAMPLE`): greedy at temperature 0,
//! otherwise softmax sampling with optional top-p, one workgroup per row. Each row's uniform
//! number is [`hir_core::rng::uniform`] of its seed, computed here on the host and uploaded,
//! so the GPU and the CPU reference draw from identical numbers.
//!
//! `sample_to_index` keeps the ids on the device in a device-only [`WgpuIndex`] (the next
//! decode step's `embedding` reads them there); `sample` is `sample_to_index` followed by
//! `download_index`.

use hir_core::backend::{Result, SampleParams};
use hir_core::rng::uniform;
use hir_kernels::SAMPLE;

use crate::dispatch::{Binding, Kernel, Params, MAX_GROUPS_PER_DIM};
use crate::gpu::Gpu;
use crate::ops::memory::{download_index, upload};
use hir_core::backend::sample::check;

use crate::dispatch::to_u32;
use crate::tensor::{IndexHost, WgpuIndex, WgpuTensor};

/// See `Backend::sample`: the sampled ids are read back to the host.
pub(crate) fn sample(
    gpu: &Gpu,
    logits: &WgpuTensor,
    vocab: usize,
    seeds: &[u64],
    params: &SampleParams,
) -> Result<Vec<u32>> {
    let ids = sample_to_index(gpu, logits, vocab, seeds, params)?;
    download_index(gpu, &ids)
}

/// See `Backend::sample_to_index`: the kernel writes the ids into an index buffer that stays
/// on the device (device-only: its ids are `< vocab`, which `embedding` checks against its
/// table without a readback).
pub(crate) fn sample_to_index(
    gpu: &Gpu,
    logits: &WgpuTensor,
    vocab: usize,
    seeds: &[u64],
    params: &SampleParams,
) -> Result<WgpuIndex> {
    const OP: &str = "sample";
    let rows = check(logits.len, vocab, seeds.len(), params)?;
    to_u32(OP, "logits.len()", logits.len)?;
    let ids = gpu.alloc(rows);
    if rows > 0 {
        let u: Vec<f32> = seeds.iter().map(|&s| uniform(s)).collect();
        let u = upload(gpu, &u)?;
        let x = rows.min(MAX_GROUPS_PER_DIM as usize) as u32;
        let layers = rows.div_ceil(MAX_GROUPS_PER_DIM as usize) as u32;
        gpu.dispatch(
            Kernel::new(SAMPLE, "sample_rows"),
            &[
                Binding::read(logits),
                Binding::read(&u),
                Binding::write(&ids),
            ],
            &Params::new()
                .u32(rows as u32)
                .u32(vocab as u32)
                .f32(params.temperature)
                .f32(params.top_p),
            [x, layers, 1],
        )?;
    }
    Ok(WgpuIndex {
        buf: ids.buf,
        host: IndexHost::DeviceOnly {
            len: rows,
            bound: vocab,
        },
    })
}
