//! The HiR trainer: one [`Trainer::step`] is spec §2 end to end.
//!
//! ```text
//! prompts ─▶ batched rollout (KV cache) ─▶ decode ─▶ verify (sparse/dense/judge)
//!         ─▶ old log-probs + entropy ─▶ [resample short groups / released: r more for every
//!            prompt] ─▶ select + rewrite + re-verify
//!         ─▶ replay rows next to their sources (old/ref log-probs copied or recomputed)
//!         ─▶ reference log-probs ─▶ advantages ─▶ mini-batches: policy objective fwd/bwd ─▶ AdamW
//! ```
//!
//! Everything random is a pure function of `(config.seed, step, prompt slot, sample index)`,
//! so a run restored from a [`TrainerState`] continues bit for bit on the CPU backend.
//! The trainer is generic over the [`Backend`]; the tokenizer is a [`ChatCodec`] and the
//! objective a [`PolicyObjective`], both replaceable by a user.

use alloc::boxed::Box;
use alloc::format;
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::backend::Backend;
use crate::instruct::{prompt_char_bound, ChatCodec, Instruction};
use crate::model::{LoraWeights, Model, ModelConfig, Params, Trainable};
use crate::objective::{PairwiseObjective, PolicyObjective, PpoObjective};
use crate::optim::{AdamW, AdamWConfig};
use crate::rl::PpoClip;

pub mod config;
pub mod error;
pub mod eval;
mod learn;
pub mod logprob;
pub mod metrics;
pub mod nonfinite;
mod ref_logprobs;
mod replay;
mod rollout;
pub mod rows;
pub mod schedule;
pub mod shortage;
pub mod step;
mod update;

pub use config::{
    ConfigError, ObjectiveKind, ReplayLogprobs, ReplayShortage, RewardKind, TrainerConfig,
};
pub use error::TrainError;
pub use eval::{evaluate, EvalResult};
pub use metrics::StepMetrics;
pub use rows::Row;
pub use step::StepBatch;

/// Most packed tokens per forward pass (bounds the memory of logits and activations).
pub const DEFAULT_TOKEN_BUDGET: usize = 16_384;

/// What a checkpoint must hold to continue a run bit for bit.
#[derive(Debug, Clone)]
pub struct TrainerState {
    /// Steps completed.
    pub step: u64,
    /// Responses generated so far (rollouts plus resamples).
    pub generated_rollouts: u64,
    /// Policy weights (the frozen base of a LoRA run).
    pub policy: Params<Vec<f32>>,
    /// The LoRA adapters of a LoRA run (`None`: full fine-tune).
    pub adapter: Option<LoraWeights<Vec<f32>>>,
    /// Reference weights (when a full fine-tune uses a reference policy; a LoRA run's
    /// reference is its base, with the adapters off).
    pub reference: Option<Params<Vec<f32>>>,
    /// AdamW first moments (the layout of what is trained).
    pub adam_m: Trainable<Vec<f32>>,
    /// AdamW second moments.
    pub adam_v: Trainable<Vec<f32>>,
    /// AdamW step counter.
    pub adam_step: u32,
}

/// What a LoRA run's checkpoint holds: everything in [`TrainerState`] except the frozen base
/// weights, which come from the model file again ([`AdapterState::into_state`]).
#[derive(Debug, Clone, PartialEq)]
pub struct AdapterState {
    /// Steps completed.
    pub step: u64,
    /// Responses generated so far (rollouts plus resamples).
    pub generated_rollouts: u64,
    /// The adapters.
    pub adapter: LoraWeights<Vec<f32>>,
    /// AdamW first moments of the adapters.
    pub adam_m: LoraWeights<Vec<f32>>,
    /// AdamW second moments of the adapters.
    pub adam_v: LoraWeights<Vec<f32>>,
    /// AdamW step counter.
    pub adam_step: u32,
}

