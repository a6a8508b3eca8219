//! What a training run updates: every parameter of the model (full fine-tune) or only its
//! LoRA adapters. Gradients and AdamW moments have this layout.

use super::config::ModelConfig;
use super::lora::LoraWeights;
use super::params::Params;
use alloc::string::String;
use alloc::vec::Vec;

/// A set of tensors in a fixed order (what an optimizer walks over).
pub trait TensorList<T> {
    /// Every tensor, in the set's fixed order.
    fn tensors(&self) -> Vec<&T>;
    /// Every tensor, mutably, in the same order.
    fn tensors_mut(&mut self) -> Vec<&mut T>;
}

impl<T> TensorList<T> for Params<T> {
    fn tensors(&self) -> Vec<&T> {
        Params::tensors(self)
    }
    fn tensors_mut(&mut self) -> Vec<&mut T> {
        Params::tensors_mut(self)
    }
}

impl<T> TensorList<T> for LoraWeights<T> {
    fn tensors(&self) -> Vec<&T> {
        LoraWeights::tensors(self)
    }
    fn tensors_mut(&mut self) -> Vec<&mut T> {
        LoraWeights::tensors_mut(self)
    }
}

/// The trained tensors of a run (or their gradients, or AdamW moments).
#[derive(Debug, Clone, PartialEq)]
pub enum Trainable<T> {
    /// Every parameter (full fine-tune).
    Full(Params<T>),
    /// The LoRA adapters only (the base is frozen).
    Lora(LoraWeights<T>),
}

impl<T> Trainable<T> {
    /// Every tensor with its name (Hugging Face parameter names, or PEFT's adapter keys).
    pub fn named(&self, cfg: &ModelConfig) -> Vec<(String, &T)> {
        match self {
            Trainable::Full(p) => p.named(cfg),
            Trainable::Lora(l) => l.named(),
        }
    }

    /// Applies `f` to every tensor, keeping the layout.
    pub fn try_map<U, E>(&self, f: impl FnMut(&T) -> Result<U, E>) -> Result<Trainable<U>, E> {
        Ok(match self {
            Trainable::Full(p) => Trainable::Full(p.try_map(f)?),
            Trainable::Lora(l) => Trainable::Lora(l.try_map(f)?),
        })
    }

    /// Applies an infallible `f` to every tensor, keeping the layout.
    pub fn map<U>(&self, f: impl FnMut(&T) -> U) -> Trainable<U> {
        match self {
            Trainable::Full(p) => Trainable::Full(p.map(f)),
            Trainable::Lora(l) => Trainable::Lora(l.map(f)),
        }
    }
}

impl<T> TensorList<T> for Trainable<T> {
    fn tensors(&self) -> Vec<&T> {
        match self {
            Trainable::Full(p) => p.tensors(),
            Trainable::Lora(l) => l.tensors(),
        }
    }
    fn tensors_mut(&mut self) -> Vec<&mut T> {
        match self {
            Trainable::Full(p) => p.tensors_mut(),
            Trainable::Lora(l) => l.tensors_mut(),
        }
    }
}
