//! Sane bounds on every size a [`ModelConfig`] can set, and the overflow-checked parameter
//! count, so that a config (a downloaded `config.json`, GGUF metadata, `hir bench --config`)
//! cannot make anything proportional to one of its sizes be allocated before it is checked.

use super::config::{ConfigError, ModelConfig};
use alloc::format;

/// Most decoder layers a config may declare. The deepest published Llama-family models have
/// about 130; per-layer bookkeeping (parameter names and shapes) is built before any weight is
/// read, so this keeps it to a few MB whatever the file says.
pub const MAX_LAYERS: usize = 4096;
/// Largest width, head count, head dim or vocabulary a config may declare: 2^24, far above any
/// real model's (vocabularies reach ~260k, hidden sizes ~16k), small enough that the product
/// of two sizes cannot overflow 64 bits.
pub const MAX_DIM: usize = 1 << 24;
/// Largest `max_position_embeddings` accepted: 2^28 tokens. Nothing is sized by it in
/// advance (caches grow with the actual sequence), so the bound only refuses nonsense.
pub const MAX_POSITIONS: usize = 1 << 28;
/// Most parameters a config may describe: 2^40 (about 1.1 trillion, 4.4 TB of f32).
pub const MAX_PARAMS: u64 = 1 << 40;

fn invalid(field: &'static str, detail: alloc::string::String) -> ConfigError {
    ConfigError::Invalid { field, detail }
}

fn overflow(what: &str) -> ConfigError {
    invalid(
        "num_hidden_layers",
        format!("the parameter count overflows 64 bits ({what})"),
    )
}

impl ModelConfig {
    /// Checks every size against its sane bound ([`MAX_LAYERS`], [`MAX_DIM`],
    /// [`MAX_POSITIONS`]) and the total parameter count against [`MAX_PARAMS`]; called by
    /// [`ModelConfig::validate`].
    pub fn check_limits(&self) -> Result<(), ConfigError> {
        if self.num_hidden_layers > MAX_LAYERS {
            return Err(invalid(
                "num_hidden_layers",
                format!(
                    "{} is implausibly large (at most {MAX_LAYERS} layers are accepted)",
                    self.num_hidden_layers
                ),
            ));
        }
        let dims: [(&'static str, usize); 6] = [
            ("vocab_size", self.vocab_size),
            ("hidden_size", self.hidden_size),
            ("intermediate_size", self.intermediate_size),
            ("num_attention_heads", self.num_attention_heads),
            ("num_key_value_heads", self.num_key_value_heads),
            ("head_dim", self.head_dim),
        ];
        for (field, v) in dims {
            if v > MAX_DIM {
                return Err(invalid(
                    field,
                    format!("{v} is implausibly large (at most {MAX_DIM} is accepted)"),
                ));
            }
        }
        for (field, heads) in [
            ("num_attention_heads", self.num_attention_heads),
            ("num_key_value_heads", self.num_key_value_heads),
        ] {
            // Both at most 2^24, so the product fits in 64 bits.
            let width = heads as u64 * self.head_dim as u64;
            if width > MAX_DIM as u64 {
                return Err(invalid(
                    field,
                    format!(
                        "{heads} heads × head_dim {} = {width} is implausibly wide (at most \
                         {MAX_DIM})",
                        self.head_dim
                    ),
                ));
            }
        }
        if self.max_position_embeddings > MAX_POSITIONS {
            return Err(invalid(
                "max_position_embeddings",
                format!(
                    "{} is implausibly large (at most {MAX_POSITIONS} is accepted)",
                    self.max_position_embeddings
                ),
            ));
        }
        let n = self.checked_param_count()?;
        if n > MAX_PARAMS {
            return Err(invalid(
                self.largest_term(),
                format!(
                    "the config describes {n} parameters, more than the {MAX_PARAMS} accepted \
                     (vocab_size {}, hidden_size {}, intermediate_size {}, {} layers)",
                    self.vocab_size,
                    self.hidden_size,
                    self.intermediate_size,
                    self.num_hidden_layers
                ),
            ));
        }
        Ok(())
    }

    /// The field behind most of the parameters: `vocab_size` when the embedding (and head)
    /// outweigh the layers, `num_hidden_layers` otherwise.
    fn largest_term(&self) -> &'static str {
        let embed = self.vocab_size as u128 * self.hidden_size as u128 * 2;
        let width = self.hidden_size.max(self.intermediate_size) as u128;
        let layers = self.num_hidden_layers as u128 * width * self.hidden_size as u128 * 4;
        if embed >= layers {
            "vocab_size"
        } else {
            "num_hidden_layers"
        }
    }

