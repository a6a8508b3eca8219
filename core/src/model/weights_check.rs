//! [`WeightsSummary`]: what a model's weight files actually hold (layers found among the
//! tensor names, the shapes that fix each size), and [`ModelConfig::check_weights`], which
//! compares a config with it before anything is sized by the config.

use super::config::{ConfigError, ModelConfig};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The sizes a set of weight tensors fixes, read from their Hugging Face names and shapes
/// (row-major), without reading any tensor data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeightsSummary {
    /// Number of decoder layers: one more than the highest `N` of a `model.layers.N.*` tensor
    /// (0 when there is none).
    pub layers: usize,
    /// Shape of `model.embed_tokens.weight` (`[vocab_size, hidden_size]`).
    pub embed: Option<Vec<usize>>,
    /// Shape of `model.layers.0.self_attn.q_proj.weight` (`[heads · head_dim, hidden_size]`).
    pub q_proj: Option<Vec<usize>>,
    /// Shape of `model.layers.0.self_attn.k_proj.weight` (`[kv_heads · head_dim, hidden_size]`).
    pub k_proj: Option<Vec<usize>>,
    /// Shape of `model.layers.0.mlp.gate_proj.weight` (`[intermediate_size, hidden_size]`).
    pub gate_proj: Option<Vec<usize>>,
}

/// The layer index `N` of a `model.layers.N.…` name.
pub fn layer_index(hf_name: &str) -> Option<usize> {
    let rest = hf_name.strip_prefix("model.layers.")?;
    let (n, _) = rest.split_once('.')?;
    // "01" or "+1" are not how any writer spells an index; they do not count as a layer.
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) || (n.len() > 1 && n.starts_with('0'))
    {
        return None;
    }
    n.parse().ok()
}

impl WeightsSummary {
    /// Summarises tensors given as `(Hugging Face name, row-major shape)`.
    pub fn from_tensors<'a>(tensors: impl IntoIterator<Item = (&'a str, &'a [usize])>) -> Self {
        let mut s = WeightsSummary::default();
        for (name, shape) in tensors {
            s.observe(name, shape);
        }
        s
    }

    /// Adds one tensor, given by its Hugging Face name and row-major shape.
    pub fn observe(&mut self, name: &str, shape: &[usize]) {
        if let Some(l) = layer_index(name) {
            self.layers = self.layers.max(l.saturating_add(1));
        }
        let slot = match name {
            "model.embed_tokens.weight" => &mut self.embed,
            "model.layers.0.self_attn.q_proj.weight" => &mut self.q_proj,
            "model.layers.0.self_attn.k_proj.weight" => &mut self.k_proj,
            "model.layers.0.mlp.gate_proj.weight" => &mut self.gate_proj,
            _ => return,
        };
        *slot = Some(shape.to_vec());
    }
}

fn mismatch(field: &'static str, detail: String) -> ConfigError {
    ConfigError::Invalid { field, detail }
}

