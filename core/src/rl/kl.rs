//! KL-divergence estimators between the policy and a reference, per token (Schulman's k1/k2/k3,
//! named as in verl's `kl_penalty`).

use serde::{Deserialize, Serialize};

/// A per-token estimator of `KL(π_θ ‖ π_ref)` from `logp = log π_θ(y_t)` and
/// `ref_logp = log π_ref(y_t)` of the sampled token.
///
/// serde reads verl's names and their aliases (`kl`/`k1`, `mse`/`k2`, `low_var_kl`/`k3`) and
/// writes the first of each, the same as [`KlEstimator::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum KlEstimator {
    /// k1 (`kl`): `logp − ref_logp`. Unbiased, high variance, can be negative.
    #[default]
    #[serde(rename = "kl", alias = "k1")]
    K1,
    /// k2 (`mse`): `½ (logp − ref_logp)²`.
    #[serde(rename = "mse", alias = "k2")]
    K2,
    /// k3 (`low_var_kl`): `exp(ref − logp) − (ref − logp) − 1`, clamped to `[−10, 10]` as in verl.
    #[serde(rename = "low_var_kl", alias = "k3")]
    K3,
}

impl KlEstimator {
    /// The estimator's names as verl spells them (`kl`/`k1`, `mse`/`k2`, `low_var_kl`/`k3`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "kl" | "k1" => Some(KlEstimator::K1),
            "mse" | "k2" => Some(KlEstimator::K2),
            "low_var_kl" | "k3" => Some(KlEstimator::K3),
            _ => None,
        }
    }

    /// verl's name of the estimator.
    pub fn name(self) -> &'static str {
        match self {
            KlEstimator::K1 => "kl",
            KlEstimator::K2 => "mse",
            KlEstimator::K3 => "low_var_kl",
        }
    }

    /// The estimate and its derivative with respect to `logp`.
    pub fn value_and_grad(self, logp: f32, ref_logp: f32) -> (f32, f32) {
        let d = logp - ref_logp;
        match self {
            KlEstimator::K1 => (d, 1.0),
            KlEstimator::K2 => (0.5 * d * d, d),
            KlEstimator::K3 => {
                let kl = -d;
                let ratio = libm::expf(kl);
                let v = ratio - kl - 1.0;
                if v > 10.0 {
                    (10.0, 0.0)
                } else if v < -10.0 {
                    (-10.0, 0.0)
                } else {
                    // d/dlogp [exp(ref − logp) − (ref − logp) − 1] = −exp(ref − logp) + 1
                    (v, 1.0 - ratio)
                }
            }
        }
    }
}
