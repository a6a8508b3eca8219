//! Hugging Face model directories: `config.json` + `model.safetensors` (or shards listed in
//! `model.safetensors.index.json`).

use super::tensors::{
    parse_header, tensor_to_f32, write_f16_safetensors, write_f32_safetensors, DtypePolicy,
    SafetensorsFile,
};
use super::{write_atomic, ModelIoError};
use crate::io::host_model::HostModel;
use hir_core::model::{param_shapes, ModelConfig, Params, WeightsSummary};
use safetensors::tensor::TensorView;
use safetensors::SafeTensors;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Reads a model directory's small JSON file (`config.json`, the shard index) through the
/// bounded input reader: a regular file of at most 16 MiB.
fn read_small_json(path: &Path, what: &'static str) -> Result<String, ModelIoError> {
    crate::io::input_file::read_text(path, what, crate::io::input_file::MAX_CONFIG_BYTES)
        .map_err(|e| ModelIoError::Input(Box::new(e)))
}

/// Why `name` (a `weight_map` value) is not a plain file name inside the model directory, or
/// `None` when it is.
fn bad_shard_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("it is empty")
    } else if name == "." || name == ".." {
        Some("it names a directory")
    } else if name.contains('/') || name.contains('\\') {
        Some("it contains a path separator (absolute paths and subdirectories are refused)")
    } else if name.contains('\0') {
        Some("it contains a NUL byte")
    } else {
        None
    }
}

