//! Token embedding lookup and its deterministic backward (kernels in
//! `hir_kernels::EMBEDDING`).
//!
//! The forward takes host ids (validated against the table) or ids drawn on the device by
//! `sample_to_index` (no readback: their bound, the vocabulary they were drawn from, must not
//! exceed the table's rows; the kernel clamps every id to the last row, so it never reads
//! outside the table).
//!
//! The backward needs no float atomics: the host, which holds the ids (see [`WgpuIndex`]),
//! groups token indices by id with a counting sort, and one GPU thread per (distinct id,
//! column) adds that id's token gradients in token order — the reference's additions in the
//! reference's order.
//!
//! A table stored as f16 (`upload_weight`) is gathered by the f16 variant of the forward
//! kernel (`embedding_f16`, derived by `hir_kernels::F16_VARIANTS`), which converts each value
//! to f32 (exactly); its rows must be `dim` wide.

use hir_core::backend::embedding::{check_backward, check_forward};
use hir_core::backend::shape::{err, mul, rows_of};
use hir_core::backend::Result;
use hir_kernels::EMBEDDING;

use crate::dispatch::to_u32;
use crate::dispatch::{grid_1d, Binding, Kernel, Params};
use crate::f16::f16_variant;
use crate::gpu::Gpu;
use crate::ops::memory::upload_index;
use crate::tensor::{Elem, IndexHost, WgpuIndex, WgpuTensor};

/// See `Backend::embedding`.
pub(crate) fn embedding(
    gpu: &Gpu,
    table: &WgpuTensor,
    ids: &WgpuIndex,
    dim: usize,
) -> Result<WgpuTensor> {
    const OP: &str = "embedding";
    let (vocab, n) = match &ids.host {
        IndexHost::Mirror(h) => {
            let d = check_forward(table.len, h, dim)?;
            (d.vocab, d.out_len)
        }
        // Sampled on the device: every id is < `bound` (the vocabulary it was drawn from).
        IndexHost::DeviceOnly { len, bound } => {
            let vocab = rows_of(OP, "table", table.len, dim)?;
            if *bound > vocab {
                return Err(err(
                    OP,
                    format!(
                        "ids drawn on the device from a vocabulary of {bound} may exceed the \
                         table's {vocab} rows"
                    ),
                ));
            }
            (vocab, mul(OP, &[*len, dim])?)
        }
    };
    if n == 0 {
        return Ok(gpu.alloc(0));
    }
    let (shader, table_binding) = match table.elem {
        Elem::F32 => (EMBEDDING, Binding::read(table)),
        Elem::F16 { cols, .. } => {
            if cols != dim {
                return Err(err(
                    OP,
                    format!(
                        "a stored table is gathered by whole rows: dim = {dim}, but its rows hold {cols} values"
                    ),
                ));
            }
            // `array<f16>`: bound in whole 4-byte words.
            let bytes = table.bytes().div_ceil(4) * 4;
            let binding = Binding::tensor(table, bytes, true).stored_weight_ok();
            (f16_variant(EMBEDDING)?, binding)
        }
    };
    let out = gpu.alloc(n);
    gpu.dispatch(
        Kernel::new(shader, "embedding"),
        &[table_binding, Binding::index(ids), Binding::write(&out)],
        &Params::new()
            .u32(to_u32(OP, "N·dim", n)?)
            .u32(to_u32(OP, "dim", dim)?)
            .u32(to_u32(OP, "rows of table", vocab)?),
        grid_1d(n, 256),
    )?;
    Ok(out)
}

/// Token indices grouped by id: `(distinct ids, offsets, tokens)`, where the tokens of
/// `uniq[u]` are `tokens[offsets[u]..offsets[u + 1]]`, in increasing order. Ids appear in
/// increasing order. `ids` must all be `< vocab`.
pub(crate) fn group_by_id(ids: &[u32], vocab: usize) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let mut count = vec![0u32; vocab];
    for &id in ids {
        count[id as usize] += 1;
    }
    let mut uniq = Vec::new();
    let mut offsets = vec![0u32];
    let mut start = vec![0u32; vocab];
    for (id, &c) in count.iter().enumerate() {
        if c > 0 {
            start[id] = offsets[offsets.len() - 1];
            uniq.push(id as u32);
            offsets.push(start[id] + c);
        }
    }
    let mut tokens = vec![0u32; ids.len()];
    for (t, &id) in ids.iter().enumerate() {
        let s = &mut start[id as usize];
        tokens[*s as usize] = t as u32;
        *s += 1;
    }
    (uniq, offsets, tokens)
}

/// See `Backend::embedding_backward_acc`.
pub(crate) fn embedding_backward_acc(
    gpu: &Gpu,
    dout: &WgpuTensor,
    ids: &WgpuIndex,
    dtable: &mut WgpuTensor,
    dim: usize,
) -> Result<()> {
    const OP: &str = "embedding_backward_acc";
    let vocab = check_backward(dout.len, ids.host_for(OP)?, dtable.len, dim)?.vocab;
    if ids.is_empty() {
        return Ok(());
    }
    let (uniq, offsets, tokens) = group_by_id(ids.host_for(OP)?, vocab);
    let n = mul(OP, &[uniq.len(), dim])?;
    let (uniq_t, offsets_t, tokens_t) = (
        upload_index(gpu, &uniq)?,
        upload_index(gpu, &offsets)?,
        upload_index(gpu, &tokens)?,
    );
    gpu.dispatch(
        Kernel::new(EMBEDDING, "embedding_backward_acc"),
        &[
            Binding::read(dout),
            Binding::index(&uniq_t),
            Binding::index(&offsets_t),
            Binding::index(&tokens_t),
            Binding::write(dtable),
        ],
        &Params::new()
            .u32(to_u32(OP, "distinct ids·dim", n)?)
            .u32(to_u32(OP, "dim", dim)?)
            .u32(to_u32(OP, "rows of dtable", vocab)?),
        grid_1d(n, 256),
    )
}

#[cfg(test)]
mod tests {
    use super::group_by_id;

    #[test]
    fn groups_tokens_by_id_in_token_order() {
        let (uniq, offsets, tokens) = group_by_id(&[3, 1, 3, 0, 3, 1], 5);
        assert_eq!(uniq, vec![0, 1, 3]);
        assert_eq!(offsets, vec![0, 1, 3, 6]);
        assert_eq!(tokens, vec![3, 1, 5, 0, 2, 4]);
        assert_eq!(group_by_id(&[], 2), (vec![], vec![0], vec![]));
    }
}