impl AdapterState {
    /// The full state of the run, with `base` as its frozen weights.
    pub fn into_state(self, base: Params<Vec<f32>>) -> TrainerState {
        TrainerState {
            step: self.step,
            generated_rollouts: self.generated_rollouts,
            policy: base,
            adapter: Some(self.adapter),
            reference: None,
            adam_m: Trainable::Lora(self.adam_m),
            adam_v: Trainable::Lora(self.adam_v),
            adam_step: self.adam_step,
        }
    }
}

/// The checked parts a [`Trainer`] is assembled from.
struct Parts<B: Backend> {
    backend: B,
    config: TrainerConfig,
    policy: Model<B>,
    reference: Option<Model<B>>,
    /// AdamW moments and step counter.
    moments: (Trainable<Vec<f32>>, Trainable<Vec<f32>>, u32),
    /// Steps done and responses generated.
    counters: (u64, u64),
    codec: Box<dyn ChatCodec>,
    data: Vec<Instruction>,
    prompt_ids: Vec<Arc<Vec<u32>>>,
}

/// A HiR training run on backend `B`.
pub struct Trainer<B: Backend> {
    /// The configuration (validated).
    pub config: TrainerConfig,
    /// The compute backend.
    pub backend: B,
    /// The policy being trained.
    pub policy: Model<B>,
    /// The frozen reference policy (the initial weights), when KL or the pairwise objective
    /// needs it in a full fine-tune. A LoRA run has none: its reference is the policy with
    /// the adapters off ([`Model::forward_base`]).
    pub reference: Option<Model<B>>,
    optimizer: AdamW<B, Trainable<B::Tensor>>,
    grads: Trainable<B::Tensor>,
    codec: Box<dyn ChatCodec>,
    data: Vec<Instruction>,
    prompt_ids: Vec<Arc<Vec<u32>>>,
    objective: Box<dyn PolicyObjective<B>>,
    /// Steps completed.
    pub step: u64,
    /// Responses generated so far.
    pub generated_rollouts: u64,
    /// Most packed tokens per forward pass.
    pub token_budget: usize,
    /// Seconds since some fixed origin (for the timing metrics); `None` reports 0.
    pub clock: Option<fn() -> f64>,
}

impl<B: Backend> Trainer<B> {
    /// A fresh run from initial weights `init` (which also become the reference policy).
    pub fn new(
        backend: B,
        config: TrainerConfig,
        model_config: ModelConfig,
        init: &Params<Vec<f32>>,
        codec: Box<dyn ChatCodec>,
        data: Vec<Instruction>,
    ) -> Result<Self, TrainError> {
        let needs_ref = config.needs_reference();
        let state = TrainerState {
            step: 0,
            generated_rollouts: 0,
            policy: init.clone(),
            adapter: None,
            reference: needs_ref.then(|| init.clone()),
            adam_m: Trainable::Full(init.map(|t| alloc::vec![0.0; t.len()])),
            adam_v: Trainable::Full(init.map(|t| alloc::vec![0.0; t.len()])),
            adam_step: 0,
        };
        Self::restore(backend, config, model_config, state, codec, data)
    }

    /// A fresh LoRA run: `base` is frozen, `adapter` (e.g. [`LoraWeights::init`]) is trained,
    /// and the KL reference is the base (the policy with its adapters off).
    pub fn new_lora(
        backend: B,
        config: TrainerConfig,
        model_config: ModelConfig,
        base: &Params<Vec<f32>>,
        adapter: LoraWeights<Vec<f32>>,
        codec: Box<dyn ChatCodec>,
        data: Vec<Instruction>,
    ) -> Result<Self, TrainError> {
        let zeros = adapter.map(|t| alloc::vec![0.0; t.len()]);
        let state = AdapterState {
            step: 0,
            generated_rollouts: 0,
            adapter,
            adam_m: zeros.clone(),
            adam_v: zeros,
            adam_step: 0,
        };
        let base = Model::from_host(&backend, model_config, base)?;
        Self::restore_lora(backend, config, base, state, codec, data)
    }

