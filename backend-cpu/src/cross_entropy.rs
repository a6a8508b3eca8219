//! Losses over the vocabulary: softmax cross-entropy (forward, backward) and the per-token
//! log-probability and entropy used by the RL objective.

use hir_core::backend::Result;
use rayon::prelude::*;

use crate::exp::exp;
use crate::memory::zeroed;
use crate::task_size::rows_per_task;
use hir_core::backend::cross_entropy::{
    check_backward, check_forward, check_logprobs, check_token_logprobs,
    check_token_logprobs_backward, inverse_temperature, IGNORE,
};

/// `log Σ_j exp(z_j)`: the max is subtracted first; the f32 exponentials (each within 1 ulp)
/// are summed in f64 with four interleaved partial sums (an order fixed by the length).
pub(crate) fn log_sum_exp(z: &[f32]) -> f32 {
    let max = z.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
    if max == f32::NEG_INFINITY {
        return max;
    }
    let chunks = z.chunks_exact(4);
    let tail: f64 = chunks
        .remainder()
        .iter()
        .map(|&x| exp(x - max) as f64)
        .sum();
    let mut acc = [0.0f64; 4];
    for c in chunks {
        for l in 0..4 {
            acc[l] += exp(c[l] - max) as f64;
        }
    }
    let sum = (acc[0] + acc[2]) + (acc[1] + acc[3]) + tail;
    (max as f64 + sum.ln()) as f32
}

/// Returns `(loss: [rows], lse: [rows])`, `loss = lse − logits[target]`, 0 for ignored rows
/// (whose `lse` is still computed).
pub(crate) fn cross_entropy(
    logits: &[f32],
    targets: &[u32],
    vocab: usize,
) -> Result<(Vec<f32>, Vec<f32>)> {
    let rows = check_forward(logits.len(), targets, vocab)?;
    let mut loss = zeroed(rows);
    let mut lse = zeroed(rows);
    loss.par_iter_mut()
        .zip(lse.par_iter_mut())
        .zip(logits.par_chunks(vocab))
        .zip(targets.par_iter())
        .with_min_len(rows_per_task(vocab))
        .for_each(|(((loss, lse), z), &t)| {
            *lse = log_sum_exp(z);
            *loss = if t == IGNORE {
                0.0
            } else {
                *lse - z[t as usize]
            };
        });
    Ok((loss, lse))
}

/// `dlogits[r, j] = dloss[r] · (exp(logits[r, j] − lse[r]) − 1[j = target[r]])`, zero rows for
/// ignored targets.
pub(crate) fn cross_entropy_backward(
    logits: &[f32],
    lse: &[f32],
    targets: &[u32],
    dloss: &[f32],
    vocab: usize,
) -> Result<Vec<f32>> {
    check_backward(logits.len(), lse.len(), targets, dloss.len(), vocab)?;
    let mut dlogits = zeroed(logits.len());
    dlogits
        .par_chunks_mut(vocab)
        .zip(logits.par_chunks(vocab))
        .enumerate()
        .for_each(|(r, (dz, z))| {
            let t = targets[r];
            if t == IGNORE {
                return;
            }
            let (l, dl) = (lse[r], dloss[r]);
            for (d, &x) in dz.iter_mut().zip(z) {
                *d = dl * exp(x - l);
            }
            let t = t as usize;
            dz[t] = dl * (exp(z[t] - l) - 1.0);
        });
    Ok(dlogits)
}

/// Row `x` of the logits scaled by `inv_t` into `z` (the row itself when there is no scale).
fn scaled<'a>(x: &'a [f32], inv_t: Option<f32>, z: &'a mut Vec<f32>) -> &'a [f32] {
    match inv_t {
        None => x,
        Some(inv_t) => {
            z.clear();
            z.extend(x.iter().map(|&v| v * inv_t));
            z
        }
    }
}

