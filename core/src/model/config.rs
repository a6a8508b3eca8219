//! The decoder's configuration, under the names Hugging Face `config.json` files use.

use alloc::format;
use alloc::string::{String, ToString};
use serde::{Deserialize, Serialize};

use crate::backend::AttentionShape;

/// Architecture hyper-parameters of a Llama-family decoder (Llama, Qwen2, SmolLM2, ...).
///
/// Field names match Hugging Face `config.json`, so a published config deserialises directly
/// (see [`ModelConfig::from_hf_json`], which also accepts the `rope_parameters` style written by
/// transformers ≥ 5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    /// Number of tokens in the vocabulary (`V`).
    pub vocab_size: usize,
    /// Width of the residual stream (`D`).
    pub hidden_size: usize,
    /// Width of the SwiGLU hidden layer (`F`).
    pub intermediate_size: usize,
    /// Number of decoder layers.
    pub num_hidden_layers: usize,
    /// Number of query heads (`H`).
    pub num_attention_heads: usize,
    /// Number of key/value heads (`Hkv`, divides `H`; equal to `H` without GQA).
    pub num_key_value_heads: usize,
    /// Per-head width (`E`); `hidden_size / num_attention_heads` when the file omits it.
    pub head_dim: usize,
    /// RoPE base frequency.
    pub rope_theta: f32,
    /// RMSNorm epsilon.
    pub rms_norm_eps: f32,
    /// Whether the output projection shares the token-embedding matrix.
    pub tie_word_embeddings: bool,
    /// Whether the q/k/v projections carry a bias (Qwen2; Llama with `attention_bias`).
    pub attention_bias: bool,
    /// Whether `o_proj` carries a bias (Llama with `attention_bias`; never Qwen2).
    pub o_proj_bias: bool,
    /// Whether the MLP projections carry biases (Llama `mlp_bias`).
    pub mlp_bias: bool,
    /// Longest sequence the model was trained for.
    pub max_position_embeddings: usize,
}

/// Why a `config.json` could not be turned into a [`ModelConfig`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// The text is not valid JSON, or a field has the wrong type.
    #[error("invalid config JSON: {0}")]
    Json(String),
    /// A required field is absent.
    #[error("config field `{0}` is missing")]
    Missing(&'static str),
    /// A field has an unusable value.
    #[error("config field `{field}`: {detail}")]
    Invalid {
        /// The field name.
        field: &'static str,
        /// What is wrong and what was expected.
        detail: String,
    },
}

/// The subset of a Hugging Face config this crate reads, before defaults are applied.
#[derive(Deserialize)]
struct RawConfig {
    vocab_size: Option<usize>,
    hidden_size: Option<usize>,
    intermediate_size: Option<usize>,
    num_hidden_layers: Option<usize>,
    num_attention_heads: Option<usize>,
    num_key_value_heads: Option<usize>,
    head_dim: Option<usize>,
    rope_theta: Option<f64>,
    rope_parameters: Option<RopeParameters>,
    rope_scaling: Option<serde_json::Value>,
    rms_norm_eps: Option<f64>,
    tie_word_embeddings: Option<bool>,
    attention_bias: Option<bool>,
    mlp_bias: Option<bool>,
    use_sliding_window: Option<bool>,
    sliding_window: Option<serde_json::Value>,
    max_position_embeddings: Option<usize>,
    model_type: Option<String>,
    hidden_act: Option<String>,
}

#[derive(Deserialize)]
struct RopeParameters {
    rope_theta: Option<f64>,
    rope_type: Option<String>,
}