    /// Continues a run from `state` (see [`Trainer::state`]).
    pub fn restore(
        backend: B,
        config: TrainerConfig,
        model_config: ModelConfig,
        state: TrainerState,
        codec: Box<dyn ChatCodec>,
        data: Vec<Instruction>,
    ) -> Result<Self, TrainError> {
        if let Some(adapter) = state.adapter {
            // A LoRA run: its base, then the adapter state.
            let (Trainable::Lora(adam_m), Trainable::Lora(adam_v)) = (state.adam_m, state.adam_v)
            else {
                return Err(TrainError::Data(
                    "the state has LoRA adapters but AdamW moments of every weight".into(),
                ));
            };
            if let Some(found) = nonfinite::first_non_finite_host(state.policy.named(&model_config))
            {
                let what = "policy weights";
                return Err(TrainError::NonFiniteInput { what, found });
            }
            let base = Model::from_host(&backend, model_config, &state.policy)?;
            let ad = AdapterState {
                step: state.step,
                generated_rollouts: state.generated_rollouts,
                adapter,
                adam_m,
                adam_v,
                adam_step: state.adam_step,
            };
            return Self::restore_lora(backend, config, base, ad, codec, data);
        }
        config.validate()?;
        if data.is_empty() {
            return Err(TrainError::Data("the dataset has no instructions".into()));
        }
        if config.needs_reference() && state.reference.is_none() {
            return Err(TrainError::Data(
                "this configuration needs reference weights (KL or pairwise objective) but the \
                 state has none"
                    .into(),
            ));
        }
        for (what, named) in [
            ("policy weights", Some(state.policy.named(&model_config))),
            (
                "reference weights",
                state.reference.as_ref().map(|r| r.named(&model_config)),
            ),
            (
                "AdamW first moments",
                Some(state.adam_m.named(&model_config)),
            ),
            (
                "AdamW second moments",
                Some(state.adam_v.named(&model_config)),
            ),
        ] {
            if let Some(found) = named.and_then(nonfinite::first_non_finite_host) {
                return Err(TrainError::NonFiniteInput { what, found });
            }
        }
        if !matches!(
            (&state.adam_m, &state.adam_v),
            (Trainable::Full(_), Trainable::Full(_))
        ) {
            return Err(TrainError::Data(
                "the state has AdamW moments of LoRA adapters but no adapters".into(),
            ));
        }
        let prompt_ids = prompt_ids(&config, codec.as_ref(), &data)?;
        let policy = Model::from_host(&backend, model_config.clone(), &state.policy)?;
        let reference = match (&state.reference, config.needs_reference()) {
            (Some(r), true) => Some(Model::from_host(&backend, model_config, r)?),
            _ => None,
        };
        Self::assemble(Parts {
            backend,
            config,
            policy,
            reference,
            moments: (state.adam_m, state.adam_v, state.adam_step),
            counters: (state.step, state.generated_rollouts),
            codec,
            data,
            prompt_ids,
        })
    }

