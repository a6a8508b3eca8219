//! The explicit dual-preference objective (spec §3): a DPO-style logistic loss over the
//! response-level and instruction-level preference pairs of a batch.
//!
//! For each sequence `i` the implicit reward is the summed log-ratio to the reference policy,
//! as in DPO:
//!
//! ```text
//! h_i = Σ_{t ∈ i} (logp_t − ref_logp_t)
//! ```
//!
//! Preference pairs `a ≻ b`, all collected from this batch:
//! - **response-level** (`response_pairs`): rows `a`, `b` that are not replays, share a group
//!   id (hence the instruction `q`), and have `r_a > r_b`. Replay rows are left out of these
//!   pairs: each replay carries its own rewritten instruction `q'`, so comparing it with another
//!   response to `q` (or to a different `q''`) is not a same-instruction comparison.
//! - **instruction-level** (`instruction_pairs`): every replay row `k` with source
//!   `j = replay_of[k]` gives `(q', y) ≻ (q, y)`, i.e. `a = k`, `b = j`, regardless of the
//!   rewards (by construction `r_k = 1`, `r_j = 0`).
//!
//! With `P` pairs, `z = β (h_a − h_b)` and `σ` the logistic function:
//!
//! ```text
//! loss = (1/P) Σ_pairs −log σ(z)
//! ∂loss/∂h_a = −β σ(−z) / P,   ∂loss/∂h_b = +β σ(−z) / P   (summed over the pairs of a row)
//! ∂loss/∂logp_t = ∂loss/∂h_i   for every token t of sequence i
//! ```
//!
//! With no pair the loss and `dlogp` are 0. `old_logp`, `advantages` and `weights` are not
//! read: the loss is a mean over pairs, so both rows of a pair must be in the same batch
//! (keep replay rows next to their sources and groups whole when splitting micro-batches).
//! The math runs on the host in `f64` on the downloaded log-probabilities.

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use crate::backend::{Backend, BackendError};

use super::policy::{ObjectiveBatch, ObjectiveOutput, PolicyObjective};

/// The explicit pairwise (DPO-style) dual-preference objective; see the module doc.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairwiseObjective {
    /// The DPO temperature `β` scaling the log-ratio margins.
    pub beta: f32,
    /// Include response-level pairs (better ≻ worse response to the same instruction).
    pub response_pairs: bool,
    /// Include instruction-level pairs (`(q', y) ≻ (q, y)` for each replay).
    pub instruction_pairs: bool,
}

impl Default for PairwiseObjective {
    /// `β = 0.1` (DPO's usual value), both kinds of pairs on.
    fn default() -> Self {
        Self {
            beta: 0.1,
            response_pairs: true,
            instruction_pairs: true,
        }
    }
}

/// One preference `better ≻ worse` between two rows of a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PreferencePair {
    /// Index of the preferred row.
    pub better: usize,
    /// Index of the dispreferred row.
    pub worse: usize,
    /// True for an instruction-level pair (replay ≻ its source).
    pub instruction_level: bool,
}

/// The host-side result of [`PairwiseObjective::loss_and_grad`].
#[derive(Clone, Debug, PartialEq)]
pub struct PairwiseLoss {
    /// The mean pair loss.
    pub loss: f64,
    /// Per sequence: `∂loss/∂h_i`.
    pub dh: Vec<f64>,
    /// Number of response-level pairs.
    pub response_pairs: usize,
    /// Number of instruction-level pairs.
    pub instruction_pairs: usize,
    /// Fraction of pairs with `h_better > h_worse` (0 with no pair).
    pub accuracy: f64,
}

fn err(detail: alloc::string::String) -> BackendError {
    BackendError::Shape {
        op: "pairwise_objective",
        detail,
    }
}