impl ModelConfig {
    /// Parses a Hugging Face `config.json`.
    ///
    /// Accepts both a top-level `rope_theta` (most published checkpoints) and
    /// `rope_parameters: {"rope_theta", "rope_type"}` (transformers ≥ 5). Defaults follow
    /// transformers: `head_dim = hidden_size / num_attention_heads`, `num_key_value_heads =
    /// num_attention_heads`, `rope_theta = 10000`, `rms_norm_eps = 1e-6`,
    /// `tie_word_embeddings = false`.
    ///
    /// Architectures (`model_type`): `llama` (also SmolLM2; `attention_bias` puts biases on
    /// q/k/v/o, `mlp_bias` on the MLP), `qwen2` (biases on q/k/v only) and `mistral` (as
    /// Llama, without sliding-window attention). Anything else is refused rather than
    /// silently computed wrong.
    pub fn from_hf_json(text: &str) -> Result<Self, ConfigError> {
        let raw: RawConfig =
            serde_json::from_str(text).map_err(|e| ConfigError::Json(e.to_string()))?;
        let model_type = raw.model_type.as_deref().unwrap_or("llama");
        if !matches!(model_type, "llama" | "qwen2" | "mistral") {
            return Err(ConfigError::Invalid {
                field: "model_type",
                detail: format!(
                    "`{model_type}` is not supported (expected \"llama\", \"qwen2\" or \"mistral\")"
                ),
            });
        }
        let sliding = match model_type {
            "qwen2" => raw.use_sliding_window.unwrap_or(false),
            "mistral" => raw.sliding_window.as_ref().is_some_and(|v| !v.is_null()),
            _ => false,
        };
        if sliding {
            return Err(ConfigError::Invalid {
                field: "sliding_window",
                detail: "sliding-window attention is not supported".to_string(),
            });
        }
        let is_qwen2 = model_type == "qwen2";
        let llama_bias = !is_qwen2 && raw.attention_bias.unwrap_or(false);
        if let Some(act) = raw.hidden_act.as_deref() {
            if act != "silu" {
                return Err(ConfigError::Invalid {
                    field: "hidden_act",
                    detail: format!("`{act}` is not supported (expected \"silu\")"),
                });
            }
        }
        let scaling = raw
            .rope_scaling
            .as_ref()
            .filter(|v| !v.is_null())
            .map(|v| v.to_string());
        let rope_type = raw
            .rope_parameters
            .as_ref()
            .and_then(|p| p.rope_type.clone());
        if let Some(s) = scaling {
            return Err(ConfigError::Invalid {
                field: "rope_scaling",
                detail: format!("{s} is not supported (only plain RoPE)"),
            });
        }
        if let Some(t) = rope_type.filter(|t| t != "default") {
            return Err(ConfigError::Invalid {
                field: "rope_parameters.rope_type",
                detail: format!("`{t}` is not supported (expected \"default\")"),
            });
        }
        let hidden_size = raw.hidden_size.ok_or(ConfigError::Missing("hidden_size"))?;
        let heads = raw
            .num_attention_heads
            .ok_or(ConfigError::Missing("num_attention_heads"))?;
        let rope_theta = raw
            .rope_parameters
            .as_ref()
            .and_then(|p| p.rope_theta)
            .or(raw.rope_theta)
            .unwrap_or(10_000.0);
        let cfg = ModelConfig {
            vocab_size: raw.vocab_size.ok_or(ConfigError::Missing("vocab_size"))?,
            hidden_size,
            intermediate_size: raw
                .intermediate_size
                .ok_or(ConfigError::Missing("intermediate_size"))?,
            num_hidden_layers: raw
                .num_hidden_layers
                .ok_or(ConfigError::Missing("num_hidden_layers"))?,
            num_attention_heads: heads,
            num_key_value_heads: raw.num_key_value_heads.unwrap_or(heads),
            head_dim: match raw.head_dim {
                Some(h) => h,
                None if heads > 0 => hidden_size / heads,
                None => 0,
            },
            rope_theta: rope_theta as f32,
            rms_norm_eps: raw.rms_norm_eps.unwrap_or(1e-6) as f32,
            tie_word_embeddings: raw.tie_word_embeddings.unwrap_or(false),
            attention_bias: is_qwen2 || llama_bias,
            o_proj_bias: llama_bias,
            mlp_bias: !is_qwen2 && raw.mlp_bias.unwrap_or(false),
            max_position_embeddings: raw.max_position_embeddings.unwrap_or(2048),
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks that the sizes fit together (positive, heads divisible, even head dim), that
    /// each is below its sane bound and the parameter count is representable
    /// ([`ModelConfig::check_limits`]), and that `rope_theta`, `rms_norm_eps` and
    /// `max_position_embeddings` are usable. Nothing sized by the config is allocated here.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let positive: [(&'static str, usize); 7] = [
            ("vocab_size", self.vocab_size),
            ("hidden_size", self.hidden_size),
            ("intermediate_size", self.intermediate_size),
            ("num_hidden_layers", self.num_hidden_layers),
            ("num_attention_heads", self.num_attention_heads),
            ("num_key_value_heads", self.num_key_value_heads),
            ("head_dim", self.head_dim),
        ];
        for (field, v) in positive {
            if v == 0 {
                return Err(ConfigError::Invalid {
                    field,
                    detail: "must be positive".to_string(),
                });
            }
        }
        if !self
            .num_attention_heads
            .is_multiple_of(self.num_key_value_heads)
        {
            return Err(ConfigError::Invalid {
                field: "num_key_value_heads",
                detail: format!(
                    "{} does not divide num_attention_heads = {}",
                    self.num_key_value_heads, self.num_attention_heads
                ),
            });
        }
        if self.o_proj_bias && !self.attention_bias {
            return Err(ConfigError::Invalid {
                field: "o_proj_bias",
                detail: "an o_proj bias without q/k/v biases matches no supported architecture"
                    .to_string(),
            });
        }
        if !self.head_dim.is_multiple_of(2) {
            return Err(ConfigError::Invalid {
                field: "head_dim",
                detail: format!("{} is odd; RoPE needs an even head dim", self.head_dim),
            });
        }
        if !(self.rope_theta > 0.0 && self.rope_theta.is_finite()) {
            return Err(ConfigError::Invalid {
                field: "rope_theta",
                detail: format!("{} is not a positive number", self.rope_theta),
            });
        }
        if !(self.rms_norm_eps > 0.0 && self.rms_norm_eps.is_finite()) {
            return Err(ConfigError::Invalid {
                field: "rms_norm_eps",
                detail: format!(
                    "{} is not a positive finite number (typical: 1e-5 or 1e-6)",
                    self.rms_norm_eps
                ),
            });
        }
        if self.max_position_embeddings == 0 {
            return Err(ConfigError::Invalid {
                field: "max_position_embeddings",
                detail: "must be positive (the longest sequence the model runs)".to_string(),
            });
        }
        self.check_limits()
    }

