//! Hostile model files through the `hir` binary, each under 1 GiB of address space and 30 s
//! (`hir_bounded`): configs whose sizes are allocation bombs, shard indexes that point outside
//! the model directory (absolute paths, `..`, `/dev/zero`, a FIFO), safetensors and GGUF
//! headers that declare more than the file holds, integer and non-finite weights, and the
//! counts of `hir forward` and `hir bench`. Every one must end within the limits with a clear
//! error naming the file, field or flag.

mod common;

use common::{hir_bounded, random_params, tiny_config};
use hir::io::model::{save_hf_dir, HostModel};
use std::path::{Path, PathBuf};

/// Address space each run may use.
const MEM_MIB: u64 = 1024;
/// Wall time each run may take.
const SECS: u64 = 30;

/// A tiny random model (2 layers, vocab 23, untied, q/k/v biases) saved as a Hugging Face
/// directory `model` inside a fresh scratch directory.
fn tiny_model() -> (tempfile::TempDir, PathBuf) {
    let scratch = tempfile::Builder::new()
        .prefix("hir-bombs-")
        .tempdir()
        .expect("scratch dir");
    let dir = scratch.path().join("model");
    let cfg = tiny_config(false, true);
    let model = HostModel {
        params: random_params(&cfg, 3),
        config: cfg,
    };
    save_hf_dir(&dir, &model).expect("save the tiny model");
    (scratch, dir)
}

/// `hir forward --model model --ids ids --out <scratch>/out.safetensors` under the bounds.
fn forward(model: &Path, ids: &str) -> common::BoundedRun {
    let out = model.with_file_name("out.safetensors");
    hir_bounded(
        &[
            "forward",
            "--model",
            model.to_str().unwrap(),
            "--ids",
            ids,
            "--out",
            out.to_str().unwrap(),
        ],
        MEM_MIB,
        SECS,
    )
}

