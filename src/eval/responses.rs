//! Answering a benchmark's prompts with a model: each prompt becomes a single user turn
//! through the model's chat template, prompts are generated in batches, and the responses
//! are written as the official `input_response_data.jsonl` (`{"prompt", "response"}`).

use super::write::write_lines_atomic;
use super::EvalError;
use hir_core::backend::{Backend, SampleParams};
use hir_core::instruct::ChatCodec;
use hir_core::model::{GenerateConfig, Model};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;

/// How responses are generated.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseOptions {
    /// Most new tokens per response.
    pub max_new_tokens: usize,
    /// Sampling temperature (0 = greedy).
    pub temperature: f32,
    /// Nucleus threshold.
    pub top_p: f32,
    /// Prompts generated together.
    pub batch: usize,
    /// Sampler seed (prompt `i` uses `seed + i`).
    pub seed: u64,
    /// Show a progress bar.
    pub progress: bool,
}

/// Generates one response per prompt, in order.
pub fn generate_responses<B: Backend>(
    b: &B,
    model: &Model<B>,
    codec: &dyn ChatCodec,
    prompts: &[String],
    opts: &ResponseOptions,
) -> anyhow::Result<Vec<String>> {
    let cfg = GenerateConfig {
        max_new_tokens: opts.max_new_tokens,
        sample: SampleParams {
            temperature: opts.temperature,
            top_p: opts.top_p,
        },
        stop_ids: codec.stop_ids().to_vec(),
        readback_every: GenerateConfig::DEFAULT_READBACK_EVERY,
    };
    let bar = if opts.progress {
        let bar = ProgressBar::new(prompts.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("[{elapsed_precise}] {bar:30} {pos}/{len} prompts  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut out = Vec::with_capacity(prompts.len());
    let mut tokens = 0usize;
    let start = std::time::Instant::now();
    for (c, chunk) in prompts.chunks(opts.batch.max(1)).enumerate() {
        let ids: Vec<Vec<u32>> = chunk
            .iter()
            .map(|p| codec.encode_prompt(p))
            .collect::<Result<_, _>>()?;
        let refs: Vec<&[u32]> = ids.iter().map(Vec::as_slice).collect();
        let first = (c * opts.batch.max(1)) as u64;
        let seeds: Vec<u64> = (0..chunk.len() as u64)
            .map(|i| opts.seed + first + i)
            .collect();
        for g in model.generate(b, &refs, &seeds, &cfg)? {
            tokens += g.tokens.len();
            out.push(codec.decode(&g.tokens)?);
        }
        bar.inc(chunk.len() as u64);
        bar.set_message(format!(
            "{:.1} new tokens/s",
            tokens as f64 / start.elapsed().as_secs_f64().max(1e-9)
        ));
    }
    bar.finish_and_clear();
    Ok(out)
}

/// Writes `input_response_data.jsonl` lines (`{"prompt", "response"}`) atomically.
pub fn write_responses(
    path: &Path,
    prompts: &[String],
    responses: &[String],
) -> Result<(), EvalError> {
    let lines: Vec<String> = prompts
        .iter()
        .zip(responses)
        .map(|(p, r)| serde_json::json!({ "prompt": p, "response": r }).to_string())
        .collect();
    write_lines_atomic(path, &lines)
}
