//! Trainer settings and states that passed validation but broke a run (issue 11, defect 9):
//! non-finite or out-of-range numbers in a trainer config (`kl_coef = nan`, `beta1 = 1`, ...),
//! a curriculum λ that overflows within the run, and non-finite weights, which made the first
//! loss NaN with the advice "lower `lr` or check the data". Plus a property test of the
//! trainer config's TOML and JSON forms: random values and damaged files never panic, and a
//! config that validates has only finite numbers.

mod common;

use hir_backend_cpu::CpuBackend;
use hir_core::instruct::{ChatCodec, CodecError, Instruction, InstructionConstraint, Layout};
use hir_core::model::ModelConfig;
use hir_core::train::{TrainError, Trainer, TrainerConfig};
use proptest::prelude::*;
use std::sync::Arc;

fn refused(toml_text: &str) -> String {
    let cfg: TrainerConfig = toml::from_str(toml_text).expect("parses");
    cfg.validate()
        .expect_err(&format!("`{toml_text}` must be refused"))
        .to_string()
}

#[test]
fn non_finite_and_out_of_range_numbers_are_refused_by_name() {
    let cases: &[(&str, &str)] = &[
        (
            "kl_coef = nan",
            "config field `kl_coef`: NaN is not allowed: expected a finite number ≥ 0",
        ),
        (
            "kl_coef = inf",
            "config field `kl_coef`: inf is not allowed",
        ),
        (
            "kl_loss_coef = -1.0",
            "config field `kl_loss_coef`: -1 is not allowed",
        ),
        (
            "beta1 = 1.0",
            "config field `beta1`: 1 is not allowed: expected a finite number in [0, 1)",
        ),
        ("beta2 = 1.0", "config field `beta2`: 1 is not allowed"),
        ("beta1 = -0.1", "config field `beta1`"),
        (
            "eps = 0.0",
            "config field `eps`: 0 is not allowed: expected a finite number > 0",
        ),
        ("eps = nan", "config field `eps`"),
        ("lr = inf", "config field `lr`"),
        ("weight_decay = nan", "config field `weight_decay`"),
        ("weight_decay = -0.5", "config field `weight_decay`"),
        ("grad_clip = inf", "config field `grad_clip`"),
        ("grad_clip = nan", "config field `grad_clip`"),
        ("gamma = nan", "config field `gamma`"),
        ("gamma = 1.5", "config field `gamma`"),
        ("pairwise_beta = nan", "config field `pairwise_beta`"),
        ("clip_ratio_c = inf", "config field `clip_ratio_c`"),
        ("clip_ratio_low = nan", "config field `clip_ratio_low`"),
        ("top_p = nan", "config field `top_p`"),
        ("temperature = inf", "config field `temperature`"),
        ("replay_eta = nan", "config field `replay_eta`"),
    ];
    for (text, needle) in cases {
        let e = refused(text);
        assert!(e.contains(needle), "`{text}`: {e}");
    }
}

#[test]
fn a_curriculum_that_overflows_within_the_run_is_refused() {
    // λ_s = 2·2^s is finite up to step 1022.
    let e = refused("replay_eta = 1.0\ntotal_steps = 1023");
    assert!(
        e.contains("config field `replay_eta`") && e.contains("overflows after step 1022"),
        "{e}"
    );
    let ok: TrainerConfig = toml::from_str(
        "replay_eta = 1.0\ntotal_steps = 1022\ntrain_batch_size = 32\nppo_mini_batch_size = 32",
    )
    .unwrap();
    ok.validate().unwrap();
    // Without the curriculum λ stays λ_0.
    let off: TrainerConfig =
        toml::from_str("replay_eta = 1.0\ntotal_steps = 100000\nreplay_curriculum = false")
            .unwrap();
    off.validate().unwrap();
}

/// Bytes are ids 0..=255; 256 starts a turn, 257 ends one.
struct ByteCodec([u32; 1]);

impl ChatCodec for ByteCodec {
    fn encode_prompt(&self, prompt: &str) -> Result<Vec<u32>, CodecError> {
        let mut ids = vec![256];
        ids.extend(prompt.bytes().map(u32::from));
        ids.push(257);
        Ok(ids)
    }
    fn encode_response(&self, response: &str) -> Result<Vec<u32>, CodecError> {
        let mut ids: Vec<u32> = response.bytes().map(u32::from).collect();
        ids.push(257);
        Ok(ids)
    }
    fn decode(&self, ids: &[u32]) -> Result<String, CodecError> {
        let b: Vec<u8> = ids.iter().filter(|&&i| i < 256).map(|&i| i as u8).collect();
        Ok(String::from_utf8_lossy(&b).into_owned())
    }
    fn stop_ids(&self) -> &[u32] {
        &self.0
    }
    fn longest_token_chars(&self) -> Option<usize> {
        Some(1)
    }
}

fn model_config() -> ModelConfig {
    ModelConfig {
        vocab_size: 258,
        ..common::tiny_config(true, false)
    }
}

fn data(task: &str) -> Vec<Instruction> {
    let kw = hir_core::constraint::Kwargs::new();
    let c = hir_core::constraint::registry::build(
        hir_core::constraint::registry::Suite::IfEval,
        "punctuation:no_comma",
        &kw,
        "",
    )
    .unwrap();
    vec![Instruction {
        task: task.into(),
        constraints: vec![InstructionConstraint::new(Arc::from(c))],
        layout: Layout::default(),
    }]
}

