//! The decoder's parameters, generic over where a tensor lives.
//!
//! `Params<T>` is used with `T = Vec<f32>` (host copies, for IO), `T = B::Tensor` (weights on
//! a device), and the same layout again for gradients and AdamW moments, so every parameter has
//! one name ([`Params::named`], the Hugging Face one) and one shape ([`param_shapes`]).

use super::config::ModelConfig;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The parameters of one decoder layer.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerParams<T> {
    /// `input_layernorm.weight`, `[D]`.
    pub input_norm: T,
    /// `self_attn.q_proj.weight`, `[H·E, D]`.
    pub q_proj: T,
    /// `self_attn.k_proj.weight`, `[Hkv·E, D]`.
    pub k_proj: T,
    /// `self_attn.v_proj.weight`, `[Hkv·E, D]`.
    pub v_proj: T,
    /// `self_attn.q_proj.bias`, `[H·E]` (Qwen2 only).
    pub q_bias: Option<T>,
    /// `self_attn.k_proj.bias`, `[Hkv·E]` (Qwen2 only).
    pub k_bias: Option<T>,
    /// `self_attn.v_proj.bias`, `[Hkv·E]` (Qwen2 only).
    pub v_bias: Option<T>,
    /// `self_attn.o_proj.weight`, `[D, H·E]`.
    pub o_proj: T,
    /// `self_attn.o_proj.bias`, `[D]` (Llama with `attention_bias`).
    pub o_bias: Option<T>,
    /// `post_attention_layernorm.weight`, `[D]`.
    pub post_norm: T,
    /// `mlp.gate_proj.weight`, `[F, D]`.
    pub gate_proj: T,
    /// `mlp.up_proj.weight`, `[F, D]`.
    pub up_proj: T,
    /// `mlp.down_proj.weight`, `[D, F]`.
    pub down_proj: T,
    /// `mlp.gate_proj.bias`, `[F]` (Llama with `mlp_bias`).
    pub gate_bias: Option<T>,
    /// `mlp.up_proj.bias`, `[F]` (Llama with `mlp_bias`).
    pub up_bias: Option<T>,
    /// `mlp.down_proj.bias`, `[D]` (Llama with `mlp_bias`).
    pub down_bias: Option<T>,
}

/// All parameters of the decoder.
#[derive(Debug, Clone, PartialEq)]
pub struct Params<T> {
    /// `model.embed_tokens.weight`, `[V, D]`.
    pub embed: T,
    /// The decoder layers.
    pub layers: Vec<LayerParams<T>>,
    /// `model.norm.weight`, `[D]`.
    pub final_norm: T,
    /// `lm_head.weight`, `[V, D]`; `None` when tied to `embed`.
    pub lm_head: Option<T>,
}

/// Name and shape of every parameter of `cfg`, in a fixed order (the order of
/// [`Params::named`]).
pub fn param_shapes(cfg: &ModelConfig) -> Vec<(String, Vec<usize>)> {
    let (d, f, v) = (cfg.hidden_size, cfg.intermediate_size, cfg.vocab_size);
    let (qd, kvd) = (cfg.q_dim(), cfg.kv_dim());
    let mut out = Vec::new();
    out.push((String::from("model.embed_tokens.weight"), alloc::vec![v, d]));
    for l in 0..cfg.num_hidden_layers {
        let p = |s: &str| format!("model.layers.{l}.{s}");
        out.push((p("input_layernorm.weight"), alloc::vec![d]));
        out.push((p("self_attn.q_proj.weight"), alloc::vec![qd, d]));
        out.push((p("self_attn.k_proj.weight"), alloc::vec![kvd, d]));
        out.push((p("self_attn.v_proj.weight"), alloc::vec![kvd, d]));
        if cfg.attention_bias {
            out.push((p("self_attn.q_proj.bias"), alloc::vec![qd]));
            out.push((p("self_attn.k_proj.bias"), alloc::vec![kvd]));
            out.push((p("self_attn.v_proj.bias"), alloc::vec![kvd]));
        }
        out.push((p("self_attn.o_proj.weight"), alloc::vec![d, qd]));
        if cfg.o_proj_bias {
            out.push((p("self_attn.o_proj.bias"), alloc::vec![d]));
        }
        out.push((p("post_attention_layernorm.weight"), alloc::vec![d]));
        out.push((p("mlp.gate_proj.weight"), alloc::vec![f, d]));
        out.push((p("mlp.up_proj.weight"), alloc::vec![f, d]));
        out.push((p("mlp.down_proj.weight"), alloc::vec![d, f]));
        if cfg.mlp_bias {
            out.push((p("mlp.gate_proj.bias"), alloc::vec![f]));
            out.push((p("mlp.up_proj.bias"), alloc::vec![f]));
            out.push((p("mlp.down_proj.bias"), alloc::vec![d]));
        }
    }
    out.push((String::from("model.norm.weight"), alloc::vec![d]));
    if !cfg.tie_word_embeddings {
        out.push((String::from("lm_head.weight"), alloc::vec![v, d]));
    }
    out
}

