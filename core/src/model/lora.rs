//! LoRA adapters on the decoder's linear layers (Hu et al. 2021, as PEFT implements them).
//!
//! An adapted linear computes `y = x·Wᵀ + scale · (x·Aᵀ)·Bᵀ` with the frozen base weight
//! `W: [out, in]`, `A: [r, in]`, `B: [out, r]` and `scale = alpha / r` (PEFT's default
//! scaling; rsLoRA's `alpha / √r` is not supported). Only `A` and `B` are trained; the base
//! may be stored in any format a backend keeps (see `backend::weight`).
//!
//! Forward and backward are written out in `lora_linear.rs` and used by the model's forward
//! and backward passes next to the base linear: with `u = x·Aᵀ` kept from the forward pass,
//!
//! ```text
//! dB += scale · dyᵀ·u      [out, r]
//! du  = scale · dy·B       [N, r]
//! dA += duᵀ·x              [r, in]
//! dx += du·A               [N, in]    (on top of the base's dy·W)
//! ```
//!
//! Parameter names are PEFT's saved keys
//! (`base_model.model.model.layers.{l}.self_attn.q_proj.lora_A.weight`), so an adapter file
//! maps one to one onto [`LoraWeights::named`].

use super::config::ModelConfig;
use super::params::Params;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// A linear layer of a decoder layer that can carry an adapter (PEFT's `target_modules`
/// names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LoraTarget {
    /// `self_attn.q_proj`.
    QProj,
    /// `self_attn.k_proj`.
    KProj,
    /// `self_attn.v_proj`.
    VProj,
    /// `self_attn.o_proj`.
    OProj,
    /// `mlp.gate_proj`.
    GateProj,
    /// `mlp.up_proj`.
    UpProj,
    /// `mlp.down_proj`.
    DownProj,
}

impl LoraTarget {
    /// Every target, in the order adapters are stored.
    pub const ALL: [LoraTarget; 7] = [
        LoraTarget::QProj,
        LoraTarget::KProj,
        LoraTarget::VProj,
        LoraTarget::OProj,
        LoraTarget::GateProj,
        LoraTarget::UpProj,
        LoraTarget::DownProj,
    ];

    /// PEFT's module name (`q_proj`, ...).
    pub fn name(self) -> &'static str {
        match self {
            LoraTarget::QProj => "q_proj",
            LoraTarget::KProj => "k_proj",
            LoraTarget::VProj => "v_proj",
            LoraTarget::OProj => "o_proj",
            LoraTarget::GateProj => "gate_proj",
            LoraTarget::UpProj => "up_proj",
            LoraTarget::DownProj => "down_proj",
        }
    }

    /// The module's path inside a decoder layer (`self_attn.q_proj`, `mlp.down_proj`).
    pub fn path(self) -> &'static str {
        match self {
            LoraTarget::QProj => "self_attn.q_proj",
            LoraTarget::KProj => "self_attn.k_proj",
            LoraTarget::VProj => "self_attn.v_proj",
            LoraTarget::OProj => "self_attn.o_proj",
            LoraTarget::GateProj => "mlp.gate_proj",
            LoraTarget::UpProj => "mlp.up_proj",
            LoraTarget::DownProj => "mlp.down_proj",
        }
    }

    /// The target with PEFT's module name `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Position in [`LoraTarget::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// `(d_in, d_out)` of this linear in a model of `cfg`.
    pub fn dims(self, cfg: &ModelConfig) -> (usize, usize) {
        let (d, f) = (cfg.hidden_size, cfg.intermediate_size);
        match self {
            LoraTarget::QProj => (d, cfg.q_dim()),
            LoraTarget::KProj | LoraTarget::VProj => (d, cfg.kv_dim()),
            LoraTarget::OProj => (cfg.q_dim(), d),
            LoraTarget::GateProj | LoraTarget::UpProj => (d, f),
            LoraTarget::DownProj => (f, d),
        }
    }

    /// The base weight this target adapts, in `params`' layer `l`.
    pub fn base<T>(self, layer: &super::LayerParams<T>) -> &T {
        match self {
            LoraTarget::QProj => &layer.q_proj,
            LoraTarget::KProj => &layer.k_proj,
            LoraTarget::VProj => &layer.v_proj,
            LoraTarget::OProj => &layer.o_proj,
            LoraTarget::GateProj => &layer.gate_proj,
            LoraTarget::UpProj => &layer.up_proj,
            LoraTarget::DownProj => &layer.down_proj,
        }
    }

    /// The base weight this target adapts, mutably.
    pub fn base_mut<T>(self, layer: &mut super::LayerParams<T>) -> &mut T {
        match self {
            LoraTarget::QProj => &mut layer.q_proj,
            LoraTarget::KProj => &mut layer.k_proj,
            LoraTarget::VProj => &mut layer.v_proj,
            LoraTarget::OProj => &mut layer.o_proj,
            LoraTarget::GateProj => &mut layer.gate_proj,
            LoraTarget::UpProj => &mut layer.up_proj,
            LoraTarget::DownProj => &mut layer.down_proj,
        }
    }
}

