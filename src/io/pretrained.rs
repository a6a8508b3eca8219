//! A pretrained model as the user names it on the command line: a GGUF file or a Hugging
//! Face directory, loaded into f32 weights plus its tokenizer and chat template.
//!
//! ```no_run
//! # fn main() -> anyhow::Result<()> {
//! let model = hir::io::pretrained::Pretrained::load("SmolLM2-135M-Instruct.Q4_1.gguf".as_ref())?;
//! println!("{} layers, vocab {}", model.host.config.num_hidden_layers, model.host.config.vocab_size);
//! # Ok(()) }
//! ```

use crate::io::model::{load_hf_dir, HostModel};
use crate::io::tokenizer::HfChatCodec;
use crate::io::weights::{HostWeights, WeightDtype};
use anyhow::{Context, Result};
use hir_core::model::ModelConfig;
use std::path::{Path, PathBuf};

/// Weights, tokenizer and chat template of one model.
#[derive(Debug, Clone)]
pub struct Pretrained {
    /// Config and f32 weights.
    pub host: HostModel,
    /// Tokenizer + chat template.
    pub codec: HfChatCodec,
    /// `tokenizer.json` text (copied into checkpoints, so they load as Hugging Face
    /// directories).
    pub tokenizer_json: Vec<u8>,
    /// `tokenizer_config.json` text carrying the chat template and the bos/eos tokens, when
    /// the model has one.
    pub tokenizer_config_json: Option<Vec<u8>>,
    /// Where it was loaded from.
    pub source: PathBuf,
}

impl Pretrained {
    /// The error for a `--model` path that is not there.
    pub fn ensure_exists(path: &Path) -> Result<()> {
        if !path.exists() {
            anyhow::bail!(
                "--model `{}` does not exist (expected a GGUF file or a Hugging Face model \
                 directory)",
                path.display()
            );
        }
        Ok(())
    }

    /// Whether `path` is a GGUF file (`false`: a Hugging Face directory); an error for a path
    /// that is neither.
    fn is_gguf(path: &Path) -> Result<bool> {
        Self::ensure_exists(path)?;
        let kind = crate::io::model::model_path_kind(path)
            .with_context(|| format!("--model `{}`", path.display()))?;
        Ok(kind == crate::io::model::ModelPathKind::Gguf)
    }

    /// Only the config and the f32 weights of a GGUF file or a Hugging Face directory, without
    /// building the tokenizer (a run's reference policy, say).
    pub fn load_weights(path: &Path) -> Result<HostModel> {
        Ok(if Self::is_gguf(path)? {
            crate::io::gguf::load_model(path)?.host
        } else {
            load_hf_dir(path)?
        })
    }

    /// Loads a GGUF file or a Hugging Face directory (`config.json`, `model.safetensors`,
    /// `tokenizer.json`, and `tokenizer_config.json` or `chat_template.jinja` for the
    /// template).
    pub fn load(path: &Path) -> Result<Self> {
        if Self::is_gguf(path)? {
            return Self::load_gguf(path);
        }
        let host = load_hf_dir(path)?;
        let codec = HfChatCodec::from_hf_dir(path)?;
        let (tokenizer_json, tokenizer_config_json) = Self::tokenizer_files(path, &codec)?;
        check_vocab(&host.config, &codec, path)?;
        Ok(Self {
            host,
            codec,
            tokenizer_json,
            tokenizer_config_json,
            source: path.to_path_buf(),
        })
    }

    fn load_gguf(path: &Path) -> Result<Self> {
        let origin = path.display().to_string();
        let g = crate::io::gguf::load_model(path)?;
        let codec = HfChatCodec::from_gguf_vocab(&g.vocab, &origin)?;
        let (tokenizer_json, tokenizer_config_json) = Self::tokenizer_files(path, &codec)?;
        check_vocab(&g.host.config, &codec, path)?;
        Ok(Self {
            host: g.host,
            codec,
            tokenizer_json,
            tokenizer_config_json,
            source: path.to_path_buf(),
        })
    }

    /// The `tokenizer.json` and `tokenizer_config.json` bytes a checkpoint of the model at
    /// `path` holds: a Hugging Face directory's own files, or for a GGUF file the files
    /// that describe `codec` (its tokenizer built from the file's metadata).
    pub fn tokenizer_files(path: &Path, codec: &HfChatCodec) -> Result<(Vec<u8>, Option<Vec<u8>>)> {
        if Self::is_gguf(path)? {
            let (tokenizer_json, tokenizer_config_json) = codec.hf_files()?;
            return Ok((
                tokenizer_json.into_bytes(),
                Some(tokenizer_config_json.into_bytes()),
            ));
        }
        let tok_path = path.join("tokenizer.json");
        let tokenizer_json = crate::io::tokenizer::read_tokenizer_file(&tok_path)?;
        let cfg_path = path.join("tokenizer_config.json");
        let tokenizer_config_json = if cfg_path.exists() || cfg_path.is_symlink() {
            Some(crate::io::tokenizer::read_tokenizer_file(&cfg_path)?)
        } else {
            None
        };
        Ok((tokenizer_json, tokenizer_config_json))
    }
}

/// Weights for inference (held as `--dtype` says) and the tokenizer of one model.
#[derive(Debug, Clone)]
pub struct InferenceModel {
    /// Config and weights.
    pub weights: HostWeights,
    /// Tokenizer + chat template.
    pub codec: HfChatCodec,
}

impl InferenceModel {
    /// Loads a GGUF file or a Hugging Face directory for inference, its weights held as
    /// `dtype` says (see [`WeightDtype`]).
    pub fn load(path: &Path, dtype: WeightDtype) -> Result<Self> {
        if dtype == WeightDtype::Auto && Pretrained::is_gguf(path)? {
            let origin = path.display().to_string();
            let g = crate::io::gguf::llama::load_model_stored(path)?;
            let codec = HfChatCodec::from_gguf_vocab(&g.vocab, &origin)?;
            check_vocab(&g.weights.config, &codec, path)?;
            return Ok(Self {
                weights: g.weights,
                codec,
            });
        }
        let pre = Pretrained::load(path)?;
        Ok(Self {
            weights: HostWeights::from_f32(pre.host, dtype),
            codec: pre.codec,
        })
    }
}

/// The tokenizer must not produce ids the embedding does not have.
fn check_vocab(config: &ModelConfig, codec: &HfChatCodec, path: &Path) -> Result<()> {
    let tok = codec.vocab_size();
    let emb = config.vocab_size;
    anyhow::ensure!(
        tok <= emb,
        "`{}`: the tokenizer has {tok} tokens but the model's embedding only {emb} rows",
        path.display()
    );
    Ok(())
}
