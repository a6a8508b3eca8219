//! Chat with a real model from Rust: load a GGUF file (or a Hugging Face directory), apply its
//! chat template, and generate answers to two prompts in one batch.
//!
//! ```sh
//! bash scripts/fetch-smollm2.sh
//! cargo run --release --example chat -- fixtures/downloads/SmolLM2-135M-Instruct.Q4_1.gguf
//! ```

use hir::io::pretrained::Pretrained;
use hir_backend_cpu::CpuBackend;
use hir_core::backend::SampleParams;
use hir_core::instruct::ChatCodec;
use hir_core::model::{GenerateConfig, Model};

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fixtures/downloads/SmolLM2-135M-Instruct.Q4_1.gguf".into());
    let pre = Pretrained::load(path.as_ref())?;
    let b = CpuBackend::new();
    let model = Model::from_host(&b, pre.host.config.clone(), &pre.host.params)?;
    let questions = ["Name three colours.", "What is 2 + 2?"];
    let prompts = questions
        .iter()
        .map(|q| pre.codec.encode_prompt(q))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&[u32]> = prompts.iter().map(Vec::as_slice).collect();
    let cfg = GenerateConfig {
        max_new_tokens: 64,
        sample: SampleParams {
            temperature: 0.0,
            top_p: 1.0,
        },
        stop_ids: pre.codec.stop_ids().to_vec(),
        readback_every: GenerateConfig::DEFAULT_READBACK_EVERY,
    };
    for (q, g) in questions
        .iter()
        .zip(model.generate(&b, &refs, &[0, 1], &cfg)?)
    {
        println!("{q}\n  {}", pre.codec.decode(&g.tokens)?);
    }
    Ok(())
}
