//! GGUF models of the Llama family (`general.architecture` = `llama` or `qwen2`) as a
//! [`HostModel`]: the config from `{arch}.*` metadata, the weights dequantized to f32 under
//! their Hugging Face names, and the tokenizer — or, for inference ([`load_model_stored`]),
//! as [`HostWeights`] whose 2-D weights keep the file's blocks.
//!
//! Two conversions undo what llama.cpp's `convert_hf_to_gguf.py` did:
//! * GGUF dims are `[ne0 = in, ne1 = out]` for a PyTorch `[out, in]` weight; the bytes are the
//!   same row-major matrix, so only the shape check reverses the dims.
//! * For `llama` only, the rows of `q_proj` and `k_proj` (weights and biases) were permuted so
//!   llama.cpp's interleaved ("normal") RoPE sees the pairs Hugging Face's rotate-half RoPE
//!   uses (`LlamaModel.permute`). [`unpermute_rows`] inverts it. `qwen2` is stored unpermuted
//!   (llama.cpp runs it with NEOX-style RoPE). On kept blocks the same permutation moves whole
//!   rows of bytes.

use super::dtype::GgmlType;
use super::error::GgufError;
use super::file::GgufFile;
use super::vocab::{read_vocab, GgufVocab};
use crate::io::host_model::HostModel;
use crate::io::weights::{HostWeight, HostWeights, StoredWeight};
use hir_core::backend::{QuantMatrix, WeightFormat};
use hir_core::model::{param_shapes, ConfigError, ModelConfig, Params, WeightsSummary};
use rayon::prelude::*;
use std::path::Path;

/// A model read from a GGUF file.
#[derive(Debug, Clone)]
pub struct GgufModel {
    /// Config and f32 weights (Hugging Face layout and names).
    pub host: HostModel,
    /// The tokenizer metadata.
    pub vocab: GgufVocab,
    /// `general.architecture` (`"llama"` or `"qwen2"`).
    pub architecture: String,
    /// `general.name`, when present.
    pub name: Option<String>,
}

/// Opens a GGUF file and loads its model, tokenizer and names (see the module docs).
pub fn load_model(path: &Path) -> Result<GgufModel, GgufError> {
    let file = GgufFile::open(path)?;
    load_from(&file)
}

/// Loads the model of an already opened GGUF file.
pub fn load_from(file: &GgufFile) -> Result<GgufModel, GgufError> {
    let (config, params, arch) = load_params(file, false)?;
    let params = params.map(|t| match t {
        HostWeight::F32(v) => v.clone(),
        // `keep_blocks = false` dequantizes every tensor.
        HostWeight::Stored(s) => hir_core::backend::weight::dequantize(&s.matrix()),
    });
    Ok(GgufModel {
        host: HostModel { config, params },
        vocab: read_vocab(file)?,
        architecture: arch,
        name: string(file, "general.name")?,
    })
}

/// A model read from a GGUF file for inference, its 2-D weights kept in their blocks.
#[derive(Debug, Clone)]
pub struct GgufStoredModel {
    /// Config and weights: 2-D weights in a format hir stores keep their bytes (rows in
    /// Hugging Face order), everything else is f32.
    pub weights: HostWeights,
    /// The tokenizer metadata.
    pub vocab: GgufVocab,
}

/// Opens a GGUF file and loads its model for inference, keeping the blocks of every 2-D
/// weight whose type hir-quant stores (Q8_0, Q4_0, Q4_1, Q4_K, Q5_K, Q6_K, F16, BF16); other
/// types, and 1-D tensors, are dequantized to f32.
pub fn load_model_stored(path: &Path) -> Result<GgufStoredModel, GgufError> {
    let file = GgufFile::open(path)?;
    let (config, params, _) = load_params(&file, true)?;
    Ok(GgufStoredModel {
        weights: HostWeights { config, params },
        vocab: read_vocab(&file)?,
    })
}

/// The format a 2-D tensor of type `ty` keeps on load (`None`: dequantize to f32).
fn stored_format(ty: GgmlType) -> Option<WeightFormat> {
    WeightFormat::from_name(ty.name()).filter(|f| *f != WeightFormat::F32)
}