impl<T> Params<T> {
    /// Builds parameters from a list in [`param_shapes`] order (e.g. loaded tensors).
    ///
    /// Returns `None` if the list is shorter than the config needs.
    pub fn from_ordered(cfg: &ModelConfig, items: Vec<T>) -> Option<Self> {
        let mut it = items.into_iter();
        let embed = it.next()?;
        let mut layers = Vec::with_capacity(cfg.num_hidden_layers);
        for _ in 0..cfg.num_hidden_layers {
            let input_norm = it.next()?;
            let q_proj = it.next()?;
            let k_proj = it.next()?;
            let v_proj = it.next()?;
            let (q_bias, k_bias, v_bias) = if cfg.attention_bias {
                (Some(it.next()?), Some(it.next()?), Some(it.next()?))
            } else {
                (None, None, None)
            };
            let o_proj = it.next()?;
            let o_bias = if cfg.o_proj_bias {
                Some(it.next()?)
            } else {
                None
            };
            let post_norm = it.next()?;
            let gate_proj = it.next()?;
            let up_proj = it.next()?;
            let down_proj = it.next()?;
            let (gate_bias, up_bias, down_bias) = if cfg.mlp_bias {
                (Some(it.next()?), Some(it.next()?), Some(it.next()?))
            } else {
                (None, None, None)
            };
            layers.push(LayerParams {
                input_norm,
                q_proj,
                k_proj,
                v_proj,
                q_bias,
                k_bias,
                v_bias,
                o_proj,
                o_bias,
                post_norm,
                gate_proj,
                up_proj,
                down_proj,
                gate_bias,
                up_bias,
                down_bias,
            });
        }
        let final_norm = it.next()?;
        let lm_head = if cfg.tie_word_embeddings {
            None
        } else {
            Some(it.next()?)
        };
        Some(Params {
            embed,
            layers,
            final_norm,
            lm_head,
        })
    }

    /// Every parameter in [`param_shapes`] order.
    pub fn tensors(&self) -> Vec<&T> {
        let mut out = Vec::new();
        out.push(&self.embed);
        for l in &self.layers {
            out.extend([&l.input_norm, &l.q_proj, &l.k_proj, &l.v_proj]);
            out.extend(l.q_bias.iter().chain(&l.k_bias).chain(&l.v_bias));
            out.push(&l.o_proj);
            out.extend(l.o_bias.iter());
            out.extend([&l.post_norm, &l.gate_proj, &l.up_proj, &l.down_proj]);
            out.extend(l.gate_bias.iter().chain(&l.up_bias).chain(&l.down_bias));
        }
        out.push(&self.final_norm);
        out.extend(self.lm_head.iter());
        out
    }

    /// Every parameter in [`param_shapes`] order, mutably.
    pub fn tensors_mut(&mut self) -> Vec<&mut T> {
        let mut out = Vec::new();
        out.push(&mut self.embed);
        for l in &mut self.layers {
            out.push(&mut l.input_norm);
            out.push(&mut l.q_proj);
            out.push(&mut l.k_proj);
            out.push(&mut l.v_proj);
            out.extend(l.q_bias.iter_mut());
            out.extend(l.k_bias.iter_mut());
            out.extend(l.v_bias.iter_mut());
            out.push(&mut l.o_proj);
            out.extend(l.o_bias.iter_mut());
            out.push(&mut l.post_norm);
            out.push(&mut l.gate_proj);
            out.push(&mut l.up_proj);
            out.push(&mut l.down_proj);
            out.extend(l.gate_bias.iter_mut());
            out.extend(l.up_bias.iter_mut());
            out.extend(l.down_bias.iter_mut());
        }
        out.push(&mut self.final_norm);
        out.extend(self.lm_head.iter_mut());
        out
    }

    /// Every parameter with its Hugging Face name, in [`param_shapes`] order.
    pub fn named(&self, cfg: &ModelConfig) -> Vec<(String, &T)> {
        param_shapes(cfg)
            .into_iter()
            .map(|(n, _)| n)
            .zip(self.tensors())
            .collect()
    }

