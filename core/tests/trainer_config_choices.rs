//! Every enumerated field of a trainer config: each allowed spelling is read into the field's
//! enum and written back as verl spells it (aliases as their first name), the enum's `name()`
//! agrees with serde, and any other spelling is refused while the config is read, with an
//! error naming the field, the value and every allowed spelling.

use hir_core::hindsight::{EntropyAgg, Scope, Selection};
use hir_core::rl::{AdvEstimator, KlEstimator, LossAggMode};
use hir_core::train::{ObjectiveKind, ReplayLogprobs, ReplayShortage, RewardKind, TrainerConfig};
use serde::Serialize;
use serde_json::json;

/// Each spelling a field reads, with the name it is written back as.
type Spellings = &'static [(&'static str, &'static str)];

/// Per field: the allowed spellings as the error lists them, and [`Spellings`].
const FIELDS: &[(&str, &str, Spellings)] = &[
    (
        "reward",
        "sparse, dense",
        &[("sparse", "sparse"), ("dense", "dense")],
    ),
    (
        "replay_scope",
        "group, global",
        &[("group", "group"), ("global", "global")],
    ),
    (
        "replay_selection",
        "score, random",
        &[("score", "score"), ("random", "random")],
    ),
    (
        "replay_entropy",
        "mean, sum",
        &[("mean", "mean"), ("sum", "sum")],
    ),
    (
        "replay_shortage",
        "skip, resample, released",
        &[
            ("skip", "skip"),
            ("resample", "resample"),
            ("released", "released"),
        ],
    ),
    (
        "replay_logprobs",
        "copy, recompute",
        &[("copy", "copy"), ("recompute", "recompute")],
    ),
    (
        "adv_estimator",
        "reinforce_plus_plus, reinforce_plus_plus_baseline, grpo, rloo",
        &[
            ("reinforce_plus_plus", "reinforce_plus_plus"),
            (
                "reinforce_plus_plus_baseline",
                "reinforce_plus_plus_baseline",
            ),
            ("grpo", "grpo"),
            ("rloo", "rloo"),
        ],
    ),
    ("kl_penalty", KLS, KL_SPELLINGS),
    ("kl_loss_type", KLS, KL_SPELLINGS),
    (
        "objective",
        "ppo, pairwise",
        &[("ppo", "ppo"), ("pairwise", "pairwise")],
    ),
    (
        "loss_agg_mode",
        "token-mean, seq-mean-token-sum, seq-mean-token-mean",
        &[
            ("token-mean", "token-mean"),
            ("seq-mean-token-sum", "seq-mean-token-sum"),
            ("seq-mean-token-mean", "seq-mean-token-mean"),
        ],
    ),
];

const KLS: &str = "k1, kl, k2, mse, k3, low_var_kl";
const KL_SPELLINGS: Spellings = &[
    ("kl", "kl"),
    ("k1", "kl"),
    ("mse", "mse"),
    ("k2", "mse"),
    ("low_var_kl", "low_var_kl"),
    ("k3", "low_var_kl"),
];

#[test]
fn every_enumerated_field_is_covered() {
    // The fields whose default serializes as a string are exactly the enumerated ones.
    let v = serde_json::to_value(TrainerConfig::default()).unwrap();
    let mut strings: Vec<&str> = v
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v.is_string())
        .map(|(k, _)| k.as_str())
        .collect();
    strings.sort_unstable();
    let mut fields: Vec<&str> = FIELDS.iter().map(|f| f.0).collect();
    fields.sort_unstable();
    assert_eq!(strings, fields);
}

#[test]
fn a_wrong_spelling_is_refused_naming_the_field_the_value_and_the_allowed_ones() {
    for &(field, allowed, _) in FIELDS {
        for bad in ["grpoo", "", "GROUP", "Token-Mean", "k 1"] {
            let text = json!({ field: bad }).to_string();
            let e = serde_json::from_str::<TrainerConfig>(&text)
                .expect_err(&text)
                .to_string();
            let expected = format!("config field `{field}`: `{bad}` is not one of {allowed}");
            assert!(e.starts_with(&expected), "{text}: {e}");
        }
        // Not a string at all: serde's type error, naming what it expected.
        let e = serde_json::from_str::<TrainerConfig>(&json!({ field: 3 }).to_string())
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected a string"), "{field}: {e}");
    }
}

#[test]
fn every_allowed_spelling_round_trips() {
    for &(field, _, spellings) in FIELDS {
        for &(spelling, written) in spellings {
            let cfg: TrainerConfig =
                serde_json::from_str(&json!({ field: spelling }).to_string()).unwrap();
            cfg.validate().unwrap();
            let back = serde_json::to_value(&cfg).unwrap();
            assert_eq!(back[field], json!(written), "{field} = {spelling}");
            let again: TrainerConfig = serde_json::from_value(back).unwrap();
            assert_eq!(again, cfg, "{field} = {spelling}");
        }
    }
    // The defaults are the spec's.
    let d = serde_json::to_value(TrainerConfig::default()).unwrap();
    for (field, value) in [
        ("replay_scope", "group"),
        ("replay_selection", "score"),
        ("replay_entropy", "mean"),
        ("replay_shortage", "skip"),
        ("replay_logprobs", "copy"),
        ("adv_estimator", "reinforce_plus_plus"),
        ("kl_penalty", "kl"),
        ("kl_loss_type", "low_var_kl"),
        ("objective", "ppo"),
        ("loss_agg_mode", "token-mean"),
        ("reward", "sparse"),
    ] {
        assert_eq!(d[field], json!(value), "{field}");
    }
}

fn agrees<T: Serialize + Copy>(variants: &[T], name: fn(T) -> &'static str) {
    for &v in variants {
        assert_eq!(serde_json::to_value(v).unwrap(), json!(name(v)));
    }
}

#[test]
fn every_enum_name_is_its_serde_spelling() {
    agrees(&[Scope::Group, Scope::Global], Scope::name);
    agrees(&[Selection::Score, Selection::Random], Selection::name);
    agrees(&[EntropyAgg::Mean, EntropyAgg::Sum], EntropyAgg::name);
    agrees(
        &[
            ReplayShortage::Skip,
            ReplayShortage::Resample,
            ReplayShortage::Released,
        ],
        ReplayShortage::name,
    );
    agrees(&[RewardKind::Sparse, RewardKind::Dense], RewardKind::name);
    agrees(
        &[ReplayLogprobs::Copy, ReplayLogprobs::Recompute],
        ReplayLogprobs::name,
    );
    agrees(
        &[
            AdvEstimator::ReinforcePlusPlus,
            AdvEstimator::ReinforcePlusPlusBaseline,
            AdvEstimator::Grpo,
            AdvEstimator::Rloo,
        ],
        AdvEstimator::name,
    );
    agrees(
        &[KlEstimator::K1, KlEstimator::K2, KlEstimator::K3],
        KlEstimator::name,
    );
    agrees(
        &[ObjectiveKind::Ppo, ObjectiveKind::Pairwise],
        ObjectiveKind::name,
    );
    agrees(
        &[
            LossAggMode::TokenMean,
            LossAggMode::SeqMeanTokenSum,
            LossAggMode::SeqMeanTokenMean,
        ],
        LossAggMode::name,
    );
    // `from_name` (kept for callers) reads the same spellings as serde.
    for (s, v) in [
        ("k1", KlEstimator::K1),
        ("mse", KlEstimator::K2),
        ("k3", KlEstimator::K3),
    ] {
        assert_eq!(KlEstimator::from_name(s), Some(v));
    }
}