/// The weight files of a directory: the shards named by `model.safetensors.index.json`'s
/// `weight_map` (in name order), or `model.safetensors`.
///
/// A shard name must be a plain file name inside `dir`: absolute paths, `..` and any path
/// separator are refused, so a downloaded model cannot make the loader read outside its
/// directory. (Each file is then opened only if it is a regular file.)
pub fn weight_files(dir: &Path) -> Result<Vec<PathBuf>, ModelIoError> {
    let index = dir.join("model.safetensors.index.json");
    if index.exists() || index.is_symlink() {
        let text = read_small_json(&index, "a safetensors shard index")?;
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
            if let Some(why) = bad_shard_name(file) {
                return Err(ModelIoError::Format {
                    path: index.clone(),
                    detail: format!(
                        "weight_map[`{name}`] = {file:?} is not a plain file name in the model \
                         directory: {why}; shards must sit beside the index"
                    ),
                });
            }
            files.insert(dir.join(file));
        }
        if files.is_empty() {
            return Err(ModelIoError::Format {
                path: index.clone(),
                detail: "`weight_map` is empty; expected tensor name → shard file entries".into(),
            });
        }
        return Ok(files.into_iter().collect());
    }
    let single = dir.join("model.safetensors");
    if single.exists() || single.is_symlink() {
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

/// Parses `config.json` text, naming `path` in errors.
fn parse_config(text: &str, path: &Path) -> Result<ModelConfig, ModelIoError> {
    ModelConfig::from_hf_json(text).map_err(|source| ModelIoError::Config {
        path: path.to_path_buf(),
        source,
    })
}

/// Loads a Hugging Face directory (Llama / Qwen2 / SmolLM2 style) into f32 host weights.
///
/// Order of checks, so that nothing sized by the config or the files is allocated before it
/// is checked: `config.json` (bounded read, every size within its sane bound); the shard
/// names; each weight file's type, header length and tensor offsets (files are mapped, not
/// read); the config's sizes against the tensors present ([`ModelConfig::check_weights`]);
/// then each tensor's shape, dtype (F32/F16/BF16) and values (finite) as it is converted.
pub fn load_hf_dir(dir: &Path) -> Result<HostModel, ModelIoError> {
    let cfg_path = dir.join("config.json");
    let config = parse_config(&read_small_json(&cfg_path, "a model config")?, &cfg_path)?;
    let files = weight_files(dir)?
        .iter()
        .map(|f| SafetensorsFile::open(f))
        .collect::<Result<Vec<_>, _>>()?;
    let parsed = files
        .iter()
        .map(|f| Ok((f.path(), f.parse()?)))
        .collect::<Result<Vec<_>, ModelIoError>>()?;
    assemble(dir, &cfg_path, config, &parsed)
}

/// Builds a model from the text of a `config.json` and the bytes of one `model.safetensors`
/// (e.g. files embedded in the binary); `origin` names them in errors.
pub fn host_model_from_bytes(
    config_json: &str,
    safetensors: &[u8],
    origin: &Path,
) -> Result<HostModel, ModelIoError> {
    let cfg_path = origin.join("config.json");
    let config = parse_config(config_json, &cfg_path)?;
    let file = origin.join("model.safetensors");
    let st = parse_header(safetensors, &file)?;
    assemble(origin, &cfg_path, config, &[(file.as_path(), st)])
}

/// Checks the tensors of the parsed weight files against the config, then converts them in
/// parameter order.
fn assemble(
    dir: &Path,
    cfg_path: &Path,
    config: ModelConfig,
    files: &[(&Path, SafeTensors<'_>)],
) -> Result<HostModel, ModelIoError> {
    // Where each tensor is, from the headers alone; a name in two shards is ambiguous.
    let mut found: BTreeMap<String, (usize, TensorView<'_>)> = BTreeMap::new();
    for (i, (path, st)) in files.iter().enumerate() {
        for (name, view) in st.iter() {
            if let Some((j, _)) = found.insert(name.to_string(), (i, view)) {
                return Err(ModelIoError::Format {
                    path: path.to_path_buf(),
                    detail: format!(
                        "tensor `{name}` is also in `{}`; each tensor must be in one shard",
                        files[j].0.display()
                    ),
                });
            }
        }
    }
    let summary =
        WeightsSummary::from_tensors(found.iter().map(|(n, (_, v))| (n.as_str(), v.shape())));
    config
        .check_weights(&summary)
        .map_err(|source| ModelIoError::Config {
            path: cfg_path.to_path_buf(),
            source,
        })?;
    let mut items = Vec::new();
    for (name, shape) in param_shapes(&config) {
        let Some((i, view)) = found.get(&name) else {
            return Err(ModelIoError::MissingTensor {
                path: dir.to_path_buf(),
                name,
                shape,
            });
        };
        let file = files[*i].0;
        if view.shape() != shape.as_slice() {
            return Err(ModelIoError::Shape {
                path: file.to_path_buf(),
                name,
                expected: shape,
                found: view.shape().to_vec(),
            });
        }
        items.push(tensor_to_f32(&name, view, file, DtypePolicy::FloatWeights)?.data);
    }
    let params = Params::from_ordered(&config, items).ok_or_else(|| ModelIoError::Format {
        path: dir.to_path_buf(),
        detail: "internal: parameter list shorter than the config".into(),
    })?;
    Ok(HostModel { config, params })
}

/// A tensor to save: its Hugging Face name, shape and data.
type NamedTensor<'m> = (String, Vec<usize>, &'m [f32]);

/// Creates `dir` if needed and lists the model's tensors under their Hugging Face names and
/// shapes, in file order (what both savers write).
fn named_tensors<'m>(
    dir: &Path,
    model: &'m HostModel,
) -> Result<Vec<NamedTensor<'m>>, ModelIoError> {
    std::fs::create_dir_all(dir).map_err(|source| ModelIoError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    Ok(param_shapes(&model.config)
        .into_iter()
        .zip(model.params.tensors())
        .map(|((name, shape), data)| (name, shape, data.as_slice()))
        .collect())
}

/// Saves a model as a Hugging Face directory (`config.json` + f32 `model.safetensors`),
/// creating `dir` if needed. Each file is written atomically.
pub fn save_hf_dir(dir: &Path, model: &HostModel) -> Result<(), ModelIoError> {
    let tensors = named_tensors(dir, model)?;
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
    let tensors = named_tensors(dir, model)?;
    write_f16_safetensors(&dir.join("model.safetensors"), &tensors)?;
    let config = model
        .config
        .to_hf_json()
        .replacen("\"float32\"", "\"float16\"", 1);
    write_atomic(&dir.join("config.json"), config.as_bytes())
}
