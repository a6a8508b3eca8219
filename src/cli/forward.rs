//! `hir forward` and `hir grad`: logits and gradients of a model for fixed token ids, written
//! to safetensors (the files the PyTorch parity checks compare). With `--adapter`, the model
//! carries a PEFT LoRA adapter: `forward` gives the adapted logits and `grad` the gradients of
//! the adapter's tensors (the base is frozen).

use crate::backend_choice::BackendChoice;
use crate::io::adapter::read_adapter_keyed;
use crate::io::model::load_weights;
use crate::io::model::{load_host_model, write_f32_safetensors};
use crate::io::weights::WeightDtype;
use anyhow::Context;
use clap::{Args, ValueEnum};
use hir_core::backend::Backend;
use hir_core::model::lora::lora_shapes;
use hir_core::model::{param_shapes, Model, ModelConfig, PackedBatch};
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
    /// How `hir forward` holds the 2-D weights: `auto` keeps a GGUF file's blocks (Hugging
    /// Face weights stay f32), `f32` dequantizes everything, `bf16`/`f16` convert on load.
    /// `hir grad` computes gradients of f32 weights (`auto` and `f32` only).
    #[arg(long, value_enum, default_value_t)]
    pub dtype: WeightDtype,
    /// A PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors) applied
    /// to the model; `hir grad` then writes the gradients of the adapter's tensors only,
    /// under the adapter file's keys.
    #[arg(long, value_name = "DIR")]
    pub adapter: Option<PathBuf>,
}

/// `--ids` checked against the model at `--model`: at most
/// `max_position_embeddings` tokens, as `hir generate` enforces (the model checks the ids
/// against its vocabulary).
fn check_ids(args: &ForwardArgs, config: &ModelConfig) -> anyhow::Result<()> {
    let max = config.max_position_embeddings;
    if args.ids.len() > max {
        anyhow::bail!(
            "--ids has {} tokens, more than the model's max_position_embeddings ({max}) in `{}`; \
             pass at most {max} ids",
            args.ids.len(),
            args.model.display()
        );
    }
    Ok(())
}

/// `hir forward`: writes `logits` `[T, vocab]` (f32).
pub fn run_forward(args: ForwardArgs) -> anyhow::Result<()> {
    let host = load_weights(&args.model, args.dtype)?;
    check_ids(&args, &host.config)?;
    let adapter = super::adapter_flag::load(args.adapter.as_deref(), &host.config)?;
    crate::with_backend!(args.backend, |b| {
        let mut model = host.to_model(&b)?;
        super::adapter_flag::attach(&b, &mut model, adapter.as_ref())?;
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
/// Face name (f32); with `--adapter`, of every adapter tensor under its key in the adapter
/// file.
pub fn run_grad(args: ForwardArgs) -> anyhow::Result<()> {
    if !matches!(args.dtype, WeightDtype::Auto | WeightDtype::F32) {
        anyhow::bail!(
            "hir grad differentiates f32 weights: --dtype must be `auto` or `f32`, got `{}`",
            args.dtype
                .to_possible_value()
                .map(|v| v.get_name().to_string())
                .unwrap_or_default()
        );
    }
    let host = load_host_model(&args.model)?;
    check_ids(&args, &host.config)?;
    if args.ids.len() < 2 {
        anyhow::bail!(
            "--ids needs at least two tokens (the loss predicts ids[1..] from ids[..T-1])"
        );
    }
    if let Some(dir) = &args.adapter {
        return grad_adapter(&args, &host, dir);
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

/// `hir grad --adapter`: `loss` and the gradient of every adapter tensor, under the keys the
/// adapter file uses (with or without PEFT's `.default`), in f32.
fn grad_adapter(
    args: &ForwardArgs,
    host: &crate::io::model::HostModel,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    let (adapter, keys) = read_adapter_keyed(dir, &host.config)
        .with_context(|| format!("--adapter `{}`", dir.display()))?;
    let shapes = lora_shapes(&host.config, &adapter.weights.config);
    crate::with_backend!(args.backend, |b| {
        let mut model = Model::from_host(&b, host.config.clone(), &host.params)?;
        model.attach_lora(&b, &adapter.weights)?;
        let mut grads = adapter.weights.try_map(|t| b.zeros(t.len()))?;
        let batch = PackedBatch::new(&[&args.ids]);
        let loss = model.loss_and_grads_lora(&b, &batch, &mut grads)?;
        let mut host_grads = Vec::new();
        for t in grads.tensors() {
            host_grads.push(b.download(t)?);
        }
        let loss_buf = [loss];
        let mut out: Vec<(String, Vec<usize>, &[f32])> = vec![("loss".into(), vec![], &loss_buf)];
        for ((key, (_, shape)), g) in keys.iter().zip(&shapes).zip(&host_grads) {
            out.push((key.clone(), shape.clone(), g.as_slice()));
        }
        write_f32_safetensors(&args.out, &out).with_context(|| "writing the gradients")?;
        eprintln!(
            "loss {loss:.6}; wrote {} adapter gradients to {} (backend {})",
            host_grads.len(),
            args.out.display(),
            b.name()
        );
    });
    Ok(())
}
