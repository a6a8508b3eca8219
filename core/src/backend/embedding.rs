//! Token embedding: `embedding` and `embedding_backward_acc`.
//!
//! Contract:
//! - `embedding(table, ids, dim)`: `out[i, :] = table[ids[i], :]`, `table: [V, D]`,
//!   `out: [N, D]`; `V = table.len() / D`, and an id `≥ V` is a shape error.
//! - `embedding_backward_acc(dout, ids, dtable, dim)`: `dtable[ids[i], :] += dout[i, :]`
//!   (accumulates into `dtable`). Must be deterministic: repeated ids are summed in token
//!   order.

use super::shape::{check_ids, check_len, mul, rows_of};
use super::Result;

/// Validated sizes of an embedding call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddingDims {
    /// Rows of the table, `V`.
    pub vocab: usize,
    /// Row length, `D`.
    pub dim: usize,
    /// Elements of the `[N, D]` activations, `N · D`.
    pub out_len: usize,
}

/// Checks `embedding`'s `table: [V, dim]` and `ids` (each `< V`).
pub fn check_forward(table: usize, ids: &[u32], dim: usize) -> Result<EmbeddingDims> {
    const OP: &str = "embedding";
    let vocab = rows_of(OP, "table", table, dim)?;
    check_ids(
        OP,
        "ids",
        ids,
        vocab,
        "the vocabulary size (rows of `table`)",
    )?;
    let out_len = mul(OP, &[ids.len(), dim])?;
    Ok(EmbeddingDims {
        vocab,
        dim,
        out_len,
    })
}

/// Checks `embedding_backward_acc`'s `dout: [N, dim]`, `ids: [N]` and `dtable: [V, dim]`.
pub fn check_backward(
    dout: usize,
    ids: &[u32],
    dtable: usize,
    dim: usize,
) -> Result<EmbeddingDims> {
    const OP: &str = "embedding_backward_acc";
    let vocab = rows_of(OP, "dtable", dtable, dim)?;
    let out_len = mul(OP, &[ids.len(), dim])?;
    check_len(OP, "dout [N, dim]", dout, out_len)?;
    check_ids(
        OP,
        "ids",
        ids,
        vocab,
        "the vocabulary size (rows of `dtable`)",
    )?;
    Ok(EmbeddingDims {
        vocab,
        dim,
        out_len,
    })
}
