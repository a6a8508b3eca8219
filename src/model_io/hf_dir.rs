//! Hugging Face model directories: `config.json` + `model.safetensors` (or shards listed in
//! `model.safetensors.index.json`).

use super::tensors::{
    parse_tensors, read_tensors, write_f16_safetensors, write_f32_safetensors, HostTensor,
};
use super::{write_atomic, ModelIoError};
use hir_core::model::{param_shapes, ModelConfig, Params};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A model on the host: its config and f32 weights.
#[derive(Debug, Clone, PartialEq)]
pub struct HostModel {
    /// The architecture.
    pub config: ModelConfig,
    /// The weights, in f32.
    pub params: Params<Vec<f32>>,
}

fn read_text(path: &Path) -> Result<String, ModelIoError> {
    std::fs::read_to_string(path).map_err(|source| ModelIoError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// The weight files of a directory: the shards named by the index (in name order), or
/// `model.safetensors`.
pub fn weight_files(dir: &Path) -> Result<Vec<PathBuf>, ModelIoError> {
    let index = dir.join("model.safetensors.index.json");
    if index.exists() {
        let text = read_text(&index)?;
        let v: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| ModelIoError::Format {
                path: index.clone(),
                detail: format!("invalid JSON: {e}"),
            })?;
        let map = v
            .get("weight_map")
            .and_then(|m| m.as_object())
            .ok_or_else(|| ModelIoError::Format {
                path: index.clone(),
                detail: "expected an object field `weight_map` (tensor name → shard file)".into(),
            })?;
        let mut files = BTreeSet::new();
        for (name, file) in map {
            let file = file.as_str().ok_or_else(|| ModelIoError::Format {
                path: index.clone(),
                detail: format!("weight_map[`{name}`] should be a file name"),
            })?;
            files.insert(dir.join(file));
        }
        return Ok(files.into_iter().collect());
    }
    let single = dir.join("model.safetensors");
    if single.exists() {
        return Ok(vec![single]);
    }
    Err(ModelIoError::Read {
        path: single,
        source: std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no model.safetensors or model.safetensors.index.json in the model directory",
        ),
    })
}

/// Loads a Hugging Face directory (Llama / Qwen2 / SmolLM2 style) into f32 host weights.
pub fn load_hf_dir(dir: &Path) -> Result<HostModel, ModelIoError> {
    let cfg_path = dir.join("config.json");
    let config = ModelConfig::from_hf_json(&read_text(&cfg_path)?).map_err(|source| {
        ModelIoError::Config {
            path: cfg_path.clone(),
            source,
        }
    })?;
    let mut found: BTreeMap<String, (PathBuf, HostTensor)> = BTreeMap::new();
    for file in weight_files(dir)? {
        for (name, t) in read_tensors(&file)? {
            found.insert(name, (file.clone(), t));
        }
    }
    assemble(dir, config, found)
}

/// Builds a model from the text of a `config.json` and the bytes of one `model.safetensors`
/// (e.g. files embedded in the binary); `origin` names them in errors.
pub fn host_model_from_bytes(
    config_json: &str,
    safetensors: &[u8],
    origin: &Path,
) -> Result<HostModel, ModelIoError> {
    let config = ModelConfig::from_hf_json(config_json).map_err(|source| ModelIoError::Config {
        path: origin.join("config.json"),
        source,
    })?;
    let file = origin.join("model.safetensors");
    let found = parse_tensors(safetensors, &file)?
        .into_iter()
        .map(|(name, t)| (name, (file.clone(), t)))
        .collect();
    assemble(origin, config, found)
}

/// Checks the found tensors against the config and orders them as parameters.
fn assemble(
    dir: &Path,
    config: ModelConfig,
    mut found: BTreeMap<String, (PathBuf, HostTensor)>,
) -> Result<HostModel, ModelIoError> {
    let mut items = Vec::new();
    for (name, shape) in param_shapes(&config) {
        let Some((file, t)) = found.remove(&name) else {
            return Err(ModelIoError::MissingTensor {
                path: dir.to_path_buf(),
                name,
                shape,
            });
        };
        if t.shape != shape {
            return Err(ModelIoError::Shape {
                path: file,
                name,
                expected: shape,
                found: t.shape,
            });
        }
        items.push(t.data);
    }
    let params = Params::from_ordered(&config, items).ok_or_else(|| ModelIoError::Format {
        path: dir.to_path_buf(),
        detail: "internal: parameter list shorter than the config".into(),
    })?;
    Ok(HostModel { config, params })
}

/// Saves a model as a Hugging Face directory (`config.json` + f32 `model.safetensors`),
/// creating `dir` if needed. Each file is written atomically.
pub fn save_hf_dir(dir: &Path, model: &HostModel) -> Result<(), ModelIoError> {
    std::fs::create_dir_all(dir).map_err(|source| ModelIoError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let tensors: Vec<(String, Vec<usize>, &[f32])> = param_shapes(&model.config)
        .into_iter()
        .zip(model.params.tensors())
        .map(|((name, shape), data)| (name, shape, data.as_slice()))
        .collect();
    write_f32_safetensors(&dir.join("model.safetensors"), &tensors)?;
    write_atomic(
        &dir.join("config.json"),
        model.config.to_hf_json().as_bytes(),
    )
}

/// Saves a model as a Hugging Face directory with F16 weights (`config.json` with
/// `torch_dtype: "float16"` + `model.safetensors`), creating `dir` if needed. Each file is
/// written atomically.
pub fn save_hf_dir_f16(dir: &Path, model: &HostModel) -> Result<(), ModelIoError> {
    std::fs::create_dir_all(dir).map_err(|source| ModelIoError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let tensors: Vec<(String, Vec<usize>, &[f32])> = param_shapes(&model.config)
        .into_iter()
        .zip(model.params.tensors())
        .map(|((name, shape), data)| (name, shape, data.as_slice()))
        .collect();
    write_f16_safetensors(&dir.join("model.safetensors"), &tensors)?;
    let config = model
        .config
        .to_hf_json()
        .replacen("\"float32\"", "\"float16\"", 1);
    write_atomic(&dir.join("config.json"), config.as_bytes())
}