/// The config and the weights (Hugging Face order and layout) of a GGUF file; with
/// `keep_blocks`, 2-D weights of a stored format keep their bytes.
fn load_params(
    file: &GgufFile,
    keep_blocks: bool,
) -> Result<(ModelConfig, Params<HostWeight>, String), GgufError> {
    let arch = string(file, "general.architecture")?
        .ok_or_else(|| missing(file, "general.architecture"))?;
    if arch != "llama" && arch != "qwen2" {
        return Err(unsupported(
            file,
            format!("architecture `{arch}` is not supported (expected \"llama\" or \"qwen2\")"),
        ));
    }
    let config = read_config(file, &arch)?;
    // The config's sizes against the tensors the file holds, before anything is sized by them.
    config
        .check_weights(&summarize(file))
        .map_err(|source| config_error(file, &arch, source))?;
    let mut items = Vec::new();
    for (hf_name, shape) in param_shapes(&config) {
        let name = gguf_name(&hf_name).unwrap_or_else(|| hf_name.clone());
        let info = file.tensor(&name).ok_or_else(|| GgufError::MissingTensor {
            path: file.path().to_path_buf(),
            name: name.clone(),
        })?;
        let expected: Vec<u64> = shape.iter().rev().map(|&d| d as u64).collect();
        if info.dims != expected {
            return Err(GgufError::Shape {
                path: file.path().to_path_buf(),
                name,
                expected,
                found: info.dims.clone(),
            });
        }
        let heads = if arch != "llama" {
            None
        } else if name.contains(".attn_q.") {
            Some(config.num_attention_heads)
        } else if name.contains(".attn_k.") {
            Some(config.num_key_value_heads)
        } else {
            None
        };
        let stored = match (keep_blocks, shape.as_slice()) {
            (true, &[rows, cols]) => stored_format(info.ggml_type).map(|f| (f, rows, cols)),
            _ => None,
        };
        let item = match stored {
            Some((format, rows, cols)) => {
                HostWeight::Stored(stored_tensor(file, &name, format, rows, cols, heads)?)
            }
            None => {
                let mut data = file.tensor_f32(&name)?;
                check_finite(file, &name, &data)?;
                if let Some(n_head) = heads {
                    let cols = if shape.len() == 2 { shape[1] } else { 1 };
                    data = unpermute_rows(&data, n_head, cols);
                }
                HostWeight::F32(data)
            }
        };
        items.push(item);
    }
    let params = Params::from_ordered(&config, items).ok_or_else(|| {
        unsupported(
            file,
            "internal: parameter list shorter than the config".into(),
        )
    })?;
    Ok((config, params, arch))
}

/// Tensor `name` kept as its bytes in `format`, `[rows, cols]`, its rows put back in Hugging
/// Face order when `heads` says it is a permuted Q/K projection (whole rows of bytes move).
fn stored_tensor(
    file: &GgufFile,
    name: &str,
    format: WeightFormat,
    rows: usize,
    cols: usize,
    heads: Option<usize>,
) -> Result<StoredWeight, GgufError> {
    let bytes = file.tensor_bytes(name)?;
    let bad = |detail: String| GgufError::Unsupported {
        path: file.path().to_path_buf(),
        detail: format!("tensor `{name}`: {detail}"),
    };
    let m = QuantMatrix::new(format, rows, cols, bytes).map_err(|e| bad(e.to_string()))?;
    // The same check as the f32 path, one dequantized row at a time, in parallel.
    let bad_row = (0..rows).into_par_iter().find_map_first(|r| {
        let mut row = vec![0f32; cols];
        m.dequantize_row(r, &mut row);
        row.iter()
            .position(|x| !x.is_finite())
            .map(|c| (r * cols + c, row[c]))
    });
    if let Some((index, value)) = bad_row {
        return Err(GgufError::NonFinite {
            path: file.path().to_path_buf(),
            tensor: name.to_string(),
            index,
            value,
        });
    }
    let bytes = match heads {
        Some(n_head) => unpermute(bytes, n_head, m.row_bytes()),
        None => bytes.to_vec(),
    };
    StoredWeight::new(format, rows, cols, bytes).map_err(|e| bad(e.to_string()))
}

/// [`GgufError::NonFinite`] for the first non-finite value of `data`.
fn check_finite(file: &GgufFile, name: &str, data: &[f32]) -> Result<(), GgufError> {
    match data.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        Some((index, &value)) => Err(GgufError::NonFinite {
            path: file.path().to_path_buf(),
            tensor: name.to_string(),
            index,
            value,
        }),
        None => Ok(()),
    }
}