/// Rank, alpha and target modules of an adapter (PEFT's `r`, `lora_alpha`,
/// `target_modules`).
#[derive(Debug, Clone, PartialEq)]
pub struct LoraConfig {
    /// Rank `r` (≥ 1).
    pub rank: usize,
    /// `lora_alpha`; the update is scaled by `alpha / r`.
    pub alpha: f32,
    /// The adapted linears, sorted, without repeats.
    pub targets: Vec<LoraTarget>,
}

/// Why a [`LoraConfig`] is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoraConfigError {
    /// `r = 0`.
    #[error("LoRA rank must be at least 1 (got r = 0)")]
    ZeroRank,
    /// `r` larger than a targeted linear's smaller side (the adapter could not be low rank).
    #[error("LoRA rank {rank} is larger than {target}'s smaller side ({limit}); use r ≤ {limit}")]
    RankTooLarge {
        /// The rank asked for.
        rank: usize,
        /// The target whose side is exceeded.
        target: &'static str,
        /// min(d_in, d_out) of that target.
        limit: usize,
    },
    /// `lora_alpha` is not a finite positive number.
    #[error("lora_alpha must be a finite number > 0 (got {0})")]
    BadAlpha(f32),
    /// No target module.
    #[error("no LoRA target module: name at least one of q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj")]
    NoTargets,
}

impl LoraConfig {
    /// A config with `targets` sorted and deduplicated.
    pub fn new(rank: usize, alpha: f32, targets: &[LoraTarget]) -> Self {
        let mut targets = targets.to_vec();
        targets.sort();
        targets.dedup();
        Self {
            rank,
            alpha,
            targets,
        }
    }

    /// `alpha / r`.
    pub fn scale(&self) -> f32 {
        self.alpha / self.rank as f32
    }

    /// Whether `t` is adapted.
    pub fn targets(&self, t: LoraTarget) -> bool {
        self.targets.contains(&t)
    }

    /// Checks the config against a model.
    pub fn validate(&self, cfg: &ModelConfig) -> Result<(), LoraConfigError> {
        if self.rank == 0 {
            return Err(LoraConfigError::ZeroRank);
        }
        if !(self.alpha.is_finite() && self.alpha > 0.0) {
            return Err(LoraConfigError::BadAlpha(self.alpha));
        }
        if self.targets.is_empty() {
            return Err(LoraConfigError::NoTargets);
        }
        for &t in &self.targets {
            let (i, o) = t.dims(cfg);
            let limit = i.min(o);
            if self.rank > limit {
                return Err(LoraConfigError::RankTooLarge {
                    rank: self.rank,
                    target: t.name(),
                    limit,
                });
            }
        }
        Ok(())
    }
}

/// One adapter: `A: [r, in]` and `B: [out, r]`.
#[derive(Debug, Clone, PartialEq)]
pub struct LoraPair<T> {
    /// `lora_A.weight`, `[r, in]`.
    pub a: T,
    /// `lora_B.weight`, `[out, r]`.
    pub b: T,
}

/// The adapters of one decoder layer, indexed by [`LoraTarget::index`].
#[derive(Debug, Clone, PartialEq)]
pub struct LoraLayer<T> {
    /// `Some` for each adapted target.
    pub adapters: [Option<LoraPair<T>>; 7],
}

impl<T> LoraLayer<T> {
    /// The adapter on `t`, if any.
    pub fn get(&self, t: LoraTarget) -> Option<&LoraPair<T>> {
        self.adapters[t.index()].as_ref()
    }

