//! AdamW and global grad-norm clipping over [`Backend`] tensors.

use crate::backend::{AdamWParams, Backend, BackendError, Result};
use crate::model::{zeros_like, Params, TensorList};
use alloc::vec::Vec;

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

/// AdamW state: first and second moments with the layout of the parameters it updates
/// (`P`: every parameter, [`Params`], or a LoRA run's adapters), and the step count.
pub struct AdamW<B: Backend, P = Params<<B as Backend>::Tensor>> {
    /// Hyper-parameters.
    pub config: AdamWConfig,
    /// First moments.
    pub m: P,
    /// Second moments.
    pub v: P,
    /// Number of updates taken so far.
    pub step: u32,
    _backend: core::marker::PhantomData<fn() -> B>,
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
        Ok(Self::with_moments(
            config,
            zeros_like(b, params)?,
            zeros_like(b, params)?,
            0,
        ))
    }
}

impl<B: Backend, P: TensorList<B::Tensor>> AdamW<B, P> {
    /// State from given moments (zeros for a fresh run, a checkpoint's for a resumed one)
    /// and the number of updates already taken.
    pub fn with_moments(config: AdamWConfig, m: P, v: P, step: u32) -> Self {
        Self {
            config,
            m,
            v,
            step,
            _backend: core::marker::PhantomData,
        }
    }

    /// One update of `params` from `grads`, clipping the global norm as configured
    /// (`torch.nn.utils.clip_grad_norm_` semantics: scale = max_norm / (norm + 1e-6) when the
    /// norm exceeds max_norm).
    pub fn step(&mut self, b: &B, params: &mut P, grads: &P) -> Result<StepInfo> {
        self.step_tensors(b, params.tensors_mut(), grads.tensors())
    }

    /// [`AdamW::step`] on parameter and gradient lists in the moments' order (for
    /// parameters that live in several places, such as a model's adapters).
    pub fn step_tensors(
        &mut self,
        b: &B,
        params: Vec<&mut B::Tensor>,
        grads: Vec<&B::Tensor>,
    ) -> Result<StepInfo> {
        let n = self.m.tensors().len();
        if params.len() != n || grads.len() != n {
            return Err(BackendError::Shape {
                op: "adamw",
                detail: alloc::format!(
                    "AdamW holds moments for {n} tensors but got {} parameters and {} \
                     gradients",
                    params.len(),
                    grads.len()
                ),
            });
        }
        let grad_norm = libm::sqrtf(b.sum_squares(&grads)?);
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
        let ms = self.m.tensors_mut();
        let vs = self.v.tensors_mut();
        for (((p, g), m), v) in params.into_iter().zip(grads).zip(ms).zip(vs) {
            b.adamw_step(p, g, m, v, &hp)?;
        }
        Ok(StepInfo {
            grad_norm,
            clip_scale,
        })
    }
}

/// The global L2 norm over every gradient tensor.
pub fn global_grad_norm<B: Backend, P: TensorList<B::Tensor>>(b: &B, grads: &P) -> Result<f32> {
    Ok(libm::sqrtf(b.sum_squares(&grads.tensors())?))
}

/// Sets every gradient to zero.
pub fn zero_grads<B: Backend, P: TensorList<B::Tensor>>(b: &B, grads: &mut P) -> Result<()> {
    for g in grads.tensors_mut() {
        b.fill_zero(g)?;
    }
    Ok(())
}
