//! The Llama-family decoder: config, parameters, forward, backward, KV-cache inference.
//!
//! The model is written out layer by layer, as in llm.c: [`forward`] keeps exactly the
//! activations [`backward`] needs, and [`backward`] walks the layers in reverse calling each
//! op's backward. There is no general autograd. Every tensor op goes through a
//! [`Backend`], so the same code runs on the CPU reference and on GPUs.
//!
//! One layer (RMSNorm → q/k/v (+bias) → RoPE → causal GQA → o_proj → residual → RMSNorm →
//! SwiGLU MLP → residual) is the same computation as Hugging Face `LlamaDecoderLayer` /
//! `Qwen2DecoderLayer`; the golden tests check logits and every gradient against PyTorch.

use crate::backend::{Backend, BackendError};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

pub mod backward;
pub mod batch;
pub mod config;
pub mod config_limits;
pub mod forward;
pub mod generate;
pub mod kv_cache;
pub mod linear;
pub mod lora;
pub mod lora_linear;
pub mod params;
pub mod trainable;
pub mod weights_check;

pub use batch::{PackedBatch, IGNORE};
pub use config::{ConfigError, ModelConfig};
pub use config_limits::{MAX_DIM, MAX_LAYERS, MAX_PARAMS, MAX_POSITIONS};
pub use forward::Activations;
pub use generate::{GenerateConfig, Generation};
pub use kv_cache::KvCache;
pub use lora::{LoraConfig, LoraConfigError, LoraLayer, LoraPair, LoraTarget, LoraWeights};
pub use params::{param_count, param_shapes, zeros_like, LayerParams, Params};
pub use trainable::{TensorList, Trainable};
pub use weights_check::{layer_index, WeightsSummary};

/// Errors of model-level operations.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// A backend op failed.
    #[error(transparent)]
    Backend(#[from] BackendError),
    /// The input does not fit the model (token id out of range, empty batch, too long).
    #[error("invalid model input: {0}")]
    Input(String),
    /// A parameter tensor has the wrong number of elements.
    #[error("parameter `{name}` has {found} elements, expected {expected} (shape {shape:?})")]
    ParamSize {
        /// Hugging Face name of the parameter.
        name: String,
        /// Elements expected from the config.
        expected: usize,
        /// Elements found.
        found: usize,
        /// Expected shape.
        shape: Vec<usize>,
    },
}

/// Shorthand for model results.
pub type Result<T> = core::result::Result<T, ModelError>;

/// A decoder whose weights live on backend `B`.
pub struct Model<B: Backend> {
    /// The architecture.
    pub config: ModelConfig,
    /// The weights, on the device (the frozen base when adapters are attached).
    pub params: Params<B::Tensor>,
    /// LoRA adapters, applied by every forward pass except [`Model::forward_base`].
    pub lora: Option<LoraWeights<B::Tensor>>,
}

impl<B: Backend> Model<B> {
    /// Uploads host parameters (checked against `config`) to `backend`.
    pub fn from_host(backend: &B, config: ModelConfig, host: &Params<Vec<f32>>) -> Result<Self> {
        for ((name, shape), t) in param_shapes(&config).iter().zip(host.tensors()) {
            let expected: usize = shape.iter().product();
            if t.len() != expected {
                return Err(ModelError::ParamSize {
                    name: name.clone(),
                    expected,
                    found: t.len(),
                    shape: shape.clone(),
                });
            }
        }
        if host.layers.len() != config.num_hidden_layers
            || host.lm_head.is_some() == config.tie_word_embeddings
        {
            return Err(ModelError::Input(format!(
                "parameters have {} layers and {} lm_head; config wants {} layers, tied = {}",
                host.layers.len(),
                if host.lm_head.is_some() { "an" } else { "no" },
                config.num_hidden_layers,
                config.tie_word_embeddings
            )));
        }
        let params = host.try_map(|t| backend.upload(t))?;
        Ok(Self {
            config,
            params,
            lora: None,
        })
    }