    /// The adapter on `t`, mutably.
    pub fn get_mut(&mut self, t: LoraTarget) -> Option<&mut LoraPair<T>> {
        self.adapters[t.index()].as_mut()
    }
}

/// All adapters of a model, with their config.
#[derive(Debug, Clone, PartialEq)]
pub struct LoraWeights<T> {
    /// Rank, alpha, targets.
    pub config: LoraConfig,
    /// One entry per decoder layer.
    pub layers: Vec<LoraLayer<T>>,
}

/// PEFT's saved key of an adapter tensor:
/// `base_model.model.model.layers.{layer}.{path}.lora_{A|B}.weight`.
pub fn peft_key(layer: usize, target: LoraTarget, b_side: bool) -> String {
    let side = if b_side { "B" } else { "A" };
    format!(
        "base_model.model.model.layers.{layer}.{}.lora_{side}.weight",
        target.path()
    )
}

/// Name and shape of every adapter tensor, in [`LoraWeights::tensors`] order.
pub fn lora_shapes(cfg: &ModelConfig, lora: &LoraConfig) -> Vec<(String, Vec<usize>)> {
    let mut out = Vec::new();
    for l in 0..cfg.num_hidden_layers {
        for &t in &lora.targets {
            let (i, o) = t.dims(cfg);
            out.push((peft_key(l, t, false), vec![lora.rank, i]));
            out.push((peft_key(l, t, true), vec![o, lora.rank]));
        }
    }
    out
}

impl<T> LoraWeights<T> {
    /// Builds adapters from a list in [`lora_shapes`] order; `None` if the list is short.
    pub fn from_ordered(cfg: &ModelConfig, config: LoraConfig, items: Vec<T>) -> Option<Self> {
        let mut it = items.into_iter();
        let mut layers = Vec::with_capacity(cfg.num_hidden_layers);
        for _ in 0..cfg.num_hidden_layers {
            let mut adapters: [Option<LoraPair<T>>; 7] = Default::default();
            for &t in &config.targets {
                let a = it.next()?;
                let b = it.next()?;
                adapters[t.index()] = Some(LoraPair { a, b });
            }
            layers.push(LoraLayer { adapters });
        }
        Some(Self { config, layers })
    }

    /// Every adapter tensor in [`lora_shapes`] order (per layer, per target: A then B).
    pub fn tensors(&self) -> Vec<&T> {
        let mut out = Vec::new();
        for l in &self.layers {
            for p in l.adapters.iter().flatten() {
                out.push(&p.a);
                out.push(&p.b);
            }
        }
        out
    }

    /// Every adapter tensor, mutably, in [`lora_shapes`] order.
    pub fn tensors_mut(&mut self) -> Vec<&mut T> {
        let mut out = Vec::new();
        for l in &mut self.layers {
            for p in l.adapters.iter_mut().flatten() {
                out.push(&mut p.a);
                out.push(&mut p.b);
            }
        }
        out
    }

    /// Every adapter tensor with its PEFT key, in [`lora_shapes`] order.
    pub fn named(&self) -> Vec<(String, &T)> {
        let mut out = Vec::new();
        for (li, l) in self.layers.iter().enumerate() {
            for t in LoraTarget::ALL {
                if let Some(p) = l.get(t) {
                    out.push((peft_key(li, t, false), &p.a));
                    out.push((peft_key(li, t, true), &p.b));
                }
            }
        }
        out
    }

    /// Applies `f` to every tensor, keeping the layout.
    pub fn try_map<U, E>(
        &self,
        mut f: impl FnMut(&T) -> Result<U, E>,
    ) -> Result<LoraWeights<U>, E> {
        let mut layers = Vec::with_capacity(self.layers.len());
        for l in &self.layers {
            let mut adapters: [Option<LoraPair<U>>; 7] = Default::default();
            for (slot, p) in adapters.iter_mut().zip(&l.adapters) {
                if let Some(p) = p {
                    *slot = Some(LoraPair {
                        a: f(&p.a)?,
                        b: f(&p.b)?,
                    });
                }
            }
            layers.push(LoraLayer { adapters });
        }
        Ok(LoraWeights {
            config: self.config.clone(),
            layers,
        })
    }

