//! `adapter_config.json`: PEFT's `LoraConfig` as `save_pretrained` writes it, read into a
//! [`LoraConfig`] and written back.
//!
//! Reading keeps to what hir computes: a plain LoRA (`y = x·Wᵀ + (alpha / r)·(x·Aᵀ)·Bᵀ`) on
//! some of the seven linears of every decoder layer, one `r` and `lora_alpha` for all. A field
//! that asks PEFT for anything else (DoRA, rsLoRA, trained biases, `modules_to_save`,
//! per-module ranks, a subset of layers, LoRA variants, initialisations that change the base
//! weights, ...) is refused with an error naming the file and the field, rather than applied
//! wrongly. Fields that do not change the adapted model (`lora_dropout`, `inference_mode`,
//! `revision`, `peft_version`, ...) and fields unknown to this reader are ignored.

use super::AdapterError;
use hir_core::model::{LoraConfig, LoraConfigError, LoraTarget, ModelConfig};
use serde_json::{json, Map, Value};
use std::path::Path;

/// The name of the config file in an adapter directory.
pub const CONFIG_FILE: &str = "adapter_config.json";

/// What `adapter_config.json` says about the adapter.
#[derive(Debug, Clone, PartialEq)]
pub struct AdapterConfig {
    /// Rank, alpha and targets (validated against the model).
    pub lora: LoraConfig,
    /// `base_model_name_or_path`, if set.
    pub base_model_name_or_path: Option<String>,
}

/// PEFT's defaults for `r` and `lora_alpha` when the file leaves them out.
const PEFT_DEFAULT_R: u64 = 8;
const PEFT_DEFAULT_ALPHA: f64 = 8.0;

/// Fields that must be absent, `null`, `false` or empty, with why each is refused otherwise.
const MUST_BE_UNSET: [(&str, &str); 20] = [
    (
        "use_dora",
        "DoRA (weight-decomposed LoRA) is not supported; hir applies plain LoRA",
    ),
    (
        "use_rslora",
        "rsLoRA scaling (lora_alpha / √r) is not supported; hir scales by lora_alpha / r",
    ),
    (
        "modules_to_save",
        "fully trained copies of modules are not supported; hir's adapters hold LoRA pairs only",
    ),
    ("lora_bias", "LoRA biases on lora_B are not supported"),
    (
        "rank_pattern",
        "per-module ranks are not supported; one `r` applies to every adapted module",
    ),
    (
        "alpha_pattern",
        "per-module alphas are not supported; one `lora_alpha` applies to every adapted module",
    ),
    (
        "layers_to_transform",
        "adapters on a subset of the layers are not supported; hir adapts every decoder layer",
    ),
    (
        "layers_pattern",
        "adapters on a subset of the layers are not supported; hir adapts every decoder layer",
    ),
    (
        "exclude_modules",
        "excluded modules are not supported; list the adapted modules in target_modules",
    ),
    (
        "fan_in_fan_out",
        "fan_in_fan_out (GPT-2's Conv1D layout) is not supported; Llama-family linears are \
         stored [out, in]",
    ),
    (
        "layer_replication",
        "layer replication changes the model's depth and is not supported",
    ),
    (
        "target_parameters",
        "LoRA on parameters (target_parameters) is not supported; adapt linears through \
         target_modules",
    ),
    (
        "trainable_token_indices",
        "trainable token embeddings are not supported",
    ),
    (
        "alora_invocation_tokens",
        "activated LoRA (aLoRA) is not supported; hir applies the adapter to every token",
    ),
    ("use_qalora", "the LoRA variant QALoRA is not supported"),
    ("use_bdlora", "the LoRA variant BD-LoRA is not supported"),
    ("velora_config", "the LoRA variant VeLoRA is not supported"),
    (
        "monteclora_config",
        "the LoRA variant MonteCLoRA is not supported",
    ),
    ("arrow_config", "the LoRA variant Arrow is not supported"),
    ("kasa_config", "the LoRA variant KaSA is not supported"),
];

/// Values of `init_lora_weights` that leave the base weights as they are (the others —
/// PiSSA, OLoRA, CorDA, LoftQ, ... — rewrite the base, so the adapter does not fit it).
const PLAIN_INITS: [&str; 3] = ["gaussian", "eva", "orthogonal"];

