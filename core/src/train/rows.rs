//! The rows a training step updates on, and how they are packed for the model.
//!
//! A row is one `(prompt, response)` pair: a generated rollout `(q, y)` or a hindsight replay
//! `(q', y)` placed right after its source. The model sees `prompt ++ response`; the response
//! token `r` is predicted at packed position `prompt_len − 1 + r`, which is where its
//! log-probability, advantage and loss weight live in the per-position arrays. All other
//! positions carry the [`IGNORE`] target and a zero weight.

use crate::model::{PackedBatch, IGNORE};
use alloc::sync::Arc;
use alloc::vec::Vec;

/// One `(prompt, response)` row of a step.
#[derive(Debug, Clone)]
pub struct Row {
    /// Prompt ids (chat template applied); shared by the rollouts of a prompt.
    pub prompt: Arc<Vec<u32>>,
    /// Response ids, including the stop token when the response stopped.
    pub response: Arc<Vec<u32>>,
    /// Outcome reward `R` (the sparse reward; 1 for replays).
    pub reward: f32,
    /// Fraction of the instruction's constraints satisfied (1 for replays).
    pub dense: f32,
    /// Prompt group (index of the prompt within the step's batch).
    pub group: u32,
    /// For a replay: index of its source row in the step's row list.
    pub replay_of: Option<usize>,
    /// Behaviour-policy log-probs of the response tokens.
    pub old_logp: Vec<f32>,
    /// Reference-policy log-probs of the response tokens (zeros when no reference is used).
    pub ref_logp: Vec<f32>,
    /// Whether the response hit `max_response_length` without a stop token.
    pub truncated: bool,
}

/// Rows packed back to back, with next-token targets only on response tokens.
pub struct Packed {
    /// The model input.
    pub batch: PackedBatch,
    /// Next-token target per position; [`IGNORE`] outside responses.
    pub targets: Vec<u32>,
    /// Per row: the packed position predicting its first response token.
    pub response_at: Vec<usize>,
}

impl Packed {
    /// Packs `rows` in order.
    pub fn new(rows: &[&Row]) -> Self {
        let seqs: Vec<Vec<u32>> = rows
            .iter()
            .map(|r| {
                let mut s = Vec::with_capacity(r.prompt.len() + r.response.len());
                s.extend_from_slice(&r.prompt);
                s.extend_from_slice(&r.response);
                s
            })
            .collect();
        let batch = PackedBatch::new(&seqs);
        let mut targets = alloc::vec![IGNORE; batch.num_tokens()];
        let mut response_at = Vec::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            let at = batch.seq_starts[i] as usize + r.prompt.len() - 1;
            for (j, &t) in r.response.iter().enumerate() {
                targets[at + j] = t;
            }
            response_at.push(at);
        }
        Self {
            batch,
            targets,
            response_at,
        }
    }

    /// Scatters per-response-token values of each row into a per-position array (zeros
    /// elsewhere).
    pub fn scatter(&self, rows: &[&Row], values: impl Fn(usize, &Row) -> Vec<f32>) -> Vec<f32> {
        let mut out = alloc::vec![0.0; self.targets.len()];
        for (i, r) in rows.iter().enumerate() {
            let at = self.response_at[i];
            for (j, v) in values(i, r).into_iter().enumerate().take(r.response.len()) {
                out[at + j] = v;
            }
        }
        out
    }

    /// Gathers the response-token values of row `i` from a per-position array.
    pub fn gather<'a>(&self, rows: &[&Row], i: usize, all: &'a [f32]) -> &'a [f32] {
        let at = self.response_at[i];
        &all[at..at + rows[i].response.len()]
    }
}

/// Splits row indices into chunks of at most `budget` packed tokens, keeping the rows of one
/// prompt group together (a group larger than the budget becomes a chunk of its own).
pub fn chunk_by_tokens(rows: &[Row], indices: &[usize], budget: usize) -> Vec<Vec<usize>> {
    let mut chunks: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut current_tokens = 0;
    let mut k = 0;
    while k < indices.len() {
        let group = rows[indices[k]].group;
        let mut end = k;
        let mut tokens = 0;
        while end < indices.len() && rows[indices[end]].group == group {
            let r = &rows[indices[end]];
            tokens += r.prompt.len() + r.response.len();
            end += 1;
        }
        if !current.is_empty() && current_tokens + tokens > budget {
            chunks.push(core::mem::take(&mut current));
            current_tokens = 0;
        }
        current.extend_from_slice(&indices[k..end]);
        current_tokens += tokens;
        k = end;
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}