impl ModelConfig {
    /// Compares the config's sizes with the weights actually present: the layer count with
    /// the layers found among the tensor names, `vocab_size` and `hidden_size` with the
    /// embedding's shape, the head counts and `head_dim` with layer 0's q/k projections,
    /// `intermediate_size` with its gate projection. Run it before building anything sized
    /// by the config; a missing tensor is left to the caller (who names it). The error names
    /// the config field, its value and what the weights hold.
    pub fn check_weights(&self, w: &WeightsSummary) -> Result<(), ConfigError> {
        if w.layers != self.num_hidden_layers {
            let held = match w.layers {
                0 => String::from("no decoder layer (no `model.layers.N.*` tensor)"),
                1 => String::from("1 layer (`model.layers.0.*`)"),
                n => format!(
                    "{n} layers (`model.layers.0.*` to `model.layers.{}.*`)",
                    n - 1
                ),
            };
            let first_missing = if self.num_hidden_layers > w.layers {
                format!(
                    "; tensor `model.layers.{}.input_layernorm.weight` is missing",
                    w.layers
                )
            } else {
                String::new()
            };
            return Err(mismatch(
                "num_hidden_layers",
                format!(
                    "{}, but the weights hold {held}{first_missing}",
                    self.num_hidden_layers
                ),
            ));
        }
        let check = |tensor: &str,
                     shape: &Option<Vec<usize>>,
                     implied: [usize; 2],
                     axis: usize,
                     field: &'static str,
                     meaning: &str|
         -> Result<(), ConfigError> {
            let Some(shape) = shape else { return Ok(()) };
            match shape.get(axis) {
                Some(&found) if shape.len() == 2 && found == implied[axis] => Ok(()),
                _ => Err(mismatch(
                    field,
                    format!(
                        "{meaning} = {}, but `{tensor}` has shape {shape:?} where the config \
                         implies {implied:?}",
                        implied[axis]
                    ),
                )),
            }
        };
        let (vocab, hidden) = ("vocab_size", "hidden_size");
        let embed = "model.embed_tokens.weight";
        let (v, d) = (self.vocab_size, self.hidden_size);
        check(embed, &w.embed, [v, d], 0, vocab, vocab)?;
        check(embed, &w.embed, [v, d], 1, hidden, hidden)?;
        let q = "model.layers.0.self_attn.q_proj.weight";
        let k = "model.layers.0.self_attn.k_proj.weight";
        let gate = "model.layers.0.mlp.gate_proj.weight";
        let heads = format!(
            "num_attention_heads {} × head_dim {}",
            self.num_attention_heads, self.head_dim
        );
        let kv_heads = format!(
            "num_key_value_heads {} × head_dim {}",
            self.num_key_value_heads, self.head_dim
        );
        let (qd, kvd, f) = (self.q_dim(), self.kv_dim(), self.intermediate_size);
        check(q, &w.q_proj, [qd, d], 0, "num_attention_heads", &heads)?;
        check(q, &w.q_proj, [qd, d], 1, hidden, hidden)?;
        check(k, &w.k_proj, [kvd, d], 0, "num_key_value_heads", &kv_heads)?;
        let mlp = "intermediate_size";
        check(gate, &w.gate_proj, [f, d], 0, mlp, mlp)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn cfg() -> ModelConfig {
        ModelConfig::from_hf_json(
            r#"{"vocab_size": 10, "hidden_size": 8, "intermediate_size": 16,
            "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1}"#,
        )
        .unwrap()
    }

    #[test]
    fn layer_indices() {
        assert_eq!(layer_index("model.layers.12.mlp.up_proj.weight"), Some(12));
        assert_eq!(layer_index("model.layers.01.mlp.up_proj.weight"), None);
        assert_eq!(layer_index("model.layers.x.mlp"), None);
        assert_eq!(layer_index("model.norm.weight"), None);
        assert_eq!(
            layer_index("model.layers.99999999999999999999999.a"),
            None,
            "an index past usize is not a layer"
        );
    }

    #[test]
    fn a_config_is_checked_against_the_weights() {
        let c = cfg();
        let ok = WeightsSummary {
            layers: 2,
            embed: Some(alloc::vec![10, 8]),
            q_proj: Some(alloc::vec![8, 8]),
            k_proj: Some(alloc::vec![4, 8]),
            gate_proj: Some(alloc::vec![16, 8]),
        };
        c.check_weights(&ok).unwrap();
        let e = c
            .check_weights(&WeightsSummary {
                layers: 1,
                ..ok.clone()
            })
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "config field `num_hidden_layers`: 2, but the weights hold 1 layer \
             (`model.layers.0.*`); tensor `model.layers.1.input_layernorm.weight` is missing"
        );
        let e = c
            .check_weights(&WeightsSummary {
                embed: Some(alloc::vec![11, 8]),
                ..ok.clone()
            })
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "config field `vocab_size`: vocab_size = 10, but `model.embed_tokens.weight` has \
             shape [11, 8] where the config implies [10, 8]"
        );
        let e = c
            .check_weights(&WeightsSummary {
                k_proj: Some(alloc::vec![8, 8]),
                ..ok
            })
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("config field `num_key_value_heads`"), "{e}");
    }
}
