//! `hir merge`: a base model with a PEFT LoRA adapter merged in (`W += (alpha / r)·B·A`, what
//! PEFT's `merge_and_unload` computes), written as a Hugging Face directory that hir and
//! `transformers` load like any model.
//!
//! The base is read in f32 (a GGUF file is dequantized), the adapter is checked against it,
//! and the output directory gets what a training checkpoint's model part holds: `config.json`,
//! f32 `model.safetensors`, `tokenizer.json` and `tokenizer_config.json` with the chat
//! template (plus the base directory's `chat_template.jinja` and `generation_config.json`
//! when it has them; a base directory with weights only gives a merged directory with weights
//! only). Everything is written into a hidden directory beside `--out` that is
//! renamed into place at the end, so a failure never leaves a half-written `--out`.

use crate::io::adapter::read_adapter;
use crate::io::input_file::{read_text, MAX_CONFIG_BYTES};
use crate::io::model::{save_hf_dir, sync_dir, write_atomic, HostModel};
use crate::io::pretrained::Pretrained;
use crate::io::tokenizer::read_tokenizer_file;
use anyhow::Context;
use clap::Args;
use hir_core::model::lora::merge_into;
use std::path::{Path, PathBuf};

/// Flags of `hir merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The base model: a GGUF file or a Hugging Face model directory.
    #[arg(long)]
    pub model: PathBuf,
    /// The PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors).
    #[arg(long, value_name = "DIR")]
    pub adapter: PathBuf,
    /// The merged Hugging Face directory to create (must not exist, or be empty).
    #[arg(long = "out", alias = "output", value_name = "DIR")]
    pub out: PathBuf,
}

/// A directory being written beside its destination; removed on drop unless renamed into
/// place by [`Staging::commit`].
struct Staging {
    path: PathBuf,
    committed: bool,
}

impl Staging {
    /// A fresh hidden directory beside `out`.
    fn beside(out: &Path) -> anyhow::Result<Self> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "merged".into());
        let path = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path)
                .with_context(|| format!("cannot remove the stale `{}`", path.display()))?;
        }
        std::fs::create_dir_all(&path)
            .with_context(|| format!("cannot create `{}`", path.display()))?;
        Ok(Self {
            path,
            committed: false,
        })
    }

    /// Renames the directory to `out` (an empty directory there is replaced).
    fn commit(mut self, out: &Path) -> anyhow::Result<()> {
        sync_dir(&self.path);
        if out.is_dir() {
            std::fs::remove_dir(out)
                .with_context(|| format!("cannot replace the empty `{}`", out.display()))?;
        }
        std::fs::rename(&self.path, out).with_context(|| {
            format!(
                "cannot move `{}` to `{}`",
                self.path.display(),
                out.display()
            )
        })?;
        if let Some(parent) = out.parent() {
            sync_dir(if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            });
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Refuses an `--out` that holds anything (it is never overwritten).
fn check_out(out: &Path) -> anyhow::Result<()> {
    if out.is_symlink() || (out.exists() && !out.is_dir()) {
        anyhow::bail!(
            "--out `{}` exists and is not a directory; hir merge creates a new directory",
            out.display()
        );
    }
    if out.is_dir() {
        let mut entries = std::fs::read_dir(out)
            .with_context(|| format!("cannot list --out `{}`", out.display()))?;
        if entries.next().is_some() {
            anyhow::bail!(
                "--out `{}` exists and is not empty; hir merge does not overwrite a directory \
                 (remove it or choose another --out)",
                out.display()
            );
        }
    }
    Ok(())
}

/// The tokenizer files a merged directory gets from its base.
struct TokenizerFiles {
    tokenizer_json: Vec<u8>,
    tokenizer_config_json: Option<Vec<u8>>,
}

/// The base in f32 and its tokenizer files; a Hugging Face directory without
/// `tokenizer.json` (weights only) gives none.
fn load_base(path: &Path) -> anyhow::Result<(HostModel, Option<TokenizerFiles>)> {
    if path.is_dir() && !path.join("tokenizer.json").exists() {
        eprintln!(
            "note: `{}` has no tokenizer.json; the merged directory gets the model files only",
            path.display()
        );
        return Ok((Pretrained::load_weights(path)?, None));
    }
    let pre = Pretrained::load(path)?;
    Ok((
        pre.host,
        Some(TokenizerFiles {
            tokenizer_json: pre.tokenizer_json,
            tokenizer_config_json: pre.tokenizer_config_json,
        }),
    ))
}

/// Writes the files a base directory carries beside its weights into `dir`: the tokenizer
/// (as a training checkpoint holds it) and, from a Hugging Face base, `chat_template.jinja`
/// and `generation_config.json` when it has them.
fn write_side_files(
    dir: &Path,
    base: &Path,
    tokenizer: Option<&TokenizerFiles>,
) -> anyhow::Result<()> {
    if let Some(t) = tokenizer {
        write_atomic(&dir.join("tokenizer.json"), &t.tokenizer_json)?;
        if let Some(cfg) = &t.tokenizer_config_json {
            write_atomic(&dir.join("tokenizer_config.json"), cfg)?;
        }
    }
    if base.is_dir() {
        let jinja = base.join("chat_template.jinja");
        if jinja.exists() {
            write_atomic(
                &dir.join("chat_template.jinja"),
                &read_tokenizer_file(&jinja)?,
            )?;
        }
        let generation = base.join("generation_config.json");
        if generation.exists() {
            let text = read_text(&generation, "generation_config.json", MAX_CONFIG_BYTES)?;
            write_atomic(&dir.join("generation_config.json"), text.as_bytes())?;
        }
    }
    Ok(())
}

/// Runs `hir merge`.
pub fn run(args: MergeArgs) -> anyhow::Result<()> {
    check_out(&args.out)?;
    Pretrained::ensure_exists(&args.model)?;
    let (HostModel { config, mut params }, tokenizer) = load_base(&args.model)?;
    let adapter = read_adapter(&args.adapter, &config)
        .with_context(|| format!("--adapter `{}`", args.adapter.display()))?;
    merge_into(&config, &mut params, &adapter.weights).context("merging the adapter")?;
    let staging = Staging::beside(&args.out)?;
    save_hf_dir(&staging.path, &HostModel { config, params })?;
    write_side_files(&staging.path, &args.model, tokenizer.as_ref())?;
    staging.commit(&args.out)?;
    let lora = &adapter.weights.config;
    eprintln!(
        "merged {} (r = {}, lora_alpha = {}, {}) into {}; wrote {}",
        args.adapter.display(),
        lora.rank,
        lora.alpha,
        lora.targets
            .iter()
            .map(|t| t.name())
            .collect::<Vec<_>>()
            .join(","),
        args.model.display(),
        args.out.display()
    );
    Ok(())
}