    /// Width of all query heads together, `H · E`.
    pub fn q_dim(&self) -> usize {
        self.num_attention_heads * self.head_dim
    }

    /// Width of all key (or value) heads together, `Hkv · E`.
    pub fn kv_dim(&self) -> usize {
        self.num_key_value_heads * self.head_dim
    }

    /// The head layout of the attention ops: `H` query heads, `Hkv` key/value heads, `E`.
    pub fn attention_shape(&self) -> AttentionShape {
        AttentionShape::new(
            self.num_attention_heads,
            self.num_key_value_heads,
            self.head_dim,
        )
    }

    /// Serialises to a Hugging Face style `config.json`: Qwen2 when only q/k/v carry biases,
    /// Llama otherwise.
    pub fn to_hf_json(&self) -> String {
        let qwen2 = self.attention_bias && !self.o_proj_bias && !self.mlp_bias;
        let (model_type, arch) = if qwen2 {
            ("qwen2", "Qwen2ForCausalLM")
        } else {
            ("llama", "LlamaForCausalLM")
        };
        let v = serde_json::json!({
            "architectures": [arch],
            "model_type": model_type,
            "vocab_size": self.vocab_size,
            "hidden_size": self.hidden_size,
            "intermediate_size": self.intermediate_size,
            "num_hidden_layers": self.num_hidden_layers,
            "num_attention_heads": self.num_attention_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "head_dim": self.head_dim,
            "hidden_act": "silu",
            "rope_theta": self.rope_theta,
            "rms_norm_eps": self.rms_norm_eps,
            "tie_word_embeddings": self.tie_word_embeddings,
            "attention_bias": self.attention_bias,
            "mlp_bias": self.mlp_bias,
            "max_position_embeddings": self.max_position_embeddings,
            "torch_dtype": "float32",
        });
        serde_json::to_string_pretty(&v).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_rope_styles_parse() {
        let old = r#"{"vocab_size": 10, "hidden_size": 8, "intermediate_size": 16,
            "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1,
            "rope_theta": 500000.0, "tie_word_embeddings": true}"#;
        let new = r#"{"vocab_size": 10, "hidden_size": 8, "intermediate_size": 16,
            "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1,
            "rope_parameters": {"rope_theta": 500000.0, "rope_type": "default"},
            "tie_word_embeddings": true}"#;
        let a = ModelConfig::from_hf_json(old).unwrap();
        let b = ModelConfig::from_hf_json(new).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.head_dim, 4);
        assert_eq!(a.rope_theta, 500000.0);
        let round = ModelConfig::from_hf_json(&a.to_hf_json()).unwrap();
        assert_eq!(round, a);
    }

    #[test]
    fn llama_biases_and_unsupported_architectures() {
        let base = r#""vocab_size": 10, "hidden_size": 8, "intermediate_size": 16,
            "num_hidden_layers": 1, "num_attention_heads": 2"#;
        let cfg = |extra: &str| ModelConfig::from_hf_json(&format!("{{{base}, {extra}}}"));
        let llama = cfg(r#""model_type": "llama", "attention_bias": true, "mlp_bias": true"#);
        let llama = llama.unwrap();
        assert!(llama.attention_bias && llama.o_proj_bias && llama.mlp_bias);
        let qwen = cfg(r#""model_type": "qwen2", "use_sliding_window": false"#).unwrap();
        assert!(qwen.attention_bias && !qwen.o_proj_bias && !qwen.mlp_bias);
        assert_eq!(ModelConfig::from_hf_json(&qwen.to_hf_json()).unwrap(), qwen);
        assert_eq!(
            ModelConfig::from_hf_json(&llama.to_hf_json()).unwrap(),
            llama
        );
        let e = cfg(r#""model_type": "qwen3""#).unwrap_err().to_string();
        assert!(e.contains("model_type") && e.contains("qwen3"), "{e}");
        let e = cfg(r#""model_type": "qwen2", "use_sliding_window": true"#).unwrap_err();
        assert!(e.to_string().contains("sliding"), "{e}");
        let e = cfg(r#""model_type": "mistral", "sliding_window": 4096"#).unwrap_err();
        assert!(e.to_string().contains("sliding"), "{e}");
        assert!(cfg(r#""model_type": "mistral", "sliding_window": null"#).is_ok());
        let e = cfg(r#""hidden_act": "gelu""#).unwrap_err().to_string();
        assert!(e.contains("hidden_act"), "{e}");
    }

    #[test]
    fn errors_name_the_field() {
        let bad = r#"{"vocab_size": 10, "hidden_size": 8, "intermediate_size": 16,
            "num_hidden_layers": 1, "num_attention_heads": 3, "num_key_value_heads": 2}"#;
        let e = ModelConfig::from_hf_json(bad).unwrap_err();
        assert!(e.to_string().contains("num_key_value_heads"), "{e}");
        let missing = r#"{"hidden_size": 8, "num_attention_heads": 2}"#;
        assert_eq!(
            ModelConfig::from_hf_json(missing).unwrap_err(),
            ConfigError::Missing("vocab_size")
        );
    }
}
