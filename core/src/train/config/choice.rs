//! Reading an enumerated config field: the field's enum parses its spelling with its own serde
//! names (verl's), and a spelling that is none of them is refused while the config is read,
//! with a [`ConfigError`] that names the field, the value and every allowed spelling.
//!
//! serde's derived enums report an unknown name through [`de::Error::unknown_variant`], with
//! the list of names they accept; [`Refused`] keeps that list, so the allowed spellings come
//! from the enum's serde attributes alone (no second table to keep in step).

use alloc::format;
use alloc::string::{String, ToString};
use core::fmt;

use serde::de::value::StrDeserializer;
use serde::de::{self, Deserialize, DeserializeOwned, Deserializer, Error as _};

use super::{ConfigError, ObjectiveKind, ReplayLogprobs, ReplayShortage, RewardKind};
use crate::hindsight::{EntropyAgg, Scope, Selection};
use crate::rl::{AdvEstimator, KlEstimator, LossAggMode};

/// A spelling refused by an enum's derived `Deserialize`, worded as the other config errors.
#[derive(Debug)]
struct Refused(String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl de::StdError for Refused {}

impl de::Error for Refused {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Refused(msg.to_string())
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Refused(format!("`{variant}` is not one of {}", expected.join(", ")))
    }
}

/// Reads the enum of config field `field` from its spelling (a string; anything else is
/// serde's usual type error).
pub(super) fn read<'de, D, T>(d: D, field: &'static str) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let spelling = String::deserialize(d)?;
    T::deserialize(StrDeserializer::<Refused>::new(&spelling))
        .map_err(|Refused(message)| D::Error::custom(ConfigError { field, message }))
}

/// One `deserialize_with` function per enumerated field, named as the field.
macro_rules! choice_fields {
    ($($field:ident: $ty:ty),* $(,)?) => {$(
        #[doc = concat!("Reads `", stringify!($field), "`, naming the field when refused.")]
        pub(super) fn $field<'de, D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
            read(d, stringify!($field))
        }
    )*};
}

choice_fields! {
    reward: RewardKind,
    replay_scope: Scope,
    replay_selection: Selection,
    replay_entropy: EntropyAgg,
    replay_shortage: ReplayShortage,
    replay_logprobs: ReplayLogprobs,
    adv_estimator: AdvEstimator,
    kl_penalty: KlEstimator,
    kl_loss_type: KlEstimator,
    objective: ObjectiveKind,
    loss_agg_mode: LossAggMode,
}