/// What the file's tensors hold, under Hugging Face names and row-major shapes: the layers
/// found among `blk.N.*` names, and the shapes that fix the config's sizes.
fn summarize(file: &GgufFile) -> WeightsSummary {
    let mut s = WeightsSummary::default();
    for t in file.tensors() {
        if let Some(l) = t
            .name
            .strip_prefix("blk.")
            .and_then(|r| r.split_once('.'))
            .and_then(|(n, _)| hir_core::model::layer_index(&format!("model.layers.{n}.")))
        {
            s.layers = s.layers.max(l.saturating_add(1));
        }
    }
    for hf in [
        "model.embed_tokens.weight",
        "model.layers.0.self_attn.q_proj.weight",
        "model.layers.0.self_attn.k_proj.weight",
        "model.layers.0.mlp.gate_proj.weight",
    ] {
        let gguf = gguf_name(hf).unwrap_or_else(|| hf.to_string());
        if let Some(t) = file.tensor(&gguf) {
            let shape: Vec<usize> = t
                .dims
                .iter()
                .rev()
                .map(|&d| usize::try_from(d).unwrap_or(usize::MAX))
                .collect();
            let layers = s.layers;
            s.observe(hf, &shape);
            s.layers = layers;
        }
    }
    s
}

/// The GGUF metadata key behind a config field.
fn gguf_key(arch: &str, field: &str) -> Option<String> {
    let k = match field {
        "num_hidden_layers" => "block_count",
        "vocab_size" => "vocab_size",
        "hidden_size" => "embedding_length",
        "intermediate_size" => "feed_forward_length",
        "num_attention_heads" => "attention.head_count",
        "num_key_value_heads" => "attention.head_count_kv",
        "head_dim" => "attention.key_length",
        "rope_theta" => "rope.freq_base",
        "rms_norm_eps" => "attention.layer_norm_rms_epsilon",
        "max_position_embeddings" => "context_length",
        _ => return None,
    };
    Some(format!("{arch}.{k}"))
}

/// `text` with the Hugging Face tensor names [`ModelConfig::check_weights`] mentions spelled
/// as this file spells them (`model.layers.0.self_attn.q_proj.weight` → `blk.0.attn_q.weight`).
fn gguf_names_in(text: &str) -> String {
    [
        ("`model.layers.", "`blk."),
        ("model.embed_tokens.weight", "token_embd.weight"),
        ("input_layernorm.weight", "attn_norm.weight"),
        ("self_attn.q_proj.weight", "attn_q.weight"),
        ("self_attn.k_proj.weight", "attn_k.weight"),
        ("mlp.gate_proj.weight", "ffn_gate.weight"),
    ]
    .iter()
    .fold(text.to_string(), |t, (hf, gguf)| t.replace(hf, gguf))
}

/// A config error as one about the metadata key it came from (the config field's name is
/// the Hugging Face one, which a GGUF file does not use).
fn config_error(file: &GgufFile, arch: &str, source: ConfigError) -> GgufError {
    match &source {
        ConfigError::Invalid { field, detail } => match gguf_key(arch, field) {
            Some(key) => GgufError::BadMetadata {
                path: file.path().to_path_buf(),
                key,
                detail: format!("{} (config field `{field}`)", gguf_names_in(detail)),
            },
            None => GgufError::Config {
                path: file.path().to_path_buf(),
                source,
            },
        },
        _ => GgufError::Config {
            path: file.path().to_path_buf(),
            source,
        },
    }
}

/// Inverts llama.cpp's Q/K row permutation. `convert_hf_to_gguf.py` stores
/// `w.reshape(n_head, 2, E/2, cols).swapaxes(1, 2)`, i.e. GGUF row `h·E + 2i + j` holds
/// Hugging Face row `h·E + j·E/2 + i`; this puts every row back. `w` is row-major with
/// `cols` columns (1 for a bias) and `n_head · E` rows.
pub fn unpermute_rows(w: &[f32], n_head: usize, cols: usize) -> Vec<f32> {
    unpermute(w, n_head, cols)
}