/// Whether a field value means "not used": absent, `null`, `false`, `""`, `[]` or `{}`.
fn is_unset(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        Some(_) => false,
    }
}

/// Parses `adapter_config.json` text (`path` names it in errors) for a model of `model`.
pub fn parse_config(
    text: &str,
    path: &Path,
    model: &ModelConfig,
) -> Result<AdapterConfig, AdapterError> {
    let field = |field: &'static str, detail: String| AdapterError::Field {
        path: path.to_path_buf(),
        field,
        detail,
    };
    let value: Value = serde_json::from_str(text).map_err(|e| AdapterError::Json {
        path: path.to_path_buf(),
        detail: format!("not valid JSON ({e})"),
    })?;
    let Value::Object(obj) = value else {
        return Err(AdapterError::Json {
            path: path.to_path_buf(),
            detail: "expected a JSON object (PEFT's LoraConfig)".into(),
        });
    };
    match obj.get("peft_type") {
        Some(Value::String(s)) if s == "LORA" => {}
        None => {
            return Err(field(
                "peft_type",
                "missing; a LoRA adapter's config has \"peft_type\": \"LORA\"".into(),
            ))
        }
        Some(other) => {
            return Err(field(
                "peft_type",
                format!("is {other}; only \"LORA\" adapters are supported"),
            ))
        }
    }
    match obj.get("task_type") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == "CAUSAL_LM" => {}
        Some(other) => {
            return Err(field(
                "task_type",
                format!("is {other}; only \"CAUSAL_LM\" (or null) is supported"),
            ))
        }
    }
    match obj.get("bias") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == "none" => {}
        Some(other) => {
            return Err(field(
                "bias",
                format!("is {other}; trained biases are not supported, only \"none\""),
            ))
        }
    }
    for (name, why) in MUST_BE_UNSET {
        if !is_unset(obj.get(name)) {
            return Err(field(name, format!("is {}: {why}", obj[name])));
        }
    }
    match obj.get("init_lora_weights") {
        None | Some(Value::Null) | Some(Value::Bool(_)) => {}
        Some(Value::String(s)) if PLAIN_INITS.contains(&s.as_str()) => {}
        Some(other) => {
            return Err(field(
                "init_lora_weights",
                format!(
                    "is {other}: this initialisation changes the base model's weights, so the \
                     adapter does not apply to the unmodified base; save it with PEFT's \
                     `path_initial_model_for_weight_conversion` (which writes \
                     \"init_lora_weights\": true)"
                ),
            ))
        }
    }
    let targets = parse_targets(&obj, path)?;
    let rank = match obj.get("r") {
        None => PEFT_DEFAULT_R,
        Some(v) => v
            .as_u64()
            .filter(|&r| r >= 1)
            .ok_or_else(|| field("r", format!("is {v}; expected an integer ≥ 1")))?,
    };
    let rank = usize::try_from(rank).map_err(|_| field("r", format!("{rank} is too large")))?;
    let alpha = match obj.get("lora_alpha") {
        None => PEFT_DEFAULT_ALPHA,
        Some(v) => v
            .as_f64()
            .ok_or_else(|| field("lora_alpha", format!("is {v}; expected a number")))?,
    };
    let lora = LoraConfig::new(rank, alpha as f32, &targets);
    lora.validate(model).map_err(|e| {
        let name = match e {
            LoraConfigError::ZeroRank | LoraConfigError::RankTooLarge { .. } => "r",
            LoraConfigError::BadAlpha(_) => "lora_alpha",
            LoraConfigError::NoTargets => "target_modules",
        };
        field(name, format!("{e} (for this model)"))
    })?;
    let base_model_name_or_path = match obj.get("base_model_name_or_path") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            return Err(field(
                "base_model_name_or_path",
                format!("is {other}; expected a string or null"),
            ))
        }
    };
    Ok(AdapterConfig {
        lora,
        base_model_name_or_path,
    })
}