/// Rewrites one field of the model's `config.json`.
fn set_config(dir: &Path, field: &str, value: serde_json::Value) {
    let path = dir.join("config.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    v[field] = value;
    std::fs::write(path, v.to_string()).unwrap();
}

/// A safetensors file of raw tensors `(name, dtype, shape, bytes)`.
fn safetensors_bytes(tensors: &[(&str, safetensors::Dtype, Vec<usize>, Vec<u8>)]) -> Vec<u8> {
    let views: Vec<_> = tensors
        .iter()
        .map(|(n, dt, shape, data)| {
            (
                n.to_string(),
                safetensors::tensor::TensorView::new(*dt, shape.clone(), data).unwrap(),
            )
        })
        .collect();
    safetensors::serialize(views, None).unwrap()
}

/// Splits the model's `model.safetensors` into two shards named `a` and `b` with an index
/// whose `weight_map` sends `model.norm.weight` to `norm_shard` instead of `b`.
fn shard_with(dir: &Path, norm_shard: &str) {
    let tensors = hir::io::model::read_tensors(&dir.join("model.safetensors")).unwrap();
    let to_bytes = |t: &hir::io::model::HostTensor| -> Vec<u8> {
        t.data.iter().flat_map(|x| x.to_le_bytes()).collect()
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut map = serde_json::Map::new();
    for (name, t) in &tensors {
        let shard = if name == "model.norm.weight" {
            map.insert(name.clone(), norm_shard.into());
            &mut b
        } else {
            map.insert(name.clone(), "a.safetensors".into());
            &mut a
        };
        shard.push((
            name.as_str(),
            safetensors::Dtype::F32,
            t.shape.clone(),
            to_bytes(t),
        ));
    }
    std::fs::write(dir.join("a.safetensors"), safetensors_bytes(&a)).unwrap();
    std::fs::write(dir.join("b.safetensors"), safetensors_bytes(&b)).unwrap();
    std::fs::remove_file(dir.join("model.safetensors")).unwrap();
    let index = serde_json::json!({"metadata": {}, "weight_map": map});
    std::fs::write(dir.join("model.safetensors.index.json"), index.to_string()).unwrap();
}

#[test]
fn the_tiny_model_itself_runs_under_the_bounds() {
    let (_s, dir) = tiny_model();
    let run = forward(&dir, "1,2,3");
    assert_eq!(run.status.and_then(|s| s.code()), Some(0), "{}", run.stderr);
    // Sharded into `a` and `b` beside the index, it loads too.
    shard_with(&dir, "b.safetensors");
    let run = forward(&dir, "1,2,3");
    assert_eq!(run.status.and_then(|s| s.code()), Some(0), "{}", run.stderr);
}

#[test]
fn a_huge_layer_count_is_refused_before_anything_is_built_for_it() {
    let (_s, dir) = tiny_model();
    set_config(&dir, "num_hidden_layers", 1_000_000_000_000u64.into());
    forward(&dir, "1,2").assert_clear_error(&[
        "config.json",
        "`num_hidden_layers`: 1000000000000 is implausibly large (at most 4096 layers",
    ]);
    // Within the bound, the count must still match the layers the weights hold.
    set_config(&dir, "num_hidden_layers", 4000.into());
    forward(&dir, "1,2").assert_clear_error(&[
        "config.json",
        "`num_hidden_layers`: 4000, but the weights hold 2 layers (`model.layers.0.*` to \
         `model.layers.1.*`)",
    ]);
}

#[test]
fn every_config_size_is_checked_against_the_weights() {
    for (field, value, needle) in [
        (
            "vocab_size",
            1_000_000_000_000u64,
            "`vocab_size`: 1000000000000 is implausibly large",
        ),
        (
            "vocab_size",
            24,
            "`vocab_size`: vocab_size = 24, but `model.embed_tokens.weight` has shape [23, 12] \
             where the config implies [24, 12]",
        ),
        (
            "num_key_value_heads",
            3,
            "`num_key_value_heads`: num_key_value_heads 3 × head_dim 6 = 18, but \
             `model.layers.0.self_attn.k_proj.weight` has shape [6, 12]",
        ),
        (
            "intermediate_size",
            1 << 40,
            "`intermediate_size`: 1099511627776 is implausibly large",
        ),
        (
            "max_position_embeddings",
            0,
            "`max_position_embeddings`: must be positive",
        ),
    ] {
        let (_s, dir) = tiny_model();
        set_config(&dir, field, value.into());
        forward(&dir, "1,2").assert_clear_error(&["config.json", needle]);
    }
    let (_s, dir) = tiny_model();
    set_config(&dir, "rms_norm_eps", (-1e-6).into());
    forward(&dir, "1,2").assert_clear_error(&[
        "config.json",
        "`rms_norm_eps`: -0.000001 is not a positive finite number",
    ]);
}

#[test]
fn shard_names_must_be_plain_files_beside_the_index() {
    for (name, why) in [
        ("/dev/zero", "path separator"),
        ("../outside.safetensors", "path separator"),
        ("..", "names a directory"),
        ("sub/b.safetensors", "path separator"),
        ("", "it is empty"),
    ] {
        let (scratch, dir) = tiny_model();
        // A valid shard outside the model directory: `../outside.safetensors` must not load.
        std::fs::copy(
            dir.join("model.safetensors"),
            scratch.path().join("outside.safetensors"),
        )
        .unwrap();
        shard_with(&dir, name);
        forward(&dir, "1,2").assert_clear_error(&[
            "model.safetensors.index.json",
            &format!("weight_map[`model.norm.weight`] = {name:?} is not a plain file name"),
            why,
        ]);
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_or_device_shard_is_refused_without_blocking() {
    let (_s, dir) = tiny_model();
    shard_with(&dir, "b.safetensors");
    std::fs::remove_file(dir.join("b.safetensors")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(dir.join("b.safetensors"))
        .status()
        .unwrap();
    assert!(made.success());
    forward(&dir, "1,2").assert_clear_error(&["b.safetensors", "is a FIFO (named pipe)"]);
    // A symlink to a device, under a plain name, is refused the same way.
    std::fs::remove_file(dir.join("b.safetensors")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("b.safetensors")).unwrap();
    forward(&dir, "1,2").assert_clear_error(&["b.safetensors", "is a character device"]);
}

#[test]
fn safetensors_headers_that_declare_more_than_the_file_are_refused() {
    let (_s, dir) = tiny_model();
    let file = dir.join("model.safetensors");
    let good = std::fs::read(&file).unwrap();
    // A header length of 2^40 bytes.
    let mut b = good.clone();
    b[..8].copy_from_slice(&(1u64 << 40).to_le_bytes());
    std::fs::write(&file, &b).unwrap();
    forward(&dir, "1,2").assert_clear_error(&[
        "model.safetensors",
        "declares a 1099511627776-byte header, more than the 16777216 bytes accepted",
    ]);
    // A header length past the end of the file (but under the cap).
    b[..8].copy_from_slice(&(good.len() as u64).to_le_bytes());
    std::fs::write(&file, &b).unwrap();
    forward(&dir, "1,2").assert_clear_error(&["model.safetensors", "is it truncated?"]);
    // A tensor whose shape claims 2^40 × 2^20 elements in a tiny file.
    let huge = r#"{"model.norm.weight":{"dtype":"F32","shape":[1099511627776,1048576],"data_offsets":[0,48]}}"#;
    let mut b = (huge.len() as u64).to_le_bytes().to_vec();
    b.extend(huge.as_bytes());
    b.extend([0u8; 48]);
    std::fs::write(&file, &b).unwrap();
    forward(&dir, "1,2").assert_clear_error(&["model.safetensors", "not a valid safetensors file"]);
    // Data offsets past the end of the file.
    let past =
        r#"{"model.norm.weight":{"dtype":"F32","shape":[12],"data_offsets":[0,1000000000]}}"#;
    let mut b = (past.len() as u64).to_le_bytes().to_vec();
    b.extend(past.as_bytes());
    b.extend([0u8; 48]);
    std::fs::write(&file, &b).unwrap();
    forward(&dir, "1,2").assert_clear_error(&["model.safetensors", "not a valid safetensors file"]);
}

#[test]
fn integer_weights_are_refused_with_the_tensor_and_dtype() {
    let (_s, dir) = tiny_model();
    let file = dir.join("model.safetensors");
    let mut tensors = hir::io::model::read_tensors(&file).unwrap();
    let norm = tensors.remove("model.norm.weight").unwrap();
    let mut raw: Vec<(String, safetensors::Dtype, Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(n, t)| {
            let bytes = t.data.iter().flat_map(|x| x.to_le_bytes()).collect();
            (n.clone(), safetensors::Dtype::F32, t.shape.clone(), bytes)
        })
        .collect();
    let ints = norm.data.iter().flat_map(|_| 1i64.to_le_bytes()).collect();
    raw.push((
        "model.norm.weight".into(),
        safetensors::Dtype::I64,
        norm.shape,
        ints,
    ));
    let refs: Vec<_> = raw
        .iter()
        .map(|(n, d, s, b)| (n.as_str(), *d, s.clone(), b.clone()))
        .collect();
    std::fs::write(&file, safetensors_bytes(&refs)).unwrap();
    forward(&dir, "1,2").assert_clear_error(&[
        "model.safetensors",
        "tensor `model.norm.weight` has dtype I64; supported dtypes are F32, F16 and BF16",
    ]);
}

/// Replaces the first value of `name` in the model's `model.safetensors` (f32) with `value`.
fn poison(dir: &Path, name: &str, value: f32) {
    let file = dir.join("model.safetensors");
    let bytes = std::fs::read(&file).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let data = st.tensor(name).unwrap().data();
    let at = data.as_ptr() as usize - bytes.as_ptr() as usize;
    let mut b = bytes.clone();
    b[at..at + 4].copy_from_slice(&value.to_le_bytes());
    std::fs::write(&file, b).unwrap();
}

#[test]
fn non_finite_weights_are_refused_with_the_tensor_and_file() {
    for (value, shown) in [(f32::NAN, "NaN"), (f32::INFINITY, "inf")] {
        let (_s, dir) = tiny_model();
        poison(&dir, "model.layers.1.mlp.up_proj.weight", value);
        forward(&dir, "1,2").assert_clear_error(&[
            "model.safetensors",
            &format!(
                "tensor `model.layers.1.mlp.up_proj.weight` holds a non-finite value ({shown} \
                 at flat index 0)"
            ),
        ]);
    }
}

#[test]
fn forward_refuses_more_ids_than_max_position_embeddings() {
    let (_s, dir) = tiny_model();
    set_config(&dir, "max_position_embeddings", 4.into());
    let ok = forward(&dir, "1,2,3,4");
    assert_eq!(ok.status.and_then(|s| s.code()), Some(0), "{}", ok.stderr);
    forward(&dir, "1,2,3,4,5").assert_clear_error(&[
        "--ids has 5 tokens, more than the model's max_position_embeddings (4)",
    ]);
    let out = dir.with_file_name("grads.safetensors");
    hir_bounded(
        &[
            "grad",
            "--model",
            dir.to_str().unwrap(),
            "--ids",
            "1,2,3,4,5",
            "--out",
            out.to_str().unwrap(),
        ],
        MEM_MIB,
        SECS,
    )
    .assert_clear_error(&["--ids has 5 tokens, more than the model's max_position_embeddings (4)"]);
}

#[test]
fn a_model_path_that_is_neither_gguf_nor_a_directory_is_named() {
    forward(Path::new("/dev/zero"), "1,2").assert_clear_error(&[
        "`/dev/zero` is a character device; a model path must be a GGUF file or a Hugging \
         Face model directory",
    ]);
    let (_s, dir) = tiny_model();
    forward(&dir.join("config.json"), "1,2")
        .assert_clear_error(&["config.json` is a file that is not a GGUF file"]);
}

fn gguf_fixture() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/gguf/tiny_llama.gguf"))
        .unwrap()
}

/// Where the value of metadata key `key` (of GGUF type u32) starts.
fn u32_value_at(bytes: &[u8], key: &str) -> usize {
    let at = bytes
        .windows(key.len())
        .position(|w| w == key.as_bytes())
        .unwrap();
    let ty = u32::from_le_bytes(
        bytes[at + key.len()..at + key.len() + 4]
            .try_into()
            .unwrap(),
    );
    assert_eq!(ty, 4, "{key} is a u32");
    at + key.len() + 4
}

fn write_gguf(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let scratch = tempfile::tempdir().unwrap();
    let path = scratch.path().join("m.gguf");
    std::fs::write(&path, bytes).unwrap();
    (scratch, path)
}

#[test]
fn gguf_sizes_are_checked_against_the_tensors() {
    let good = gguf_fixture();
    let at = u32_value_at(&good, "llama.block_count");
    for (layers, needle) in [
        (
            3u32,
            "metadata key `llama.block_count`: 3, but the weights hold 2 layers (`blk.0.*` to \
             `blk.1.*`); tensor `blk.2.attn_norm.weight` is missing (config field \
             `num_hidden_layers`)",
        ),
        (
            5000,
            "metadata key `llama.block_count`: 5000 is implausibly large (at most 4096 layers",
        ),
        (
            4_000_000_000,
            "`llama.block_count` = 4000000000 is implausibly large",
        ),
    ] {
        let mut b = good.clone();
        b[at..at + 4].copy_from_slice(&layers.to_le_bytes());
        let (_s, path) = write_gguf(&b);
        forward(&path, "1,2").assert_clear_error(&["m.gguf", needle]);
    }
    let at = u32_value_at(&good, "llama.context_length");
    let mut b = good.clone();
    b[at..at + 4].copy_from_slice(&0u32.to_le_bytes());
    let (_s, path) = write_gguf(&b);
    forward(&path, "1,2").assert_clear_error(&[
        "m.gguf",
        "metadata key `llama.context_length`: must be positive",
    ]);
}

#[test]
fn gguf_non_finite_weights_are_refused() {
    let good = gguf_fixture();
    let f = hir::io::gguf::GgufFile::from_bytes(good.clone(), Path::new("m.gguf")).unwrap();
    let t = f
        .tensors()
        .iter()
        .find(|t| t.ggml_type == hir::io::gguf::GgmlType::F32 && t.name.starts_with("blk."))
        .expect("an f32 tensor")
        .clone();
    let at = (f.data_start() + t.offset) as usize;
    let mut b = good;
    b[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    let (_s, path) = write_gguf(&b);
    forward(&path, "1,2").assert_clear_error(&[
        "m.gguf",
        &format!(
            "tensor `{}` holds a non-finite value (NaN at flat index 0)",
            t.name
        ),
    ]);
}

/// A GGUF v3 file holding only a header and one metadata pair `key` of type `ty`.
fn gguf_with_one_value(key: &str, ty: u32, value: &[u8]) -> Vec<u8> {
    let mut b = b"GGUF".to_vec();
    b.extend(3u32.to_le_bytes());
    b.extend(0u64.to_le_bytes());
    b.extend(1u64.to_le_bytes());
    b.extend((key.len() as u64).to_le_bytes());
    b.extend(key.as_bytes());
    b.extend(ty.to_le_bytes());
    b.extend(value);
    b
}

#[test]
fn gguf_array_and_string_bombs_are_refused() {
    // 48M one-byte array elements: 48 MB on disk, but 1.5 GB as parsed values without a cap.
    let n = 48usize << 20;
    let mut value = 0u32.to_le_bytes().to_vec(); // element type u8
    value.extend((n as u64).to_le_bytes());
    value.resize(value.len() + n, 0);
    let (_s, path) = write_gguf(&gguf_with_one_value("general.bomb", 9, &value));
    forward(&path, "1,2").assert_clear_error(&[
        "m.gguf",
        "50331648 array elements would take the metadata past 8388608",
    ]);
    // Declared lengths far past the end of the file.
    let mut value = 0u32.to_le_bytes().to_vec();
    value.extend((1u64 << 62).to_le_bytes());
    let (_s, path) = write_gguf(&gguf_with_one_value("general.bomb", 9, &value));
    forward(&path, "1,2").assert_clear_error(&["m.gguf", "cannot fit in the"]);
    let (_s, path) = write_gguf(&gguf_with_one_value(
        "general.bomb",
        8,
        &(1u64 << 62).to_le_bytes(),
    ));
    forward(&path, "1,2").assert_clear_error(&["m.gguf", "cannot fit in the"]);
}

fn bench(args: &[&str]) -> common::BoundedRun {
    let mut all = vec!["bench"];
    all.extend(args);
    hir_bounded(&all, MEM_MIB, SECS)
}

#[test]
fn bench_sizes_are_checked_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.json");
    let mut c: serde_json::Value =
        serde_json::from_str(&tiny_config(true, false).to_hf_json()).unwrap();
    c["vocab_size"] = 1_000_000_000_000u64.into();
    std::fs::write(&cfg, c.to_string()).unwrap();
    bench(&["decode", "--config", cfg.to_str().unwrap()]).assert_clear_error(&[
        "--config",
        "`vocab_size`: 1000000000000 is implausibly large",
    ]);
    // Within every per-size bound, but over the benchmark's parameter budget.
    c["vocab_size"] = (1u64 << 24).into();
    c["hidden_size"] = 4096.into();
    c["num_attention_heads"] = 32.into();
    c["head_dim"] = 128.into();
    c["num_key_value_heads"] = 8.into();
    std::fs::write(&cfg, c.to_string()).unwrap();
    bench(&["decode", "--config", cfg.to_str().unwrap()])
        .assert_clear_error(&["--config", "more than the 8589934592 allowed here"]);
    bench(&["matmul", "--size", "100000"]).assert_clear_error(&[
        "--size 100000: the three 100000×100000 f32 matrices would take 120.0 GB; at most 32768",
    ]);
    bench(&["matmul", "--shape", "1048576,1048576,1"])
        .assert_clear_error(&["--shape 1048576,1048576,1: M·K is over 1073741824 elements"]);
    bench(&["decode", "--tokens", "0"])
        .assert_clear_error(&["--tokens must be at least 2 for decode", "got 0"]);
    bench(&["generate", "--tokens", "0"]).assert_clear_error(&["--tokens must be at least 1"]);
    bench(&["step", "--batch", "0"]).assert_clear_error(&["--batch must be at least 1"]);
    bench(&["prompt", "--seq", "0"]).assert_clear_error(&["--seq must be at least 1"]);
    bench(&["decode", "--prompt-tokens", "0"])
        .assert_clear_error(&["--prompt-tokens must be at least 1"]);
    bench(&["decode", "--tokens", "100000000000"])
        .assert_clear_error(&["--prompt-tokens + --tokens = 100000000016 tokens; at most 1048576"]);
    bench(&["step", "--seq", "4096"]).assert_clear_error(&[
        "--seq = 4096 tokens, more than the model's max_position_embeddings (2048)",
    ]);
}