    /// Continues a LoRA run from its adapter state on `base`, a model without adapters whose
    /// weights may be held in any storage format (`Backend::upload_weight`: quantized or half
    /// weights stay so; the base is frozen). A fresh run passes adapters from
    /// [`LoraWeights::init`] with zero moments, step 0.
    pub fn restore_lora(
        backend: B,
        config: TrainerConfig,
        mut base: Model<B>,
        state: AdapterState,
        codec: Box<dyn ChatCodec>,
        data: Vec<Instruction>,
    ) -> Result<Self, TrainError> {
        config.validate()?;
        if data.is_empty() {
            return Err(TrainError::Data("the dataset has no instructions".into()));
        }
        if base.lora.is_some() {
            return Err(TrainError::Data(
                "restore_lora takes the base model without adapters".into(),
            ));
        }
        for (what, named) in [
            ("LoRA adapters", state.adapter.named()),
            ("AdamW first moments", state.adam_m.named()),
            ("AdamW second moments", state.adam_v.named()),
        ] {
            if let Some(found) = nonfinite::first_non_finite_host(named) {
                return Err(TrainError::NonFiniteInput { what, found });
            }
        }
        for (what, m) in [("first", &state.adam_m), ("second", &state.adam_v)] {
            let fits = m.config == state.adapter.config
                && m.tensors().iter().map(|t| t.len()).eq(state
                    .adapter
                    .tensors()
                    .iter()
                    .map(|t| t.len()));
            if !fits {
                return Err(TrainError::Data(format!(
                    "the AdamW {what} moments do not have the adapters' layout and sizes"
                )));
            }
        }
        let prompt_ids = prompt_ids(&config, codec.as_ref(), &data)?;
        base.attach_lora(&backend, &state.adapter)?;
        Self::assemble(Parts {
            backend,
            config,
            policy: base,
            reference: None,
            moments: (
                Trainable::Lora(state.adam_m),
                Trainable::Lora(state.adam_v),
                state.adam_step,
            ),
            counters: (state.step, state.generated_rollouts),
            codec,
            data,
            prompt_ids,
        })
    }

    /// The trainer from its checked parts.
    fn assemble(parts: Parts<B>) -> Result<Self, TrainError> {
        let Parts {
            backend,
            config,
            policy,
            reference,
            moments: (adam_m, adam_v, adam_step),
            counters: (step, generated_rollouts),
            codec,
            data,
            prompt_ids,
        } = parts;
        let optimizer = AdamW::with_moments(
            adam_config(&config),
            adam_m.try_map(|t| backend.upload(t))?,
            adam_v.try_map(|t| backend.upload(t))?,
            adam_step,
        );
        let grads = policy.zeros_like_trainable(&backend)?;
        let objective = default_objective::<B>(&config);
        Ok(Self {
            config,
            backend,
            policy,
            reference,
            optimizer,
            grads,
            codec,
            data,
            prompt_ids,
            objective,
            step,
            generated_rollouts,
            token_budget: DEFAULT_TOKEN_BUDGET,
            clock: default_clock(),
        })
    }

    /// A host copy of everything needed to continue the run.
    pub fn state(&self) -> Result<TrainerState, TrainError> {
        let b = &self.backend;
        Ok(TrainerState {
            step: self.step,
            generated_rollouts: self.generated_rollouts,
            policy: self.policy.to_host(b)?,
            adapter: self.policy.lora_to_host(b)?,
            reference: match &self.reference {
                Some(r) => Some(r.to_host(b)?),
                None => None,
            },
            adam_m: self.optimizer.m.try_map(|t| b.download(t))?,
            adam_v: self.optimizer.v.try_map(|t| b.download(t))?,
            adam_step: self.optimizer.step,
        })
    }

    /// The state of a LoRA run without its frozen base (what its checkpoint holds); `None`
    /// for a full fine-tune. Cheaper than [`Trainer::state`]: only the adapters and their
    /// moments are copied back.
    pub fn adapter_state(&self) -> Result<Option<AdapterState>, TrainError> {
        let b = &self.backend;
        let (Some(adapter), Trainable::Lora(m), Trainable::Lora(v)) =
            (&self.policy.lora, &self.optimizer.m, &self.optimizer.v)
        else {
            return Ok(None);
        };
        Ok(Some(AdapterState {
            step: self.step,
            generated_rollouts: self.generated_rollouts,
            adapter: adapter.try_map(|t| b.download(t))?,
            adam_m: m.try_map(|t| b.download(t))?,
            adam_v: v.try_map(|t| b.download(t))?,
            adam_step: self.optimizer.step,
        }))
    }