/// Returns `(logp: [rows], lse: [rows])` of the logits times `1/temperature`: the same
/// arithmetic as `scale`, `cross_entropy` and `scale(loss, −1)` one after the other, in one
/// pass per row.
pub(crate) fn token_logprobs(
    logits: &[f32],
    targets: &[u32],
    vocab: usize,
    temperature: f32,
) -> Result<(Vec<f32>, Vec<f32>)> {
    let rows = check_token_logprobs(logits.len(), targets, vocab, temperature)?;
    let inv_t = inverse_temperature(temperature);
    let mut logp = zeroed(rows);
    let mut lse = zeroed(rows);
    logp.par_iter_mut()
        .zip(lse.par_iter_mut())
        .zip(logits.par_chunks(vocab))
        .zip(targets.par_iter())
        .with_min_len(rows_per_task(vocab))
        .for_each_init(Vec::new, |buf, (((logp, lse), x), &t)| {
            let z = scaled(x, inv_t, buf);
            *lse = log_sum_exp(z);
            let loss = if t == IGNORE {
                0.0
            } else {
                *lse - z[t as usize]
            };
            *logp = -loss;
        });
    Ok((logp, lse))
}

/// The gradient of `token_logprobs` with respect to the unscaled logits:
/// `dlogits[r, j] = ((−dlogp[r]) · (exp(z − lse[r]) − 1[j = t_r])) · (1/T)` with
/// `z = logits[r, j] · (1/T)` (no products at `T = 1`), zero rows for ignored targets.
pub(crate) fn token_logprobs_backward(
    logits: &[f32],
    lse: &[f32],
    targets: &[u32],
    dlogp: &[f32],
    vocab: usize,
    temperature: f32,
) -> Result<Vec<f32>> {
    check_token_logprobs_backward(
        logits.len(),
        lse.len(),
        targets,
        dlogp.len(),
        vocab,
        temperature,
    )?;
    let inv_t = inverse_temperature(temperature);
    let mut dlogits = zeroed(logits.len());
    dlogits
        .par_chunks_mut(vocab)
        .zip(logits.par_chunks(vocab))
        .enumerate()
        .for_each_init(Vec::new, |buf, (r, (dz, x))| {
            let t = targets[r];
            if t == IGNORE {
                return;
            }
            let z = scaled(x, inv_t, buf);
            let (l, dl) = (lse[r], -dlogp[r]);
            for (d, &x) in dz.iter_mut().zip(z) {
                *d = dl * exp(x - l);
            }
            let t = t as usize;
            dz[t] = dl * (exp(z[t] - l) - 1.0);
            if let Some(inv_t) = inv_t {
                for d in dz.iter_mut() {
                    *d *= inv_t;
                }
            }
        });
    Ok(dlogits)
}

/// Returns `(logp: [rows], entropy: [rows])` of `softmax(logits / temperature)`; `logp` is 0
/// for ignored rows (the entropy is still computed).
pub(crate) fn token_logprobs_entropy(
    logits: &[f32],
    targets: &[u32],
    vocab: usize,
    temperature: f32,
) -> Result<(Vec<f32>, Vec<f32>)> {
    let rows = check_logprobs(logits.len(), targets, vocab, temperature)?;
    let mut logp = zeroed(rows);
    let mut entropy = zeroed(rows);
    logp.par_iter_mut()
        .zip(entropy.par_iter_mut())
        .zip(logits.par_chunks(vocab))
        .zip(targets.par_iter())
        .for_each_init(Vec::new, |z, (((logp, ent), x), &t)| {
            z.clear();
            z.extend(x.iter().map(|&v| v / temperature));
            let lse = log_sum_exp(z);
            // H = −Σ p_j (z_j − lse) = lse − Σ p_j z_j, accumulated in f64.
            let mut pz = 0.0f64;
            for &zj in z.iter() {
                let lp = (zj - lse) as f64;
                if lp > f64::NEG_INFINITY {
                    // p = 0 (a −∞ logit) contributes 0, not 0 · −∞ = NaN.
                    pz += lp.exp() * lp;
                }
            }
            *ent = (-pz) as f32;
            *logp = if t == IGNORE {
                0.0
            } else {
                z[t as usize] - lse
            };
        });
    Ok((logp, entropy))
}
