//! AdamW and global grad-norm clipping over [`Backend`] tensors.

use crate::backend::{AdamWParams, Backend, Result};
use crate::model::{zeros_like, Params};

/// AdamW hyper-parameters (PyTorch names and defaults, except `lr`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AdamWConfig {
    /// Learning rate.
    pub lr: f32,
    /// `(beta1, beta2)`.
    pub betas: (f32, f32),
    /// Denominator epsilon.
    pub eps: f32,
    /// Decoupled weight decay.
    pub weight_decay: f32,
    /// Clip the global gradient norm to this value (`None` = no clipping).
    pub max_grad_norm: Option<f32>,
}

impl Default for AdamWConfig {
    fn default() -> Self {
        Self {
            lr: 1e-6,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 0.01,
            max_grad_norm: Some(1.0),
        }
    }
}

/// AdamW state: first and second moments with the parameters' layout, and the step count.
pub struct AdamW<B: Backend> {
    /// Hyper-parameters.
    pub config: AdamWConfig,
    /// First moments.
    pub m: Params<B::Tensor>,
    /// Second moments.
    pub v: Params<B::Tensor>,
    /// Number of updates taken so far.
    pub step: u32,
}

/// What one optimizer step did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepInfo {
    /// Global L2 norm of the gradients before clipping.
    pub grad_norm: f32,
    /// The factor the gradients were scaled by (1 without clipping).
    pub clip_scale: f32,
}

impl<B: Backend> AdamW<B> {
    /// Fresh state (zero moments) for parameters shaped like `params`.
    pub fn new(b: &B, params: &Params<B::Tensor>, config: AdamWConfig) -> Result<Self> {
        Ok(Self {
            config,
            m: zeros_like(b, params)?,
            v: zeros_like(b, params)?,
            step: 0,
        })
    }

    /// One update of `params` from `grads`, clipping the global norm as configured
    /// (`torch.nn.utils.clip_grad_norm_` semantics: scale = max_norm / (norm + 1e-6) when the
    /// norm exceeds max_norm).
    pub fn step(
        &mut self,
        b: &B,
        params: &mut Params<B::Tensor>,
        grads: &Params<B::Tensor>,
    ) -> Result<StepInfo> {
        let grad_norm = global_grad_norm(b, grads)?;
        let clip_scale = match self.config.max_grad_norm {
            Some(max) if grad_norm > max => max / (grad_norm + 1e-6),
            _ => 1.0,
        };
        self.step += 1;
        let hp = AdamWParams {
            lr: self.config.lr,
            beta1: self.config.betas.0,
            beta2: self.config.betas.1,
            eps: self.config.eps,
            weight_decay: self.config.weight_decay,
            step: self.step,
            grad_scale: clip_scale,
        };
        let ps = params.tensors_mut();
        let gs = grads.tensors();
        let ms = self.m.tensors_mut();
        let vs = self.v.tensors_mut();
        for (((p, g), m), v) in ps.into_iter().zip(gs).zip(ms).zip(vs) {
            b.adamw_step(p, g, m, v, &hp)?;
        }
        Ok(StepInfo {
            grad_norm,
            clip_scale,
        })
    }
}

/// The global L2 norm over every gradient tensor.
pub fn global_grad_norm<B: Backend>(b: &B, grads: &Params<B::Tensor>) -> Result<f32> {
    Ok(libm::sqrtf(b.sum_squares(&grads.tensors())?))
}

/// Sets every gradient to zero.
pub fn zero_grads<B: Backend>(b: &B, grads: &mut Params<B::Tensor>) -> Result<()> {
    for g in grads.tensors_mut() {
        b.fill_zero(g)?;
    }
    Ok(())
}