impl PairwiseObjective {
    /// The preference pairs of a batch, response-level pairs first (in row order), then the
    /// instruction-level ones. Errors if the per-sequence slices disagree in length or a
    /// `replay_of` entry points outside the batch or at itself.
    pub fn pairs(
        &self,
        rewards: &[f32],
        group_ids: &[u32],
        replay_of: &[Option<usize>],
    ) -> Result<Vec<PreferencePair>, BackendError> {
        let s = rewards.len();
        if group_ids.len() != s || replay_of.len() != s {
            return Err(err(format!(
                "rewards, group_ids and replay_of must have one entry per sequence: {}, {}, {}",
                s,
                group_ids.len(),
                replay_of.len()
            )));
        }
        for (k, r) in replay_of.iter().enumerate() {
            if let Some(j) = *r {
                if j >= s || j == k {
                    return Err(err(format!(
                        "replay_of[{k}] = {j}: expected the index of another row below {s}"
                    )));
                }
            }
        }
        let mut pairs = Vec::new();
        if self.response_pairs {
            for a in 0..s {
                for b in 0..s {
                    if replay_of[a].is_none()
                        && replay_of[b].is_none()
                        && group_ids[a] == group_ids[b]
                        && rewards[a] > rewards[b]
                    {
                        pairs.push(PreferencePair {
                            better: a,
                            worse: b,
                            instruction_level: false,
                        });
                    }
                }
            }
        }
        if self.instruction_pairs {
            for (k, r) in replay_of.iter().enumerate() {
                if let Some(j) = *r {
                    pairs.push(PreferencePair {
                        better: k,
                        worse: j,
                        instruction_level: true,
                    });
                }
            }
        }
        Ok(pairs)
    }

    /// The loss and its derivative with respect to each sequence score `h_i`.
    pub fn loss_and_grad(&self, h: &[f64], pairs: &[PreferencePair]) -> PairwiseLoss {
        let beta = self.beta as f64;
        let mut dh = vec![0.0f64; h.len()];
        let mut loss = 0.0f64;
        let mut correct = 0usize;
        let p = pairs.len();
        for pair in pairs {
            let margin = h[pair.better] - h[pair.worse];
            let z = beta * margin;
            loss += softplus(-z);
            let g = beta * sigmoid(-z);
            dh[pair.better] -= g;
            dh[pair.worse] += g;
            correct += (margin > 0.0) as usize;
        }
        let (loss, accuracy) = if p > 0 {
            for d in &mut dh {
                *d /= p as f64;
            }
            (loss / p as f64, correct as f64 / p as f64)
        } else {
            (0.0, 0.0)
        };
        let instruction_pairs = pairs.iter().filter(|q| q.instruction_level).count();
        PairwiseLoss {
            loss,
            dh,
            response_pairs: p - instruction_pairs,
            instruction_pairs,
            accuracy,
        }
    }
}

/// `log(1 + e^x)` without overflow.
fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + libm::log1p(libm::exp(-x))
    } else {
        libm::log1p(libm::exp(x))
    }
}

/// `1 / (1 + e^{−x})` without overflow.
fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + libm::exp(-x))
    } else {
        let e = libm::exp(x);
        e / (1.0 + e)
    }
}

impl<B: Backend> PolicyObjective<B> for PairwiseObjective {
    fn name(&self) -> &str {
        "pairwise"
    }

    /// Metrics: `pairwise_loss`, `response_pairs`, `instruction_pairs`, `pairwise_acc`.
    fn compute(
        &self,
        b: &B,
        batch: &ObjectiveBatch<'_, B>,
    ) -> Result<ObjectiveOutput<B>, BackendError> {
        let pairs = self.pairs(batch.rewards, batch.group_ids, batch.replay_of)?;
        let starts = batch.seq_starts;
        if starts.len() != batch.rewards.len() + 1 || starts.windows(2).any(|w| w[1] < w[0]) {
            return Err(err(format!(
                "seq_starts: expected {} non-decreasing offsets, got {}",
                batch.rewards.len() + 1,
                starts.len()
            )));
        }
        let n = starts[starts.len() - 1];
        let logp = b.download(batch.logp)?;
        let ref_logp = b.download(batch.ref_logp)?;
        if logp.len() != n || ref_logp.len() != n {
            return Err(err(format!(
                "logp/ref_logp: expected {n} tokens (seq_starts), got {}/{}",
                logp.len(),
                ref_logp.len()
            )));
        }
        let h: Vec<f64> = starts
            .windows(2)
            .map(|w| (w[0]..w[1]).map(|t| (logp[t] - ref_logp[t]) as f64).sum())
            .collect();
        let out = self.loss_and_grad(&h, &pairs);
        let mut dlogp = vec![0.0f32; n];
        for (i, w) in starts.windows(2).enumerate() {
            dlogp[w[0]..w[1]].fill(out.dh[i] as f32);
        }
        Ok(ObjectiveOutput {
            dlogp: b.upload(&dlogp)?,
            loss: out.loss as f32,
            metrics: vec![
                ("pairwise_loss", out.loss as f32),
                ("response_pairs", out.response_pairs as f32),
                ("instruction_pairs", out.instruction_pairs as f32),
                ("pairwise_acc", out.accuracy as f32),
            ],
        })
    }
}
