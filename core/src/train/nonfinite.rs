//! Finding which tensor holds a NaN or an infinity, so that a non-finite loss or gradient is
//! reported with its cause (corrupt weights, an update that overflowed) instead of a guess.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::backend::Backend;
#[cfg(doc)]
use crate::model::{Params, Trainable};

/// The first non-finite element of a set of named tensors.
#[derive(Debug, Clone, PartialEq)]
pub struct NonFiniteValue {
    /// The tensor's Hugging Face name (`model.layers.0.self_attn.q_proj.weight`).
    pub tensor: String,
    /// The element's index in the flattened tensor.
    pub index: usize,
    /// The value (NaN or ±infinity).
    pub value: f32,
}

fn first_in<'a>(named: impl IntoIterator<Item = (String, &'a [f32])>) -> Option<NonFiniteValue> {
    named.into_iter().find_map(|(tensor, xs)| {
        xs.iter()
            .position(|x| !x.is_finite())
            .map(|index| NonFiniteValue {
                tensor,
                index,
                value: xs[index],
            })
    })
}

/// The first non-finite element of named host tensors (e.g. [`Params::named`],
/// [`Trainable::named`]), in the given order.
pub fn first_non_finite_host(named: Vec<(String, &Vec<f32>)>) -> Option<NonFiniteValue> {
    first_in(named.into_iter().map(|(n, t)| (n, t.as_slice())))
}

/// The first non-finite element of named tensors (parameters, adapters or gradients) on a
/// backend; tensors are downloaded one at a time. A download that fails is skipped (this
/// only diagnoses).
pub fn first_non_finite<B: Backend>(
    b: &B,
    named: Vec<(String, &B::Tensor)>,
) -> Option<NonFiniteValue> {
    named.into_iter().find_map(|(name, t)| {
        let host = b.download(t).ok()?;
        first_in([(name, host.as_slice())])
    })
}

impl core::fmt::Display for NonFiniteValue {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "`{}` holds {} at element {}",
            self.tensor, self.value, self.index
        )
    }
}

/// Why a step's loss or gradient norm is not finite, from what is non-finite now: the
/// gradients (when given: the backward pass overflowed although the loss was finite), else
/// the policy weights (an earlier update overflowed), else neither (the batch itself).
pub fn diagnose<B: Backend>(
    b: &B,
    policy: Vec<(String, &B::Tensor)>,
    grads: Option<Vec<(String, &B::Tensor)>>,
    lr: f32,
) -> String {
    if let Some(g) = grads.and_then(|g| first_non_finite(b, g)) {
        return format!(
            "the loss was finite but the gradient of {g}: the backward pass overflowed; lower \
             `lr` (now {lr}), set `grad_clip`, or check the data"
        );
    }
    if let Some(w) = first_non_finite(b, policy) {
        return format!(
            "the policy weights are non-finite ({w}); they were finite when the run started, \
             so an earlier update overflowed: lower `lr` (now {lr}) or set `grad_clip`, and \
             resume from an earlier checkpoint"
        );
    }
    format!(
        "the weights are finite, so this batch produced it (extreme log-probabilities or \
         advantages); lower `lr` (now {lr}) or check the data"
    )
}