    /// Whether the run has a KL reference: a reference model (full fine-tune), or the base
    /// of a LoRA run when the configuration needs one.
    pub fn has_reference(&self) -> bool {
        self.reference.is_some() || (self.policy.lora.is_some() && self.config.needs_reference())
    }

    /// Replaces the policy objective (the default follows `config.objective`).
    pub fn set_objective(&mut self, objective: Box<dyn PolicyObjective<B>>) {
        self.objective = objective;
    }

    /// The training instructions.
    pub fn data(&self) -> &[Instruction] {
        &self.data
    }

    /// The tokenizer.
    pub fn codec(&self) -> &dyn ChatCodec {
        self.codec.as_ref()
    }

    fn now(&self) -> f64 {
        self.clock.map_or(0.0, |c| c())
    }
}

/// The token ids of every training prompt, checked against `max_prompt_length`, and the
/// tokenizer's stop tokens checked to exist.
fn prompt_ids(
    config: &TrainerConfig,
    codec: &dyn ChatCodec,
    data: &[Instruction],
) -> Result<Vec<Arc<Vec<u32>>>, TrainError> {
    let char_bound = prompt_char_bound(codec, config.max_prompt_length);
    let mut prompt_ids = Vec::with_capacity(data.len());
    for (i, instr) in data.iter().enumerate() {
        let text = instr.render();
        // Tokenizing costs far more memory than the text: a text that cannot fit is
        // refused from its length alone.
        if let Some(bound) = char_bound {
            let chars = text.chars().count();
            if chars > bound {
                return Err(TrainError::Data(format!(
                    "instruction {i} has {chars} characters, more than the {bound} that can \
                     fit in max_prompt_length = {} tokens ({} characters per token at most \
                     with this tokenizer); shorten it or raise max_prompt_length",
                    config.max_prompt_length,
                    bound / config.max_prompt_length.max(1)
                )));
            }
        }
        let ids = codec.encode_prompt(&text)?;
        if ids.is_empty() || ids.len() > config.max_prompt_length {
            return Err(TrainError::Data(format!(
                "instruction {i} has {} prompt tokens; max_prompt_length is {} (and a prompt \
                 must not be empty)",
                ids.len(),
                config.max_prompt_length
            )));
        }
        prompt_ids.push(Arc::new(ids));
    }
    if codec.stop_ids().is_empty() {
        return Err(TrainError::Data("the tokenizer has no stop token".into()));
    }
    Ok(prompt_ids)
}

fn adam_config(c: &TrainerConfig) -> AdamWConfig {
    AdamWConfig {
        lr: c.lr,
        betas: (c.beta1, c.beta2),
        eps: c.eps,
        weight_decay: c.weight_decay,
        max_grad_norm: (c.grad_clip > 0.0).then_some(c.grad_clip),
    }
}

fn default_objective<B: Backend>(c: &TrainerConfig) -> Box<dyn PolicyObjective<B>> {
    match c.objective {
        ObjectiveKind::Pairwise => Box::new(PairwiseObjective {
            beta: c.pairwise_beta,
            response_pairs: true,
            instruction_pairs: true,
        }),
        ObjectiveKind::Ppo => Box::new(PpoObjective {
            clip: PpoClip {
                clip_ratio_low: c.clip_ratio_low,
                clip_ratio_high: c.clip_ratio_high,
                clip_ratio_c: c.clip_ratio_c,
            },
            kl_loss: c.use_kl_loss.then_some((c.kl_loss_type, c.kl_loss_coef)),
        }),
    }
}

#[cfg(feature = "std")]
fn default_clock() -> Option<fn() -> f64> {
    fn now() -> f64 {
        use std::sync::OnceLock;
        static ORIGIN: OnceLock<std::time::Instant> = OnceLock::new();
        ORIGIN
            .get_or_init(std::time::Instant::now)
            .elapsed()
            .as_secs_f64()
    }
    Some(now)
}

#[cfg(not(feature = "std"))]
fn default_clock() -> Option<fn() -> f64> {
    None
}
