//! Held-out evaluation: responses to held-out instructions, verified strictly (success = all
//! constraints, dense = fraction satisfied).
//!
//! - [`evaluate`]: one greedy response per instruction, as the `hir train` before/after table
//!   reports them;
//! - [`evaluate_sampled`]: `samples` responses per instruction at a temperature (top-p 1), for
//!   a sampled score. Sample `j` of instruction `i` draws with seed
//!   `derive(derive(seed, i), j)`, so the draws depend only on `(seed, i, j)` and the weights,
//!   not on the batch size or on the other instructions: two policies evaluated with the same
//!   seed get the same random numbers (a paired comparison).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::backend::{Backend, SampleParams};
use crate::hindsight::{verify, Verdict};
use crate::instruct::{prompt_char_bound, ChatCodec, Instruction};
use crate::model::{GenerateConfig, Model};
use crate::rng::derive;

use super::TrainError;

/// Scores of a model on a set of instructions.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalResult {
    /// Fraction of instructions whose response satisfies every constraint.
    pub success_rate: f64,
    /// Mean over instructions of the fraction of constraints satisfied.
    pub dense_mean: f64,
    /// Per instruction: the verdict and the response text.
    pub items: Vec<(Verdict, String)>,
}

/// Settings of [`evaluate_sampled`].
#[derive(Debug, Clone, PartialEq)]
pub struct SampledEval {
    /// Responses per instruction.
    pub samples: usize,
    /// Sampling temperature (`> 0`; top-p is 1).
    pub temperature: f32,
    /// The seed every draw derives from.
    pub seed: u64,
    /// Most new tokens of a response.
    pub max_new_tokens: usize,
    /// Responses generated per batched call.
    pub batch: usize,
}

/// Scores of a model's sampled responses on a set of instructions.
#[derive(Debug, Clone, PartialEq)]
pub struct SampledEvalResult {
    /// Fraction of all responses (every sample of every instruction) that satisfy every
    /// constraint.
    pub success_rate: f64,
    /// Mean over all responses of the fraction of constraints satisfied.
    pub dense_mean: f64,
    /// `items[i][j]`: the verdict on sample `j` of instruction `i`.
    pub items: Vec<Vec<Verdict>>,
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
    let cfg = generate_config(codec, max_new_tokens, 0.0);
    // Greedy decoding ignores the seeds: every request uses 0.
    let requests: Vec<(usize, u64)> = (0..instructions.len()).map(|i| (i, 0)).collect();
    let items = respond(b, model, codec, instructions, &requests, &cfg, batch)?;
    let n = items.len().max(1) as f64;
    let success_rate = items.iter().map(|(v, _)| v.sparse() as f64).sum::<f64>() / n;
    let dense_mean = items.iter().map(|(v, _)| v.dense() as f64).sum::<f64>() / n;
    Ok(EvalResult {
        success_rate,
        dense_mean,
        items,
    })
}

/// Samples `opts.samples` responses per instruction at `opts.temperature` and verifies them.
pub fn evaluate_sampled<B: Backend>(
    b: &B,
    model: &Model<B>,
    codec: &dyn ChatCodec,
    instructions: &[Instruction],
    opts: &SampledEval,
) -> Result<SampledEvalResult, TrainError> {
    if !(opts.temperature.is_finite() && opts.temperature > 0.0) {
        return Err(TrainError::Data(format!(
            "sampled evaluation: the temperature must be a finite number above 0, got {}",
            opts.temperature
        )));
    }
    let cfg = generate_config(codec, opts.max_new_tokens, opts.temperature);
    let requests: Vec<(usize, u64)> = (0..instructions.len())
        .flat_map(|i| {
            (0..opts.samples as u64).map(move |j| (i, derive(derive(opts.seed, i as u64), j)))
        })
        .collect();
    let responses = respond(b, model, codec, instructions, &requests, &cfg, opts.batch)?;
    let mut items: Vec<Vec<Verdict>> = (0..instructions.len())
        .map(|_| Vec::with_capacity(opts.samples))
        .collect();
    for (&(i, _), (verdict, _)) in requests.iter().zip(responses) {
        items[i].push(verdict);
    }
    let n = requests.len().max(1) as f64;
    let all = || items.iter().flatten();
    let success_rate = all().map(|v| v.sparse() as f64).sum::<f64>() / n;
    let dense_mean = all().map(|v| v.dense() as f64).sum::<f64>() / n;
    Ok(SampledEvalResult {
        success_rate,
        dense_mean,
        items,
    })
}

fn generate_config(
    codec: &dyn ChatCodec,
    max_new_tokens: usize,
    temperature: f32,
) -> GenerateConfig {
    GenerateConfig {
        max_new_tokens,
        sample: SampleParams {
            temperature,
            top_p: 1.0,
        },
        stop_ids: codec.stop_ids().to_vec(),
        readback_every: GenerateConfig::DEFAULT_READBACK_EVERY,
    }
}

/// Generates one response per request `(instruction index, seed)` (in batches of `batch`)
/// and verifies it; the results are in request order.
fn respond<B: Backend>(
    b: &B,
    model: &Model<B>,
    codec: &dyn ChatCodec,
    instructions: &[Instruction],
    requests: &[(usize, u64)],
    cfg: &GenerateConfig,
    batch: usize,
) -> Result<Vec<(Verdict, String)>, TrainError> {
    let mut items = Vec::with_capacity(requests.len());
    for chunk in requests.chunks(batch.max(1)) {
        let mut prompts = Vec::with_capacity(chunk.len());
        for &(i, _) in chunk {
            let text = instructions[i].render();
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
        let seeds: Vec<u64> = chunk.iter().map(|&(_, s)| s).collect();
        let out = model.generate(b, &refs, &seeds, cfg)?;
        for (&(i, _), g) in chunk.iter().zip(out) {
            let text = codec.decode(g.content())?;
            items.push((verify(&instructions[i], &text), text));
        }
    }
    Ok(items)
}