    /// Number of scalar parameters, computed with overflow checks and without building the
    /// parameter list; an error (naming the sizes) when it does not fit in 64 bits.
    pub fn checked_param_count(&self) -> Result<u64, ConfigError> {
        let (d, f, v) = (
            self.hidden_size as u64,
            self.intermediate_size as u64,
            self.vocab_size as u64,
        );
        let qd = (self.num_attention_heads as u64)
            .checked_mul(self.head_dim as u64)
            .ok_or_else(|| overflow("num_attention_heads × head_dim"))?;
        let kvd = (self.num_key_value_heads as u64)
            .checked_mul(self.head_dim as u64)
            .ok_or_else(|| overflow("num_key_value_heads × head_dim"))?;
        let mul = |a: u64, b: u64, what: &str| a.checked_mul(b).ok_or_else(|| overflow(what));
        let sum = |xs: &[u64], what: &str| {
            xs.iter()
                .try_fold(0u64, |acc, &x| acc.checked_add(x))
                .ok_or_else(|| overflow(what))
        };
        let per_layer = sum(
            &[
                mul(2, d, "norms")?,
                mul(qd, d, "q_proj")?,
                mul(mul(2, kvd, "k/v_proj")?, d, "k/v_proj")?,
                mul(d, qd, "o_proj")?,
                if self.attention_bias {
                    sum(&[qd, kvd, kvd], "q/k/v biases")?
                } else {
                    0
                },
                if self.o_proj_bias { d } else { 0 },
                mul(mul(3, f, "mlp")?, d, "mlp")?,
                if self.mlp_bias {
                    sum(&[f, f, d], "mlp biases")?
                } else {
                    0
                },
            ],
            "one layer",
        )?;
        let embed = mul(v, d, "vocab_size × hidden_size")?;
        sum(
            &[
                embed,
                mul(per_layer, self.num_hidden_layers as u64, "layers")?,
                d,
                if self.tie_word_embeddings { 0 } else { embed },
            ],
            "total",
        )
    }

    /// Checks that a model of this config with f32 weights fits a budget of `max_params`
    /// parameters (after [`ModelConfig::validate`]); returns the parameter count. For callers
    /// that allocate weights from the config alone (random weights, `hir bench --config`),
    /// where there are no files to compare the sizes with.
    pub fn validate_param_budget(&self, max_params: u64) -> Result<u64, ConfigError> {
        self.validate()?;
        let n = self.checked_param_count()?;
        if n > max_params {
            return Err(invalid(
                self.largest_term(),
                format!(
                    "the config describes {n} parameters ({:.1} GB of f32 weights), more than \
                     the {max_params} allowed here (vocab_size {}, hidden_size {}, \
                     intermediate_size {}, {} layers); use smaller sizes",
                    n as f64 * 4.0 / 1e9,
                    self.vocab_size,
                    self.hidden_size,
                    self.intermediate_size,
                    self.num_hidden_layers
                ),
            ));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::param_shapes;
    use alloc::string::ToString;

    const BASE: &str = r#""vocab_size": 10, "hidden_size": 8, "intermediate_size": 16,
        "num_attention_heads": 2, "num_key_value_heads": 1"#;

    fn parse(extra: &str) -> Result<ModelConfig, ConfigError> {
        ModelConfig::from_hf_json(&format!("{{{BASE}, {extra}}}"))
    }

    #[test]
    fn the_checked_count_is_the_sum_of_the_shapes() {
        for extra in [
            r#""num_hidden_layers": 3"#,
            r#""num_hidden_layers": 2, "tie_word_embeddings": true"#,
            r#""num_hidden_layers": 2, "model_type": "qwen2""#,
            r#""num_hidden_layers": 1, "attention_bias": true, "mlp_bias": true"#,
        ] {
            let c = parse(extra).unwrap();
            let by_shapes: usize = param_shapes(&c)
                .iter()
                .map(|(_, s)| s.iter().product::<usize>())
                .sum();
            assert_eq!(
                c.checked_param_count().unwrap(),
                by_shapes as u64,
                "{extra}"
            );
            assert_eq!(crate::model::param_count(&c), by_shapes, "{extra}");
        }
    }

    #[test]
    fn every_size_has_a_bound() {
        let e = parse(r#""num_hidden_layers": 1000000000000"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "config field `num_hidden_layers`: 1000000000000 is implausibly large (at most 4096 \
             layers are accepted)"
        );
        let e = ModelConfig::from_hf_json(
            r#"{"vocab_size": 1000000000000, "hidden_size": 8, "intermediate_size": 16,
            "num_hidden_layers": 1, "num_attention_heads": 2}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "config field `vocab_size`: 1000000000000 is implausibly large (at most 16777216 is \
             accepted)"
        );
        let e = parse(r#""num_hidden_layers": 1, "max_position_embeddings": 0"#).unwrap_err();
        assert!(
            e.to_string()
                .contains("`max_position_embeddings`: must be positive"),
            "{e}"
        );
        let e = parse(r#""num_hidden_layers": 1, "rms_norm_eps": -1e-6"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "config field `rms_norm_eps`: -0.000001 is not a positive finite number (typical: \
             1e-5 or 1e-6)"
        );
        let e = parse(r#""num_hidden_layers": 1, "rms_norm_eps": 1e300"#).unwrap_err();
        assert!(e.to_string().contains("`rms_norm_eps`: inf"), "{e}");
        let e = parse(r#""num_hidden_layers": 1, "rope_theta": -5.0"#).unwrap_err();
        assert!(e.to_string().contains("`rope_theta`: -5"), "{e}");
        let e = parse(r#""num_hidden_layers": 1, "head_dim": 16777216"#).unwrap_err();
        assert!(e.to_string().contains("implausibly wide"), "{e}");
    }

    #[test]
    fn a_budget_bounds_random_weights() {
        let c = ModelConfig {
            vocab_size: 1 << 24,
            hidden_size: 1 << 12,
            ..parse(r#""num_hidden_layers": 1"#).unwrap()
        };
        let n = c.checked_param_count().unwrap();
        assert_eq!(c.validate_param_budget(n).unwrap(), n);
        let e = c.validate_param_budget(n - 1).unwrap_err().to_string();
        assert!(
            e.starts_with("config field `vocab_size`: the config describes"),
            "{e}"
        );
    }
}
