//! `hir forward` and `hir grad`: logits and gradients of a model for fixed token ids, written
//! to safetensors (the files the PyTorch parity checks compare).

use crate::backend_choice::BackendChoice;
use crate::io::model::{load_host_model, write_f32_safetensors};
use anyhow::Context;
use clap::Args;
use hir_core::backend::Backend;
use hir_core::model::{param_shapes, Model, PackedBatch};
use std::path::PathBuf;

/// Flags of `hir forward` and `hir grad`.
#[derive(Debug, Args)]
pub struct ForwardArgs {
    /// A Hugging Face model directory (config.json + model.safetensors) or a GGUF file.
    #[arg(long)]
    pub model: PathBuf,
    /// Comma-separated token ids, e.g. `1,2,3`.
    #[arg(long, value_delimiter = ',', required = true)]
    pub ids: Vec<u32>,
    /// Output safetensors file (`-`: standard output).
    #[arg(long = "output", alias = "out", value_name = "FILE")]
    pub out: PathBuf,
    /// Compute backend.
    #[arg(long, value_enum, default_value_t)]
    pub backend: BackendChoice,
}

/// The model at `--model`, with `--ids` checked against it: at most
/// `max_position_embeddings` tokens, as `hir generate` enforces (the model checks the ids
/// against its vocabulary).
fn load_checked(args: &ForwardArgs) -> anyhow::Result<crate::io::model::HostModel> {
    let host = load_host_model(&args.model)?;
    let max = host.config.max_position_embeddings;
    if args.ids.len() > max {
        anyhow::bail!(
            "--ids has {} tokens, more than the model's max_position_embeddings ({max}) in `{}`; \
             pass at most {max} ids",
            args.ids.len(),
            args.model.display()
        );
    }
    Ok(host)
}

/// `hir forward`: writes `logits` `[T, vocab]` (f32).
pub fn run_forward(args: ForwardArgs) -> anyhow::Result<()> {
    let host = load_checked(&args)?;
    crate::with_backend!(args.backend, |b| {
        let model = Model::from_host(&b, host.config.clone(), &host.params)?;
        let batch = PackedBatch::new(&[&args.ids]);
        let (logits, _) = model.forward(&b, &batch)?;
        let logits = b.download(&logits)?;
        let shape = vec![args.ids.len(), host.config.vocab_size];
        write_f32_safetensors(&args.out, &[("logits".into(), shape, &logits)])
            .with_context(|| "writing the logits")?;
        eprintln!(
            "wrote logits [{}, {}] to {} (backend {})",
            args.ids.len(),
            host.config.vocab_size,
            args.out.display(),
            b.name()
        );
    });
    Ok(())
}

/// `hir grad`: writes `loss` (scalar) and the gradient of every parameter under its Hugging
/// Face name (f32).
pub fn run_grad(args: ForwardArgs) -> anyhow::Result<()> {
    let host = load_checked(&args)?;
    if args.ids.len() < 2 {
        anyhow::bail!(
            "--ids needs at least two tokens (the loss predicts ids[1..] from ids[..T-1])"
        );
    }
    crate::with_backend!(args.backend, |b| {
        let model = Model::from_host(&b, host.config.clone(), &host.params)?;
        let mut grads = model.zeros_like_params(&b)?;
        let batch = PackedBatch::new(&[&args.ids]);
        let loss = model.loss_and_grads(&b, &batch, &mut grads)?;
        let mut host_grads = Vec::new();
        for t in grads.tensors() {
            host_grads.push(b.download(t)?);
        }
        let loss_buf = [loss];
        let mut out: Vec<(String, Vec<usize>, &[f32])> = vec![("loss".into(), vec![], &loss_buf)];
        for ((name, shape), g) in param_shapes(&host.config).into_iter().zip(&host_grads) {
            out.push((name, shape, g.as_slice()));
        }
        write_f32_safetensors(&args.out, &out).with_context(|| "writing the gradients")?;
        eprintln!(
            "loss {loss:.6}; wrote {} gradients to {} (backend {})",
            host_grads.len(),
            args.out.display(),
            b.name()
        );
    });
    Ok(())
}
