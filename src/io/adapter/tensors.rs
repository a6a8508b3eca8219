//! `adapter_model.safetensors`: the LoRA pairs under PEFT's keys
//! (`base_model.model.model.layers.{l}.self_attn.q_proj.lora_A.weight`, ...), read against
//! the model and the adapter's config, and written in f32.
//!
//! Every key is checked before any tensor data is converted: a key that is not one of this
//! adapter's tensors, a missing key and a wrong shape are refused, naming the key and what was
//! expected. Keys saved by older PEFT versions carry the adapter name
//! (`...lora_A.default.weight`); both spellings are read. Values must be finite F32, F16 or
//! BF16 (read as f32).

use super::AdapterError;
use crate::io::model::{tensor_to_f32, write_f32_safetensors, DtypePolicy, SafetensorsFile};
use hir_core::model::lora::lora_shapes;
use hir_core::model::{LoraConfig, LoraTarget, LoraWeights, ModelConfig};
use std::collections::BTreeMap;
use std::path::Path;

/// The name of the weight file in an adapter directory.
pub const WEIGHTS_FILE: &str = "adapter_model.safetensors";

/// The key PEFT writes without the adapter name: `...lora_A.default.weight` →
/// `...lora_A.weight` (other keys unchanged).
fn without_adapter_name(key: &str) -> std::borrow::Cow<'_, str> {
    for side in ["lora_A", "lora_B"] {
        let old = format!(".{side}.default.weight");
        if let Some(stem) = key.strip_suffix(&old) {
            return format!("{stem}.{side}.weight").into();
        }
    }
    key.into()
}

/// Why `key` is not an adapter tensor of this model, in words.
fn unexpected_key(key: &str, cfg: &ModelConfig, lora: &LoraConfig) -> String {
    let modules: Vec<&str> = lora.targets.iter().map(|t| t.path()).collect();
    let pattern = format!(
        "expected `base_model.model.model.layers.{{l}}.{{module}}.lora_{{A|B}}.weight` with l \
         in 0..{} and module one of {} (target_modules of adapter_config.json)",
        cfg.num_hidden_layers,
        modules.join(", ")
    );
    if key.contains("lora_embedding_") {
        format!("LoRA on the embedding is not supported; {pattern}")
    } else if key.contains("lora_magnitude_vector") {
        format!("DoRA magnitude vectors are not supported; {pattern}")
    } else if key.contains(".lora_") && key.ends_with(".bias") {
        format!("LoRA biases are not supported; {pattern}")
    } else if key.ends_with(".bias") {
        format!("trained biases are not supported; {pattern}")
    } else if LoraTarget::ALL
        .iter()
        .any(|t| !lora.targets(*t) && key.contains(&format!(".{}.lora_", t.path())))
    {
        format!("this module is not in target_modules of adapter_config.json; {pattern}")
    } else {
        format!("not an adapter tensor of this model; {pattern}")
    }
}

/// Reads the adapter tensors at `path` for `lora` on a model of `cfg`. Returns the weights
/// and each tensor's key as the file spells it, in [`LoraWeights::named`] order.
pub fn read_tensors(
    path: &Path,
    cfg: &ModelConfig,
    lora: &LoraConfig,
) -> Result<(LoraWeights<Vec<f32>>, Vec<String>), AdapterError> {
    let file = SafetensorsFile::open(path)?;
    let st = file.parse()?;
    let shapes = lora_shapes(cfg, lora);
    let index: BTreeMap<&str, usize> = shapes
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (name.as_str(), i))
        .collect();
    let tensor_error = |key: &str, detail: String| AdapterError::Tensor {
        path: path.to_path_buf(),
        key: key.to_string(),
        detail,
    };
    // Every key first (no tensor data read): where it goes, its shape, no repeats.
    let mut found: Vec<Option<String>> = vec![None; shapes.len()];
    let mut names = st.names();
    names.sort();
    for key in names {
        let canonical = without_adapter_name(key);
        let Some(&i) = index.get(canonical.as_ref()) else {
            return Err(tensor_error(key, unexpected_key(key, cfg, lora)));
        };
        if let Some(other) = &found[i] {
            return Err(tensor_error(
                key,
                format!("the same tensor is also stored as `{other}`; keep one of them"),
            ));
        }
        let view = st
            .tensor(key)
            .map_err(|e| tensor_error(key, format!("{e}")))?;
        let expected = &shapes[i].1;
        if view.shape() != expected.as_slice() {
            let side = if canonical.ends_with("lora_A.weight") {
                "[r, in]"
            } else {
                "[out, r]"
            };
            return Err(tensor_error(
                key,
                format!(
                    "shape {:?}, expected {side} = {expected:?} (r = {} from \
                     adapter_config.json)",
                    view.shape(),
                    lora.rank
                ),
            ));
        }
        found[i] = Some(key.to_string());
    }
    let mut keys = Vec::with_capacity(shapes.len());
    for ((name, shape), key) in shapes.iter().zip(found) {
        match key {
            Some(k) => keys.push(k),
            None => {
                return Err(tensor_error(
                    name,
                    format!(
                        "missing (expected shape {shape:?}: target_modules and r of \
                         adapter_config.json imply it)"
                    ),
                ))
            }
        }
    }
    let mut items = Vec::with_capacity(keys.len());
    for key in &keys {
        let view = st
            .tensor(key)
            .map_err(|e| tensor_error(key, format!("{e}")))?;
        items.push(tensor_to_f32(key, &view, path, DtypePolicy::FloatWeights)?.data);
    }
    let weights = LoraWeights::from_ordered(cfg, lora.clone(), items)
        .expect("one tensor per entry of lora_shapes");
    Ok((weights, keys))
}

/// Writes `weights` to `path` in f32 under PEFT's keys, in [`LoraWeights::named`] order,
/// atomically. Shapes come from the rank: `A` is `[r, len / r]`, `B` is `[len / r, r]`.
pub fn write_tensors(
    path: &Path,
    dir: &Path,
    weights: &LoraWeights<Vec<f32>>,
) -> Result<(), AdapterError> {
    let r = weights.config.rank;
    let invalid = |detail: String| AdapterError::Invalid {
        dir: dir.to_path_buf(),
        detail,
    };
    if r == 0 {
        return Err(invalid("the adapter's rank is 0".into()));
    }
    let mut tensors = Vec::new();
    for (name, data) in weights.named() {
        if data.is_empty() || data.len() % r != 0 {
            return Err(invalid(format!(
                "tensor `{name}` has {} values, not a positive multiple of the rank {r}",
                data.len()
            )));
        }
        let other = data.len() / r;
        let shape = if name.ends_with("lora_A.weight") {
            vec![r, other]
        } else {
            vec![other, r]
        };
        tensors.push((name, shape, data.as_slice()));
    }
    write_f32_safetensors(path, &tensors)?;
    Ok(())
}
