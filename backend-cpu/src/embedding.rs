//! Token embedding lookup and its (deterministic) backward; the lookup also reads a table
//! stored as GGUF blocks / f16 / bf16 rows (each gathered row is dequantized).

use hir_core::backend::{BackendError, QuantMatrix, Result};
use rayon::prelude::*;

use crate::memory::zeroed;
use hir_core::backend::embedding::{check_backward, check_forward};

/// `out[i, :] = table[ids[i], :]` with `table: [V, dim]`.
pub(crate) fn embedding(table: &[f32], ids: &[u32], dim: usize) -> Result<Vec<f32>> {
    let dims = check_forward(table.len(), ids, dim)?;
    let mut out = zeroed(dims.out_len);
    out.par_chunks_mut(dim)
        .zip(ids.par_iter())
        .for_each(|(o, &id)| {
            let id = id as usize;
            o.copy_from_slice(&table[id * dim..(id + 1) * dim]);
        });
    Ok(out)
}

/// `out[i, :] = table[ids[i], :]` with a stored `table: [V, dim]`, each row dequantized.
pub(crate) fn embedding_stored(
    table: &QuantMatrix<'_>,
    ids: &[u32],
    dim: usize,
) -> Result<Vec<f32>> {
    let dims = check_forward(table.rows() * table.cols(), ids, dim)?;
    if dim != table.cols() {
        return Err(BackendError::Shape {
            op: "embedding",
            detail: format!(
                "a stored table is gathered by whole rows: dim = {dim}, but its rows hold {} \
                 values",
                table.cols()
            ),
        });
    }
    let mut out = zeroed(dims.out_len);
    out.par_chunks_mut(dim)
        .zip(ids.par_iter())
        .for_each(|(o, &id)| table.dequantize_row(id as usize, o));
    Ok(out)
}

/// `dtable[ids[i], :] += dout[i, :]`, tokens taken in order so that repeated ids are summed in
/// token order (bit-identical across runs and thread counts).
///
/// Sequential on purpose: it is O(N·dim), memory-bound and tiny next to the matmuls, and a
/// single pass in token order is the simplest way to be deterministic.
pub(crate) fn embedding_backward_acc(
    dout: &[f32],
    ids: &[u32],
    dtable: &mut [f32],
    dim: usize,
) -> Result<()> {
    check_backward(dout.len(), ids, dtable.len(), dim)?;
    for (i, &id) in ids.iter().enumerate() {
        let row = &mut dtable[id as usize * dim..(id as usize + 1) * dim];
        for (d, &g) in row.iter_mut().zip(&dout[i * dim..(i + 1) * dim]) {
            *d += g;
        }
    }
    Ok(())
}
