//! Loss aggregation over response tokens as per-token weights (verl's `agg_loss` in
//! `verl/trainer/ppo/core_algos.py`).
//!
//! verl reduces a `[S, T]` loss matrix `l` with a response mask in one of three ways; each is
//! linear in `l`, so it equals `Σ_t w_t·l_t` for weights that depend only on the layout:
//!
//! | mode                  | verl                                     | `w_t` for a token of sequence `s` |
//! |-----------------------|------------------------------------------|-----------------------------------|
//! | `token-mean`          | `masked_mean(l, mask)`                   | `1 / N_tokens`                    |
//! | `seq-mean-token-sum`  | `mean_s Σ_t l_{s,t}`                     | `1 / S`                           |
//! | `seq-mean-token-mean` | `mean_s (Σ_t l_{s,t} / len_s)`           | `1 / (S · len_s)`                 |
//!
//! `S` counts every sequence, including empty ones (verl's `torch.mean` over the batch rows);
//! an empty sequence has no tokens, so it contributes nothing (verl would produce `0/0` for it
//! in `seq-mean-token-mean`).

use alloc::vec;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

/// How per-token losses are reduced to one number (verl's `loss_agg_mode`).
///
/// serde reads and writes verl's names, the same as [`LossAggMode::name`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum LossAggMode {
    /// Mean over every response token of the (mini-)batch (`"token-mean"`, the default).
    #[default]
    #[serde(rename = "token-mean")]
    TokenMean,
    /// Sum over each sequence's tokens, mean over sequences (`"seq-mean-token-sum"`).
    #[serde(rename = "seq-mean-token-sum")]
    SeqMeanTokenSum,
    /// Mean over each sequence's tokens, mean over sequences (`"seq-mean-token-mean"`).
    #[serde(rename = "seq-mean-token-mean")]
    SeqMeanTokenMean,
}

impl LossAggMode {
    /// The mode with verl's name: `"token-mean"`, `"seq-mean-token-sum"`,
    /// `"seq-mean-token-mean"`.
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "token-mean" => Some(Self::TokenMean),
            "seq-mean-token-sum" => Some(Self::SeqMeanTokenSum),
            "seq-mean-token-mean" => Some(Self::SeqMeanTokenMean),
            _ => None,
        }
    }

    /// verl's name of the mode (inverse of [`LossAggMode::from_name`]).
    pub fn name(self) -> &'static str {
        match self {
            Self::TokenMean => "token-mean",
            Self::SeqMeanTokenSum => "seq-mean-token-sum",
            Self::SeqMeanTokenMean => "seq-mean-token-mean",
        }
    }
}

/// Per-token weights w_t such that Σ_t w_t·l_t is verl's agg_loss of l over these sequences
/// (token-mean: 1/N_tokens; seq-mean-token-sum: 1/S; seq-mean-token-mean: 1/(S·len_s)).
/// `denominators` lets a caller that splits a mini-batch into micro-batches use the
/// mini-batch's totals: pass `Some((total_tokens, total_seqs))`.
///
/// `seq_starts` holds `S + 1` offsets; the result has `seq_starts[S]` entries (tokens before
/// `seq_starts[0]` get weight 0, and a pair of decreasing offsets is read as an empty
/// sequence). A zero denominator gives zero weights instead of a division by zero.
pub fn token_weights(
    seq_starts: &[usize],
    mode: LossAggMode,
    denominators: Option<(usize, usize)>,
) -> Vec<f32> {
    let n = seq_starts.last().copied().unwrap_or(0);
    let mut w = vec![0.0f32; n];
    let seqs = seq_starts.len().saturating_sub(1);
    let own_tokens = seq_starts
        .windows(2)
        .map(|p| p[1].saturating_sub(p[0]))
        .sum::<usize>();
    let (total_tokens, total_seqs) = denominators.unwrap_or((own_tokens, seqs));
    let inv = |d: f64| if d > 0.0 { 1.0 / d } else { 0.0 };
    for p in seq_starts.windows(2) {
        if p[1] <= p[0] {
            continue;
        }
        let len = p[1] - p[0];
        let v = match mode {
            LossAggMode::TokenMean => inv(total_tokens as f64),
            LossAggMode::SeqMeanTokenSum => inv(total_seqs as f64),
            LossAggMode::SeqMeanTokenMean => inv(total_seqs as f64 * len as f64),
        };
        w[p[0]..p[1]].fill(v as f32);
    }
    w
}