/// `target_modules`: a list of module names (`q_proj`, or the path in the layer,
/// `self_attn.q_proj`), one name, or PEFT's `"all-linear"` (the seven); any other string is
/// a regular expression in PEFT, which is refused: list the modules instead.
fn parse_targets(obj: &Map<String, Value>, path: &Path) -> Result<Vec<LoraTarget>, AdapterError> {
    let field = |detail: String| AdapterError::Field {
        path: path.to_path_buf(),
        field: "target_modules",
        detail,
    };
    let seven = || {
        LoraTarget::ALL
            .iter()
            .map(|t| t.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let names: Vec<&str> =
        match obj.get("target_modules") {
            None | Some(Value::Null) => {
                return Err(field(format!(
                    "missing; list the adapted modules (some of {})",
                    seven()
                )))
            }
            // PEFT's shorthand for every linear but the output head: in a Llama-family
            // decoder, the seven.
            Some(Value::String(s)) if s == "all-linear" => {
                LoraTarget::ALL.iter().map(|t| t.name()).collect()
            }
            Some(Value::String(s)) => {
                if LoraTarget::from_name(s).is_none() {
                    return Err(field(format!(
                    "is the string {s:?}, which PEFT reads as a regular expression over module \
                     paths; hir does not match regular expressions: list the modules instead \
                     (some of {})",
                    seven()
                )));
                }
                vec![s.as_str()]
            }
            Some(Value::Array(list)) => {
                let mut names = Vec::with_capacity(list.len());
                for v in list {
                    names.push(v.as_str().ok_or_else(|| {
                        field(format!("holds {v}; expected module names (strings)"))
                    })?);
                }
                names
            }
            Some(other) => {
                return Err(field(format!(
                    "is {other}; expected a list of module names"
                )))
            }
        };
    let mut targets = Vec::with_capacity(names.len());
    for name in names {
        // PEFT matches a list entry against the end of each module path, so `q_proj` and
        // `self_attn.q_proj` both name the module in every layer.
        let target = LoraTarget::from_name(name)
            .or_else(|| LoraTarget::ALL.into_iter().find(|t| t.path() == name));
        match target {
            Some(t) => targets.push(t),
            None if matches!(name, "embed_tokens" | "lm_head") => {
                return Err(field(format!(
                    "names `{name}`: LoRA on the embedding or the output head is not supported; \
                     hir adapts the decoder layers' linears ({})",
                    seven()
                )))
            }
            None => {
                return Err(field(format!(
                    "names `{name}`, which is not a linear hir adapts; supported: {}",
                    seven()
                )))
            }
        }
    }
    if targets.is_empty() {
        return Err(field(format!(
            "is empty; list the adapted modules (some of {})",
            seven()
        )));
    }
    Ok(targets)
}

/// `lora_alpha` as JSON: an integer when it is one (as PEFT writes `lora_alpha=16`), else the
/// shortest decimal that reads back to the same f32.
fn alpha_json(alpha: f32) -> Value {
    if alpha.fract() == 0.0 && alpha.abs() < 16_777_216.0 {
        json!(alpha as i64)
    } else {
        json!(alpha)
    }
}

/// The `adapter_config.json` text PEFT 0.22's `save_pretrained` writes for a causal-LM LoRA
/// with this config (keys sorted, as PEFT writes them).
pub fn config_json(lora: &LoraConfig, base_model_name_or_path: Option<&str>) -> String {
    let targets: Vec<&str> = lora.targets.iter().map(|t| t.name()).collect();
    let value = json!({
        "alpha_pattern": {},
        "base_model_name_or_path": base_model_name_or_path,
        "bias": "none",
        "exclude_modules": null,
        "fan_in_fan_out": false,
        "inference_mode": true,
        "init_lora_weights": true,
        "layer_replication": null,
        "layers_pattern": null,
        "layers_to_transform": null,
        "lora_alpha": alpha_json(lora.alpha),
        "lora_bias": false,
        "lora_dropout": 0.0,
        "modules_to_save": null,
        "peft_type": "LORA",
        "r": lora.rank,
        "rank_pattern": {},
        "revision": null,
        "target_modules": targets,
        "target_parameters": null,
        "task_type": "CAUSAL_LM",
        "trainable_token_indices": null,
        "use_dora": false,
        "use_rslora": false,
    });
    let mut text = serde_json::to_string_pretty(&value).expect("a JSON value serialises");
    text.push('\n');
    text
}
