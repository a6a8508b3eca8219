//! Greedy evaluation on held-out instructions: batched greedy decoding with the KV cache
//! ([`Model::generate`] at temperature 0), verification with the real checkers.

use super::family::Family;
use super::teacher::{dense, verify};
use hir_core::backend::{Backend, SampleParams};
use hir_core::instruct::{ChatCodec, Instruction};
use hir_core::model::{GenerateConfig, Model, ModelError};
use std::collections::BTreeMap;

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
    let cfg = GenerateConfig {
        max_new_tokens: max_new,
        sample: SampleParams {
            temperature: 0.0,
            top_p: 1.0,
        },
        stop_ids: codec.stop_ids().to_vec(),
        readback_every: GenerateConfig::DEFAULT_READBACK_EVERY,
    };
    for chunk in instrs.chunks(batch.max(1)) {
        let prompts = chunk
            .iter()
            .map(|i| codec.encode_prompt(&i.render()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ModelError::Input(e.to_string()))?;
        let refs: Vec<&[u32]> = prompts.iter().map(Vec::as_slice).collect();
        let outs = model.generate(b, &refs, &vec![0; refs.len()], &cfg)?;
        for (instr, g) in chunk.iter().zip(outs) {
            tokens += g.tokens.len();
            truncated += usize::from(!g.stopped);
            let text = codec
                .decode(g.content())
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