/// [`unpermute_rows`] for rows of any element type: `cols` elements per row (bytes per row
/// for a block-quantized matrix, whose rows move whole).
fn unpermute<T: Copy + Default>(w: &[T], n_head: usize, cols: usize) -> Vec<T> {
    let rows = w.len() / cols.max(1);
    let e = rows / n_head.max(1);
    let half = e / 2;
    let mut out = vec![T::default(); w.len()];
    for h in 0..n_head {
        for i in 0..half {
            for j in 0..2 {
                let src = (h * e + 2 * i + j) * cols;
                let dst = (h * e + j * half + i) * cols;
                out[dst..dst + cols].copy_from_slice(&w[src..src + cols]);
            }
        }
    }
    out
}

/// The GGUF tensor name of a Hugging Face parameter name.
pub fn gguf_name(hf: &str) -> Option<String> {
    match hf {
        "model.embed_tokens.weight" => return Some("token_embd.weight".into()),
        "model.norm.weight" => return Some("output_norm.weight".into()),
        "lm_head.weight" => return Some("output.weight".into()),
        _ => {}
    }
    let rest = hf.strip_prefix("model.layers.")?;
    let (layer, rest) = rest.split_once('.')?;
    let (module, kind) = rest.rsplit_once('.')?;
    let short = match module {
        "input_layernorm" => "attn_norm",
        "self_attn.q_proj" => "attn_q",
        "self_attn.k_proj" => "attn_k",
        "self_attn.v_proj" => "attn_v",
        "self_attn.o_proj" => "attn_output",
        "post_attention_layernorm" => "ffn_norm",
        "mlp.gate_proj" => "ffn_gate",
        "mlp.up_proj" => "ffn_up",
        "mlp.down_proj" => "ffn_down",
        _ => return None,
    };
    Some(format!("blk.{layer}.{short}.{kind}"))
}

/// The [`ModelConfig`] from the `{arch}.*` keys and the tensor list.
fn read_config(file: &GgufFile, arch: &str) -> Result<ModelConfig, GgufError> {
    let key = |k: &str| format!("{arch}.{k}");
    let req = |k: &str| -> Result<usize, GgufError> {
        uint(file, &key(k))?.ok_or_else(|| missing(file, &key(k)))
    };
    if let Some(t) = string(file, &key("rope.scaling.type"))? {
        if t != "none" {
            return Err(unsupported(
                file,
                format!(
                    "`{}` = `{t}`: only plain RoPE (no scaling) is supported",
                    key("rope.scaling.type")
                ),
            ));
        }
    }
    if file.tensor("rope_freqs.weight").is_some() {
        return Err(unsupported(
            file,
            "tensor `rope_freqs.weight` (Llama 3 RoPE frequency scaling) is not supported".into(),
        ));
    }
    // Sizes are checked before anything is sized by them, so a corrupt value gives an
    // error instead of an overflow or a huge allocation.
    let req = |k: &str| -> Result<usize, GgufError> {
        let v = req(k)?;
        if v > MAX_SIZE {
            return Err(unsupported(
                file,
                format!("`{}` = {v} is implausibly large (over {MAX_SIZE})", key(k)),
            ));
        }
        Ok(v)
    };
    let layers = req("block_count")?;
    let hidden = req("embedding_length")?;
    let heads = req("attention.head_count")?;
    let kv_heads = match uint(file, &key("attention.head_count_kv"))? {
        Some(_) => req("attention.head_count_kv")?,
        None => heads,
    };
    let head_dim = match uint(file, &key("attention.key_length"))? {
        Some(_) => req("attention.key_length")?,
        None if heads > 0 => hidden / heads,
        None => 0,
    };
    if let Some(v) = uint(file, &key("attention.value_length"))? {
        if v != head_dim {
            return Err(unsupported(
                file,
                format!("value head dim {v} differs from key head dim {head_dim}"),
            ));
        }
    }
    if let Some(r) = uint(file, &key("rope.dimension_count"))? {
        if r != head_dim {
            return Err(unsupported(
                file,
                format!("`{}` = {r} differs from the head dim {head_dim}: partial RoPE is not supported", key("rope.dimension_count")),
            ));
        }
    }
    let vocab = match uint(file, &key("vocab_size"))? {
        Some(_) => req("vocab_size")?,
        None => match file.tensor("token_embd.weight").map(|t| t.dims.as_slice()) {
            Some([_, v]) if *v <= MAX_SIZE as u64 => *v as usize,
            _ => return Err(missing(file, &key("vocab_size"))),
        },
    };
    let eps = float(file, &key("attention.layer_norm_rms_epsilon"))?
        .ok_or_else(|| missing(file, &key("attention.layer_norm_rms_epsilon")))?;
    let has = |n: &str| file.tensor(n).is_some();
    let qwen2 = arch == "qwen2";
    let attention_bias = qwen2 || has("blk.0.attn_q.bias");
    let config = ModelConfig {
        vocab_size: vocab,
        hidden_size: hidden,
        intermediate_size: req("feed_forward_length")?,
        num_hidden_layers: layers,
        num_attention_heads: heads,
        num_key_value_heads: kv_heads,
        head_dim,
        rope_theta: float(file, &key("rope.freq_base"))?.unwrap_or(10_000.0),
        rms_norm_eps: eps,
        tie_word_embeddings: !has("output.weight"),
        attention_bias,
        o_proj_bias: !qwen2 && has("blk.0.attn_output.bias"),
        mlp_bias: !qwen2 && has("blk.0.ffn_gate.bias"),
        max_position_embeddings: uint(file, &key("context_length"))?.unwrap_or(2048),
    };
    config
        .validate()
        .map_err(|source| config_error(file, arch, source))?;
    Ok(config)
}

