//! Held-out evaluation: greedy responses, verified strictly (success = all constraints, dense =
//! fraction satisfied), as the `hir train` before/after table reports them.

use alloc::format;
use alloc::vec::Vec;

use crate::backend::{Backend, SampleParams};
use crate::hindsight::{verify, Verdict};
use crate::instruct::{prompt_char_bound, ChatCodec, Instruction};
use crate::model::{GenerateConfig, Model};

use super::TrainError;

/// Scores of a model on a set of instructions.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalResult {
    /// Fraction of instructions whose response satisfies every constraint.
    pub success_rate: f64,
    /// Mean over instructions of the fraction of constraints satisfied.
    pub dense_mean: f64,
    /// Per instruction: the verdict and the response text.
    pub items: Vec<(Verdict, alloc::string::String)>,
}

/// Greedy-decodes every instruction (in batches of `batch`) and verifies the responses.
pub fn evaluate<B: Backend>(
    b: &B,
    model: &Model<B>,
    codec: &dyn ChatCodec,
    instructions: &[Instruction],
    max_new_tokens: usize,
    batch: usize,
) -> Result<EvalResult, TrainError> {
    let cfg = GenerateConfig {
        max_new_tokens,
        sample: SampleParams {
            temperature: 0.0,
            top_p: 1.0,
        },
        stop_ids: codec.stop_ids().to_vec(),
    };
    let mut items = Vec::with_capacity(instructions.len());
    for chunk in instructions.chunks(batch.max(1)) {
        let mut prompts = Vec::with_capacity(chunk.len());
        for instr in chunk {
            let text = instr.render();
            // A text that cannot fit the model's context is refused before tokenizing it.
            let max_tokens = model.config.max_position_embeddings;
            if let Some(bound) = prompt_char_bound(codec, max_tokens) {
                let chars = text.chars().count();
                if chars > bound {
                    return Err(TrainError::Data(format!(
                        "a held-out instruction has {chars} characters, more than the {bound} \
                         that can fit in the model's {max_tokens}-token context; shorten it"
                    )));
                }
            }
            prompts.push(codec.encode_prompt(&text)?);
        }
        let refs: Vec<&[u32]> = prompts.iter().map(|p| &p[..]).collect();
        let seeds = alloc::vec![0u64; refs.len()];
        let out = model.generate(b, &refs, &seeds, &cfg)?;
        for (instr, g) in chunk.iter().zip(out) {
            let text = codec.decode(g.content())?;
            items.push((verify(instr, &text), text));
        }
    }
    let n = items.len().max(1) as f64;
    let success_rate = items.iter().map(|(v, _)| v.sparse() as f64).sum::<f64>() / n;
    let dense_mean = items.iter().map(|(v, _)| v.dense() as f64).sum::<f64>() / n;
    Ok(EvalResult {
        success_rate,
        dense_mean,
        items,
    })
}
