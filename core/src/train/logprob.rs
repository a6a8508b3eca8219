//! Log-probabilities and entropies of response tokens under a model (no gradients): the
//! "old" (behaviour) and "reference" passes of a step.

use super::rows::{chunk_by_tokens, Packed, Row};
use crate::backend::Backend;
use crate::model::{Model, Result};
use alloc::vec::Vec;

/// Per row: the log-probs and entropies of its response tokens at `temperature`.
pub struct ResponseStats {
    /// `log π(y_t | prompt, y_<t)` per response token, per row.
    pub logp: Vec<Vec<f32>>,
    /// Entropy of the next-token distribution at each response token, per row.
    pub entropy: Vec<Vec<f32>>,
}

/// Runs `model` over `rows[indices]` in chunks of at most `token_budget` packed tokens,
/// with its adapters (if any) on, or off when `base_only` (a LoRA run's reference).
pub fn response_stats<B: Backend>(
    b: &B,
    model: &Model<B>,
    base_only: bool,
    rows: &[Row],
    indices: &[usize],
    temperature: f32,
    token_budget: usize,
) -> Result<ResponseStats> {
    let mut logp = alloc::vec![Vec::new(); indices.len()];
    let mut entropy = alloc::vec![Vec::new(); indices.len()];
    // Chunks keep the order of `indices`, so `offset + j` is the row's place in it.
    let mut offset = 0;
    for chunk in chunk_by_tokens(rows, indices, token_budget) {
        let chunk_rows: Vec<&Row> = chunk.iter().map(|&i| &rows[i]).collect();
        let packed = Packed::new(&chunk_rows);
        let (logits, _acts) = model.forward_with(b, &packed.batch, !base_only)?;
        let targets = b.upload_index(&packed.targets)?;
        let (lp, ent) =
            b.token_logprobs_entropy(&logits, &targets, model.config.vocab_size, temperature)?;
        let lp = b.download(&lp)?;
        let ent = b.download(&ent)?;
        for (j, _) in chunk.iter().enumerate() {
            let k = offset + j;
            logp[k] = packed.gather(&chunk_rows, j, &lp).to_vec();
            entropy[k] = packed.gather(&chunk_rows, j, &ent).to_vec();
        }
        offset += chunk.len();
    }
    Ok(ResponseStats { logp, entropy })
}