/// Largest size (width, head count, vocabulary, ...) accepted from the metadata: 2^24, far
/// above any real model's, small enough that products of two sizes cannot overflow.
const MAX_SIZE: usize = 1 << 24;

fn missing(file: &GgufFile, key: &str) -> GgufError {
    GgufError::MissingKey {
        path: file.path().to_path_buf(),
        key: key.into(),
    }
}

fn unsupported(file: &GgufFile, detail: String) -> GgufError {
    GgufError::Unsupported {
        path: file.path().to_path_buf(),
        detail,
    }
}

fn uint(file: &GgufFile, key: &str) -> Result<Option<usize>, GgufError> {
    file.optional(key, "an unsigned integer", |v| {
        v.as_u64().and_then(|x| usize::try_from(x).ok())
    })
}

fn float(file: &GgufFile, key: &str) -> Result<Option<f32>, GgufError> {
    file.optional(key, "a float", |v| v.as_f32())
}

fn string(file: &GgufFile, key: &str) -> Result<Option<String>, GgufError> {
    file.optional(key, "a string", |v| v.as_str().map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpermute_inverts_convert_hf_to_gguf_permute() {
        // 2 heads of E = 4 rows, 3 columns; permute as the Python does.
        let (n_head, e, cols) = (2, 4, 3);
        let hf: Vec<f32> = (0..n_head * e * cols).map(|x| x as f32).collect();
        let mut gguf = vec![0f32; hf.len()];
        // reshape(n_head, 2, E/2, cols).swapaxes(1, 2): gguf[h][i][j] = hf[h][j][i].
        for h in 0..n_head {
            for i in 0..e / 2 {
                for j in 0..2 {
                    let src = (h * e + j * (e / 2) + i) * cols;
                    let dst = (h * e + i * 2 + j) * cols;
                    gguf[dst..dst + cols].copy_from_slice(&hf[src..src + cols]);
                }
            }
        }
        assert_ne!(gguf, hf);
        assert_eq!(unpermute_rows(&gguf, n_head, cols), hf);
    }

    #[test]
    fn unpermute_moves_whole_rows_of_bytes_as_it_moves_f32_rows() {
        // A [8, 3] f32 matrix and its bytes (12 bytes per row): the same rows move.
        let (n_head, cols) = (2, 3);
        let w: Vec<f32> = (0..8 * cols).map(|x| x as f32 * 0.5).collect();
        let bytes: Vec<u8> = w.iter().flat_map(|v| v.to_le_bytes()).collect();
        let moved: Vec<f32> = unpermute(&bytes, n_head, cols * 4)
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        assert_eq!(moved, unpermute_rows(&w, n_head, cols));
    }

    #[test]
    fn names_map() {
        assert_eq!(
            gguf_name("model.layers.12.self_attn.k_proj.bias").as_deref(),
            Some("blk.12.attn_k.bias")
        );
        assert_eq!(
            gguf_name("model.layers.0.post_attention_layernorm.weight").as_deref(),
            Some("blk.0.ffn_norm.weight")
        );
        assert_eq!(
            gguf_name("lm_head.weight").as_deref(),
            Some("output.weight")
        );
    }
}
