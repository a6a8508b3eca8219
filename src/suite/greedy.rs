//! Batched greedy decoding with the KV cache, and greedy evaluation on held-out instructions.
//!
//! A minimal stand-in until the trainer's batched generation lands in `hir-core`: prefill all
//! prompts in one [`Model::forward_cached`] call, then one call per decode step for the slots
//! still running, argmax through [`Backend::sample`] at temperature 0.

use super::family::Family;
use super::teacher::{dense, verify};
use hir_core::backend::{Backend, SampleParams};
use hir_core::instruct::{ChatCodec, Instruction};
use hir_core::model::{KvCache, Model, ModelError};
use std::collections::BTreeMap;

/// Greedy continuations of `prompts` (token ids), up to `max_new` tokens each.
///
/// Each output holds the generated ids, ending with the stop id if one was produced (a stop
/// id ends that sequence). Rows that reach `max_new` without a stop id are truncated.
pub fn generate_greedy<B: Backend>(
    b: &B,
    model: &Model<B>,
    prompts: &[Vec<u32>],
    stop_ids: &[u32],
    max_new: usize,
) -> Result<Vec<Vec<u32>>, ModelError> {
    let n = prompts.len();
    let mut out: Vec<Vec<u32>> = vec![Vec::new(); n];
    if n == 0 || max_new == 0 {
        return Ok(out);
    }
    let max_prompt = prompts.iter().map(Vec::len).max().unwrap_or(0);
    let mut cache = KvCache::new(b, model, n, max_prompt + max_new)?;
    let greedy = SampleParams {
        temperature: 0.0,
        top_p: 1.0,
    };
    let vocab = model.config.vocab_size;
    let mut active: Vec<usize> = (0..n).collect();
    let entries: Vec<(usize, &[u32])> = prompts
        .iter()
        .enumerate()
        .map(|(i, p)| (i, p.as_slice()))
        .collect();
    let mut logits = model.forward_cached(b, &mut cache, &entries)?;
    for step in 0..max_new {
        let next = b.sample(&logits, vocab, &vec![0; active.len()], &greedy)?;
        let mut still = Vec::with_capacity(active.len());
        for (&slot, &tok) in active.iter().zip(&next) {
            out[slot].push(tok);
            if !stop_ids.contains(&tok) {
                still.push(slot);
            }
        }
        active = still;
        if active.is_empty() || step + 1 == max_new {
            break;
        }
        let toks: Vec<[u32; 1]> = active
            .iter()
            .map(|&s| [*out[s].last().unwrap_or(&0)])
            .collect();
        let entries: Vec<(usize, &[u32])> = active
            .iter()
            .zip(&toks)
            .map(|(&s, t)| (s, t.as_slice()))
            .collect();
        logits = model.forward_cached(b, &mut cache, &entries)?;
    }
    Ok(out)
}

/// Greedy results on a set of instructions.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EvalReport {
    /// Number of instructions.
    pub n: usize,
    /// Fraction with every constraint satisfied (sparse = 1).
    pub success: f64,
    /// Mean fraction of constraints satisfied.
    pub dense: f64,
    /// Per instruction id: `(satisfied, total)`.
    pub per_family: BTreeMap<String, (usize, usize)>,
    /// Mean number of generated tokens (stop token included).
    pub mean_response_tokens: f64,
    /// Fraction of responses cut at the token limit.
    pub truncated: f64,
    /// The responses, in instruction order.
    pub responses: Vec<String>,
}

impl EvalReport {
    /// A multi-line human-readable summary.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "held-out greedy: n = {}, success = {:.3}, mean dense = {:.3}, mean tokens = {:.1}, truncated = {:.3}\n",
            self.n, self.success, self.dense, self.mean_response_tokens, self.truncated
        );
        for (id, (ok, total)) in &self.per_family {
            s.push_str(&format!(
                "  {id:<48} {ok:>3}/{total:<3} = {:.2}\n",
                *ok as f64 / (*total).max(1) as f64
            ));
        }
        s
    }
}

/// Evaluates greedy responses to `instrs` (prompt = [`Instruction::render`] through the codec's
/// chat template), `batch` prompts at a time, `max_new` tokens each.
pub fn evaluate_greedy<B: Backend, C: ChatCodec>(
    b: &B,
    model: &Model<B>,
    codec: &C,
    instrs: &[Instruction],
    batch: usize,
    max_new: usize,
) -> Result<EvalReport, ModelError> {
    let mut per_family: BTreeMap<String, (usize, usize)> = Family::ALL
        .iter()
        .map(|f| (f.id().to_string(), (0, 0)))
        .collect();
    let (mut success, mut dense_sum, mut tokens, mut truncated) = (0usize, 0f64, 0usize, 0usize);
    let mut responses = Vec::with_capacity(instrs.len());
    for chunk in instrs.chunks(batch.max(1)) {
        let prompts = chunk
            .iter()
            .map(|i| codec.encode_prompt(&i.render()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ModelError::Input(e.to_string()))?;
        let outs = generate_greedy(b, model, &prompts, codec.stop_ids(), max_new)?;
        for (instr, ids) in chunk.iter().zip(outs) {
            tokens += ids.len();
            if !ids.last().is_some_and(|t| codec.stop_ids().contains(t)) {
                truncated += 1;
            }
            let text = codec
                .decode(&ids)
                .map_err(|e| ModelError::Input(e.to_string()))?;
            let judge = verify(instr, &text);
            for (c, &ok) in instr.constraints.iter().zip(&judge) {
                let e = per_family
                    .entry(c.constraint.id().to_string())
                    .or_insert((0, 0));
                e.0 += usize::from(ok);
                e.1 += 1;
            }
            success += usize::from(judge.iter().all(|&j| j));
            dense_sum += f64::from(dense(&judge));
            responses.push(text);
        }
    }
    per_family.retain(|_, (_, total)| *total > 0);
    let n = instrs.len().max(1) as f64;
    Ok(EvalReport {
        n: instrs.len(),
        success: success as f64 / n,
        dense: dense_sum / n,
        per_family,
        mean_response_tokens: tokens as f64 / n,
        truncated: truncated as f64 / n,
        responses,
    })
}