    /// Applies an infallible `f` to every parameter, keeping the layout.
    pub fn map<U>(&self, mut f: impl FnMut(&T) -> U) -> Params<U> {
        match self.try_map(|t| Ok::<U, core::convert::Infallible>(f(t))) {
            Ok(p) => p,
            Err(never) => match never {},
        }
    }

    /// Applies `f` to every parameter, keeping the layout (e.g. upload, zeros-like).
    pub fn try_map<U, E>(&self, mut f: impl FnMut(&T) -> Result<U, E>) -> Result<Params<U>, E> {
        let mut layers = Vec::with_capacity(self.layers.len());
        for l in &self.layers {
            layers.push(LayerParams {
                input_norm: f(&l.input_norm)?,
                q_proj: f(&l.q_proj)?,
                k_proj: f(&l.k_proj)?,
                v_proj: f(&l.v_proj)?,
                q_bias: l.q_bias.as_ref().map(&mut f).transpose()?,
                k_bias: l.k_bias.as_ref().map(&mut f).transpose()?,
                v_bias: l.v_bias.as_ref().map(&mut f).transpose()?,
                o_proj: f(&l.o_proj)?,
                o_bias: l.o_bias.as_ref().map(&mut f).transpose()?,
                post_norm: f(&l.post_norm)?,
                gate_proj: f(&l.gate_proj)?,
                up_proj: f(&l.up_proj)?,
                down_proj: f(&l.down_proj)?,
                gate_bias: l.gate_bias.as_ref().map(&mut f).transpose()?,
                up_bias: l.up_bias.as_ref().map(&mut f).transpose()?,
                down_bias: l.down_bias.as_ref().map(&mut f).transpose()?,
            });
        }
        Ok(Params {
            embed: f(&self.embed)?,
            layers,
            final_norm: f(&self.final_norm)?,
            lm_head: self.lm_head.as_ref().map(&mut f).transpose()?,
        })
    }
}

impl Params<Vec<f32>> {
    /// Random parameters for experiments and tests: weights `N(0, std²)`, norms 1, biases 0.
    pub fn init_random(cfg: &ModelConfig, std: f32, seed: u64) -> Self {
        match Self::try_init_random(cfg, std, seed) {
            Ok(p) => p,
            Err(_) => alloc::alloc::handle_alloc_error(core::alloc::Layout::new::<f32>()),
        }
    }

    /// [`Params::init_random`] with fallible allocation: an error instead of an abort when
    /// the memory for the weights cannot be had (check the size first with
    /// [`ModelConfig::validate_param_budget`]).
    pub fn try_init_random(
        cfg: &ModelConfig,
        std: f32,
        seed: u64,
    ) -> Result<Self, alloc::collections::TryReserveError> {
        let mut rng = crate::rng::Rng::new(seed);
        let shapes = param_shapes(cfg);
        let mut items = Vec::new();
        items.try_reserve_exact(shapes.len())?;
        for (name, shape) in shapes {
            let n: usize = shape.iter().product();
            let mut t: Vec<f32> = Vec::new();
            t.try_reserve_exact(n)?;
            if name.ends_with("norm.weight") {
                t.resize(n, 1.0);
            } else if name.ends_with(".bias") {
                t.resize(n, 0.0);
            } else {
                t.extend((0..n).map(|_| rng.next_normal() * std));
            }
            items.push(t);
        }
        // `param_shapes` yields exactly what `from_ordered` consumes.
        Ok(Self::from_ordered(cfg, items).expect("param_shapes and from_ordered agree"))
    }

    /// Total number of scalars.
    pub fn count(&self) -> usize {
        self.tensors().iter().map(|t| t.len()).sum()
    }
}

/// Zero-filled tensors on `b` with the layout of `params` (gradients, optimizer moments).
pub fn zeros_like<B: crate::backend::Backend>(
    b: &B,
    params: &Params<B::Tensor>,
) -> crate::backend::Result<Params<B::Tensor>> {
    params.try_map(|t| b.zeros(b.len(t)))
}

/// Number of scalar parameters a model of `cfg` has (computed without building the parameter
/// list; saturates at `usize::MAX` for a config that failed
/// [`ModelConfig::checked_param_count`]).
pub fn param_count(cfg: &ModelConfig) -> usize {
    cfg.checked_param_count()
        .ok()
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(usize::MAX)
}
