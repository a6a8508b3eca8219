//! `hir generate`: chat with a model — each prompt becomes a single user turn through the
//! model's chat template, and all prompts are generated together in one batch.

use crate::backend_choice::BackendChoice;
use crate::io::data::PromptLimit;
use crate::io::pretrained::InferenceModel;
use crate::io::weights::WeightDtype;
use clap::Args;
use hir_core::backend::{Backend, SampleParams};
use hir_core::instruct::ChatCodec;
use hir_core::model::GenerateConfig;
use std::path::PathBuf;
use std::time::Instant;

/// Flags of `hir generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// A GGUF file or a Hugging Face model directory.
    #[arg(long)]
    pub model: PathBuf,
    /// A user message (repeat the flag to generate several answers in one batch).
    #[arg(long, required = true)]
    pub prompt: Vec<String>,
    /// A system message (default: whatever the chat template does without one).
    #[arg(long)]
    pub system: Option<String>,
    /// Most new tokens per answer (the end-of-turn token counts).
    #[arg(long, default_value_t = 256)]
    pub max_tokens: usize,
    /// Sampling temperature (0 = greedy).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub temperature: f32,
    /// Nucleus sampling threshold.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub top_p: f32,
    /// Seed of the sampler (prompt `i` uses `seed + i`).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Print one JSON object per prompt (`prompt`, `response`, `ids`, `stopped`) instead of
    /// the plain answers.
    #[arg(long)]
    pub json: bool,
    /// Compute backend.
    #[arg(long, value_enum, default_value_t)]
    pub backend: BackendChoice,
    /// How the 2-D weights are held: `auto` keeps a GGUF file's blocks (Hugging Face weights
    /// stay f32), `f32` dequantizes everything, `bf16`/`f16` convert on load.
    #[arg(long, value_enum, default_value_t)]
    pub dtype: WeightDtype,
    /// A PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors) applied
    /// to the model.
    #[arg(long, value_name = "DIR")]
    pub adapter: Option<PathBuf>,
}

/// Checks the `--temperature` and `--top-p` flags (of `hir generate` and `hir eval --model`).
pub(crate) fn check_sampling(temperature: f32, top_p: f32) -> anyhow::Result<()> {
    anyhow::ensure!(
        temperature >= 0.0 && temperature.is_finite(),
        "--temperature must be a finite number ≥ 0 (0 is greedy), got {temperature}"
    );
    anyhow::ensure!(
        top_p > 0.0 && top_p <= 1.0,
        "--top-p must be in (0, 1], got {top_p}"
    );
    Ok(())
}

/// Runs `hir generate`.
pub fn run(args: GenerateArgs) -> anyhow::Result<()> {
    check_sampling(args.temperature, args.top_p)?;
    let pre = InferenceModel::load(&args.model, args.dtype)?;
    let adapter = super::adapter_flag::load(args.adapter.as_deref(), &pre.weights.config)?;
    let codec = pre.codec.clone().with_system(args.system.clone());
    // A prompt that cannot fit the model's context is refused from its length before it is
    // tokenized (tokenizing costs ~150 bytes of memory per byte of text).
    if let Some(limit) = PromptLimit::new(
        &codec,
        pre.weights.config.max_position_embeddings,
        "the model's context, max_position_embeddings",
    ) {
        for (i, p) in args.prompt.iter().enumerate() {
            limit
                .check(&format!("--prompt #{}", i + 1), p)
                .map_err(anyhow::Error::msg)?;
        }
    }
    let prompts: Vec<Vec<u32>> = args
        .prompt
        .iter()
        .map(|p| codec.encode_prompt(p))
        .collect::<Result<_, _>>()?;
    let cfg = GenerateConfig {
        max_new_tokens: args.max_tokens,
        sample: SampleParams {
            temperature: args.temperature,
            top_p: args.top_p,
        },
        stop_ids: codec.stop_ids().to_vec(),
        readback_every: GenerateConfig::DEFAULT_READBACK_EVERY,
    };
    let refs: Vec<&[u32]> = prompts.iter().map(Vec::as_slice).collect();
    let seeds: Vec<u64> = (0..prompts.len() as u64).map(|i| args.seed + i).collect();
    crate::with_backend!(args.backend, |b| {
        let mut model = pre.weights.to_model(&b)?;
        super::adapter_flag::attach(&b, &mut model, adapter.as_ref())?;
        let t = Instant::now();
        let out = model.generate(&b, &refs, &seeds, &cfg)?;
        let secs = t.elapsed().as_secs_f64();
        let new: usize = out.iter().map(|g| g.tokens.len()).sum();
        for (prompt, g) in args.prompt.iter().zip(&out) {
            let text = codec.decode(&g.tokens)?;
            if args.json {
                let row = serde_json::json!({
                    "prompt": prompt, "response": text, "ids": g.tokens, "stopped": g.stopped,
                });
                println!("{row}");
            } else {
                if args.prompt.len() > 1 {
                    println!("### {prompt}");
                }
                println!("{text}");
            }
        }
        eprintln!(
            "{new} new tokens for {} prompt(s) in {secs:.1} s ({:.1} tokens/s, backend {})",
            out.len(),
            new as f64 / secs.max(1e-9),
            b.name()
        );
    });
    Ok(())
}