fn small() -> TrainerConfig {
    TrainerConfig {
        total_steps: 1,
        train_batch_size: 1,
        rollout_n: 2,
        max_prompt_length: 200,
        max_response_length: 4,
        ppo_mini_batch_size: 1,
        ..TrainerConfig::default()
    }
}

#[test]
fn non_finite_weights_are_refused_naming_the_tensor() {
    let mc = model_config();
    let mut params = common::random_params(&mc, 3);
    params.layers[1].q_proj[5] = f32::NAN;
    let e = Trainer::new(
        CpuBackend::new(),
        small(),
        mc,
        &params,
        Box::new(ByteCodec([257])),
        data("Write a note."),
    )
    .err()
    .expect("NaN weights must be refused");
    assert!(matches!(e, TrainError::NonFiniteInput { .. }), "{e}");
    assert_eq!(
        e.to_string(),
        "the policy weights are not finite: `model.layers.1.self_attn.q_proj.weight` holds NaN \
         at element 5; the file they came from is corrupt (re-download or re-save it)"
    );
}

#[test]
fn a_prompt_longer_than_the_limit_is_refused_from_its_characters() {
    // With one character per token at most, 201 characters cannot fit 200 tokens; the
    // error comes before the codec sees the text.
    let mc = model_config();
    let e = Trainer::new(
        CpuBackend::new(),
        small(),
        mc.clone(),
        &common::random_params(&mc, 3),
        Box::new(ByteCodec([257])),
        data(&"x".repeat(5000)),
    )
    .err()
    .expect("too long");
    let e = e.to_string();
    assert!(
        e.contains("instruction 0 has")
            && e.contains("more than the 200 that can fit in max_prompt_length = 200 tokens"),
        "{e}"
    );
}

/// A float field name and a strategy of awkward values for it.
fn float_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
        Just(1.0),
        Just(1.0 - 1e-9),
        Just(-1e-30),
        Just(1e39),
        Just(f64::MAX),
        Just(5e-324),
        any::<f64>(),
        -2.0f64..2.0,
    ]
}

const FLOATS: &[&str] = &[
    "temperature",
    "top_p",
    "replay_lambda0",
    "replay_eta",
    "gamma",
    "kl_coef",
    "kl_loss_coef",
    "pairwise_beta",
    "clip_ratio_low",
    "clip_ratio_high",
    "clip_ratio_c",
    "entropy_coeff",
    "lr",
    "weight_decay",
    "beta1",
    "beta2",
    "eps",
    "grad_clip",
];

fn toml_float(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v.is_infinite() {
        if v > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        format!("{v:?}")
    }
}

/// Every float of a validated config is finite (f32 fields included: a huge f64 becomes an
/// f32 infinity).
fn all_finite(c: &TrainerConfig) -> bool {
    let f32s = [
        c.temperature,
        c.top_p,
        c.gamma,
        c.kl_coef,
        c.kl_loss_coef,
        c.pairwise_beta,
        c.clip_ratio_low,
        c.clip_ratio_high,
        c.clip_ratio_c,
        c.entropy_coeff,
        c.lr,
        c.weight_decay,
        c.beta1,
        c.beta2,
        c.eps,
        c.grad_clip,
    ];
    f32s.iter().all(|x| x.is_finite()) && c.replay_lambda0.is_finite() && c.replay_eta.is_finite()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, max_shrink_iters: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn toml_configs_never_panic_and_validated_ones_are_finite(
        fields in prop::collection::vec((prop::sample::select(FLOATS), float_value()), 1..5),
        steps in prop_oneof![Just(0u64), Just(1), Just(1u64 << 40), any::<u64>()],
        cut in any::<Option<(usize, u8)>>(),
    ) {
        let mut text = format!("total_steps = {}\n", steps.min(i64::MAX as u64));
        for (f, v) in &fields {
            text.push_str(&format!("{f} = {}\n", toml_float(*v)));
        }
        let mut bytes = text.into_bytes();
        if let Some((at, b)) = cut {
            let n = bytes.len();
            bytes[at % n] = b;
        }
        let Ok(text) = String::from_utf8(bytes) else { return Ok(()) };
        if let Ok(cfg) = toml::from_str::<TrainerConfig>(&text) {
            match cfg.validate() {
                Ok(()) => prop_assert!(all_finite(&cfg), "{cfg:?}"),
                Err(e) => prop_assert!(e.to_string().starts_with("config field `"), "{e}"),
            }
        }
    }

    #[test]
    fn json_configs_never_panic_and_validated_ones_are_finite(
        fields in prop::collection::vec((prop::sample::select(FLOATS), float_value()), 1..5),
        extra in prop::option::of(("[a-z_]{1,12}", any::<i64>())),
    ) {
        let mut m = serde_json::Map::new();
        for (f, v) in &fields {
            // JSON has no NaN or infinity: those are written as strings (and refused by type).
            let value = serde_json::Number::from_f64(*v)
                .map(serde_json::Value::Number)
                .unwrap_or_else(|| serde_json::Value::String(toml_float(*v)));
            m.insert((*f).into(), value);
        }
        if let Some((k, v)) = extra {
            m.insert(k, v.into());
        }
        let text = serde_json::Value::Object(m).to_string();
        if let Ok(cfg) = serde_json::from_str::<TrainerConfig>(&text) {
            match cfg.validate() {
                Ok(()) => prop_assert!(all_finite(&cfg), "{cfg:?}"),
                Err(e) => prop_assert!(e.to_string().starts_with("config field `"), "{e}"),
            }
        }
    }
}
