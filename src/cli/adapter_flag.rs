//! The `--adapter DIR` flag of `hir forward`, `grad`, `generate` and `eval --model`: a PEFT
//! LoRA directory read against the model's config and attached to the model on the backend.

use crate::io::adapter::{read_adapter, Adapter};
use anyhow::Context;
use hir_core::backend::Backend;
use hir_core::model::{Model, ModelConfig};
use std::path::Path;

/// Reads `--adapter` (when given) for a model of `config`.
pub(crate) fn load(flag: Option<&Path>, config: &ModelConfig) -> anyhow::Result<Option<Adapter>> {
    flag.map(|dir| {
        read_adapter(dir, config).with_context(|| format!("--adapter `{}`", dir.display()))
    })
    .transpose()
}

/// Attaches `adapter` (when given) to `model` on `b`.
pub(crate) fn attach<B: Backend>(
    b: &B,
    model: &mut Model<B>,
    adapter: Option<&Adapter>,
) -> anyhow::Result<()> {
    if let Some(a) = adapter {
        model
            .attach_lora(b, &a.weights)
            .context("attaching --adapter")?;
    }
    Ok(())
}