    /// Uploads adapters (checked against the config) and attaches them, replacing any.
    pub fn attach_lora(&mut self, backend: &B, host: &LoraWeights<Vec<f32>>) -> Result<()> {
        host.config
            .validate(&self.config)
            .map_err(|e| ModelError::Input(format!("{e}")))?;
        host.check_sizes(&self.config)?;
        self.lora = Some(host.try_map(|t| backend.upload(t))?);
        Ok(())
    }

    /// Copies the adapters back to the host, if any.
    pub fn lora_to_host(&self, backend: &B) -> Result<Option<LoraWeights<Vec<f32>>>> {
        match &self.lora {
            Some(l) => Ok(Some(l.try_map(|t| backend.download(t))?)),
            None => Ok(None),
        }
    }

    /// The tensors a training run updates: the adapters when attached, else every
    /// parameter (in the order of [`Trainable`]'s gradients).
    pub fn trainable_mut(&mut self) -> Vec<&mut B::Tensor> {
        match &mut self.lora {
            Some(l) => l.tensors_mut(),
            None => self.params.tensors_mut(),
        }
    }

    /// The trained tensors with their names (see [`Model::trainable_mut`]).
    pub fn trainable_named(&self) -> Vec<(String, &B::Tensor)> {
        match &self.lora {
            Some(l) => l.named(),
            None => self.params.named(&self.config),
        }
    }

    /// Zero-filled gradients (or moments) for what a training run updates.
    pub fn zeros_like_trainable(&self, backend: &B) -> Result<Trainable<B::Tensor>> {
        Ok(match &self.lora {
            Some(l) => Trainable::Lora(l.try_map(|t| backend.zeros(backend.len(t)))?),
            None => Trainable::Full(self.zeros_like_params(backend)?),
        })
    }

    /// Adds the gradients of what a training run updates (see [`Trainable`]) into `grads`.
    pub fn backward_trainable(
        &self,
        b: &B,
        acts: &Activations<B>,
        dlogits: &B::Tensor,
        grads: &mut Trainable<B::Tensor>,
    ) -> Result<()> {
        match grads {
            Trainable::Full(g) => self.backward(b, acts, dlogits, g),
            Trainable::Lora(g) => self.backward_lora(b, acts, dlogits, g),
        }
    }

    /// Layer `l`'s weights for a pass, with its adapters when the model has them and
    /// `adapters` is set.
    ///
    /// # Panics
    /// If `l` is not a layer index (callers iterate over the model's own layers).
    pub(crate) fn layer_weights(
        &self,
        l: usize,
        adapters: bool,
    ) -> forward::LayerWeights<'_, B::Tensor> {
        forward::LayerWeights {
            params: &self.params.layers[l],
            lora: self
                .lora
                .as_ref()
                .filter(|_| adapters)
                .and_then(|lw| lw.layers.get(l).map(|ll| (ll, &lw.config))),
            next_norm: self.norm_after(l),
        }
    }

    /// Copies the weights back to the host.
    pub fn to_host(&self, backend: &B) -> Result<Params<Vec<f32>>> {
        Ok(self.params.try_map(|t| backend.download(t))?)
    }

    /// Zero-filled tensors with the parameters' layout (gradients, optimizer moments).
    pub fn zeros_like_params(&self, backend: &B) -> Result<Params<B::Tensor>> {
        Ok(params::zeros_like(backend, &self.params)?)
    }

    /// Checks that every id is inside the vocabulary.
    pub fn check_ids(&self, ids: &[u32]) -> Result<()> {
        if let Some((i, &id)) = ids
            .iter()
            .enumerate()
            .find(|(_, &id)| id as usize >= self.config.vocab_size)
        {
            return Err(ModelError::Input(format!(
                "token id {id} at index {i} is outside the vocabulary (vocab_size = {})",
                self.config.vocab_size
            )));
        }
        Ok(())
    }

    /// The output projection: `lm_head` or, when tied, the embedding matrix.
    pub fn head(&self) -> &B::Tensor {
        self.params.lm_head.as_ref().unwrap_or(&self.params.embed)
    }
}