    /// Applies an infallible `f` to every tensor, keeping the layout.
    pub fn map<U>(&self, mut f: impl FnMut(&T) -> U) -> LoraWeights<U> {
        match self.try_map(|t| Ok::<U, core::convert::Infallible>(f(t))) {
            Ok(p) => p,
            Err(never) => match never {},
        }
    }
}

impl LoraWeights<Vec<f32>> {
    /// Fresh adapters as PEFT initialises them: `A` Kaiming-uniform with `a = √5`
    /// (uniform in `±1/√in`), `B` zero, so the adapted model starts equal to the base.
    pub fn init(cfg: &ModelConfig, config: LoraConfig, seed: u64) -> Self {
        let mut rng = crate::rng::Rng::new(seed);
        let mut items = Vec::new();
        for (name, shape) in lora_shapes(cfg, &config) {
            let n: usize = shape.iter().product();
            if name.ends_with("lora_A.weight") {
                let bound = 1.0 / libm::sqrtf(shape[1] as f32);
                items.push(
                    (0..n)
                        .map(|_| (rng.next_f32() * 2.0 - 1.0) * bound)
                        .collect(),
                );
            } else {
                items.push(vec![0.0; n]);
            }
        }
        Self::from_ordered(cfg, config, items).expect("lora_shapes and from_ordered agree")
    }

    /// Checks every tensor's size against `cfg` and the adapter's config; the error names
    /// the first tensor that does not fit.
    pub fn check_sizes(&self, cfg: &ModelConfig) -> Result<(), super::ModelError> {
        if self.layers.len() != cfg.num_hidden_layers {
            return Err(super::ModelError::Input(format!(
                "the adapter has {} layers; the model has {}",
                self.layers.len(),
                cfg.num_hidden_layers
            )));
        }
        let shapes = lora_shapes(cfg, &self.config);
        let tensors = self.tensors();
        if shapes.len() != tensors.len() {
            return Err(super::ModelError::Input(format!(
                "the adapter has {} tensors; r = {} on {:?} over {} layers needs {}",
                tensors.len(),
                self.config.rank,
                self.config
                    .targets
                    .iter()
                    .map(|t| t.name())
                    .collect::<Vec<_>>(),
                cfg.num_hidden_layers,
                shapes.len()
            )));
        }
        for ((name, shape), t) in shapes.into_iter().zip(tensors) {
            let expected: usize = shape.iter().product();
            if t.len() != expected {
                return Err(super::ModelError::ParamSize {
                    name,
                    expected,
                    found: t.len(),
                    shape,
                });
            }
        }
        Ok(())
    }

    /// Total number of scalars.
    pub fn count(&self) -> usize {
        self.tensors().iter().map(|t| t.len()).sum()
    }
}

/// Merges adapters into f32 base weights: `W += scale · B·A` for every adapted linear (what
/// PEFT's `merge_and_unload` computes).
pub fn merge_into(
    cfg: &ModelConfig,
    params: &mut Params<Vec<f32>>,
    lora: &LoraWeights<Vec<f32>>,
) -> Result<(), super::ModelError> {
    lora.check_sizes(cfg)?;
    let r = lora.config.rank;
    let scale = lora.config.scale();
    for (lp, ll) in params.layers.iter_mut().zip(&lora.layers) {
        for t in LoraTarget::ALL {
            let Some(pair) = ll.get(t) else { continue };
            let (d_in, d_out) = t.dims(cfg);
            let w = t.base_mut(lp);
            if w.len() != d_in * d_out {
                return Err(super::ModelError::Input(format!(
                    "base weight {} has {} values, expected {}",
                    t.path(),
                    w.len(),
                    d_in * d_out
                )));
            }
            // Each entry sums in f32, in PyTorch's order (B·A first, then scaled and added).
            let mut delta = vec![0f32; d_in];
            for o in 0..d_out {
                delta.iter_mut().for_each(|x| *x = 0.0);
                for k in 0..r {
                    let bk = pair.b[o * r + k];
                    let arow = &pair.a[k * d_in..(k + 1) * d_in];
                    for (dv, &av) in delta.iter_mut().zip(arow) {
                        *dv += bk * av;
                    }
                }
                let wrow = &mut w[o * d_in..(o + 1) * d_in];
                for (wv, dv) in wrow.iter_mut().zip(&delta) {
                    *wv += dv * scale;
                }
            }
        }
    }
    Ok(())
}
