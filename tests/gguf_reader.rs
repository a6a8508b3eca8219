//! The GGUF reader against llama.cpp's own Python package (gguf-py): dequantization, metadata,
//! models converted as `convert_hf_to_gguf.py` does, corrupt files, and the real SmolLM2 file.
//! Fixtures: `tests/data/gguf/` (see its README; regenerate with
//! `scripts/reference/gguf_fixtures.py`).

use hir::io::gguf::{load_model, GgmlType, GgufError, GgufFile, MetaValue};
use hir::io::model::{load_hf_dir, read_tensors};
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/gguf")
        .join(name)
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

#[test]
fn dequantization_is_bit_identical_to_gguf_py() {
    let f = GgufFile::open(&data("quants.gguf")).unwrap();
    assert_eq!(f.version(), 3);
    let expected = read_tensors(&data("quants_expected.safetensors")).unwrap();
    let mut types = Vec::new();
    for (name, exp) in &expected {
        let info = f.tensor(name).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(info.shape(), exp.shape, "{name}");
        let got = f.tensor_f32(name).unwrap();
        assert_eq!(got.len(), exp.data.len(), "{name}");
        let diff = got
            .iter()
            .zip(&exp.data)
            .filter(|(a, b)| a.to_bits() != b.to_bits())
            .count();
        assert_eq!(diff, 0, "{name} ({}): {diff} values differ", info.ggml_type);
        types.push(info.ggml_type);
    }
    for t in [
        GgmlType::F32,
        GgmlType::F16,
        GgmlType::BF16,
        GgmlType::Q4_0,
        GgmlType::Q4_1,
        GgmlType::Q5_0,
        GgmlType::Q5_1,
        GgmlType::Q8_0,
        GgmlType::Q2_K,
        GgmlType::Q3_K,
        GgmlType::Q4_K,
        GgmlType::Q5_K,
        GgmlType::Q6_K,
        GgmlType::Q8_K,
    ] {
        assert!(types.contains(&t), "no fixture tensor of type {t}");
    }
    // GGUF dims are ne0-first: the [2, 3, 4] numpy array is stored as dims [4, 3, 2].
    assert_eq!(f.tensor("t_3d").unwrap().dims, vec![4, 3, 2]);
}

#[test]
fn metadata_of_every_value_type() {
    let f = GgufFile::open(&data("quants.gguf")).unwrap();
    let m = f.metadata();
    let get = |k: &str| m.get(k).unwrap_or_else(|| panic!("{k} missing"));
    assert_eq!(get("test.u8"), &MetaValue::U8(200));
    assert_eq!(get("test.i8"), &MetaValue::I8(-100));
    assert_eq!(get("test.u16"), &MetaValue::U16(60000));
    assert_eq!(get("test.i16"), &MetaValue::I16(-30000));
    assert_eq!(get("test.u32").as_u64(), Some(4_000_000_000));
    assert_eq!(get("test.i32"), &MetaValue::I32(-2_000_000_000));
    assert_eq!(get("test.i32").as_u64(), None);
    assert_eq!(get("test.f32").as_f32(), Some(0.125));
    assert_eq!(get("test.bool").as_bool(), Some(true));
    assert_eq!(get("test.string").as_str(), Some("héllo ✓"));
    assert_eq!(get("test.u64"), &MetaValue::U64((1 << 63) + 5));
    assert_eq!(get("test.i64").as_i64(), Some(-(1 << 62)));
    assert_eq!(get("test.f64").as_f64(), Some(1e-300));
    assert_eq!(
        get("test.array_i32").as_array().unwrap(),
        &[MetaValue::I32(1), MetaValue::I32(-2), MetaValue::I32(3)]
    );
    let strs: Vec<_> = get("test.array_str")
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(strs, ["a", "bc", ""]);
    let nested = get("test.nested").as_array().unwrap();
    assert_eq!(nested.len(), 2);
    assert_eq!(nested[1].as_array().unwrap(), &[MetaValue::I32(3)]);
    assert_eq!(get("general.architecture").as_str(), Some("test"));
    // File order is kept: the writer puts general.architecture first.
    assert_eq!(
        m.iter().next().map(|(k, _)| k),
        Some("general.architecture")
    );
    assert_eq!(f.alignment(), 32);
    assert_eq!(f.data_start() % 32, 0);
}

#[test]
fn tiny_llama_gguf_loads_to_the_hf_params_it_was_converted_from() {
    let g = load_model(&data("tiny_llama.gguf")).unwrap();
    let hf = load_hf_dir(&golden("llama_f16")).unwrap();
    assert_eq!(g.host.config, hf.config);
    assert!(g.host.params == hf.params, "params differ from the HF dir");
    assert_eq!(g.architecture, "llama");
    assert_eq!(
        g.name.as_deref(),
        Some("hir test fixture from tests/golden/llama_f16")
    );
    // The stored Q/K rows really are permuted (so the equality above proves the undo).
    let f = GgufFile::open(&data("tiny_llama.gguf")).unwrap();
    let raw_q = f.tensor_f32("blk.0.attn_q.weight").unwrap();
    assert_ne!(raw_q, hf.params.layers[0].q_proj);
    let raw_k = f.tensor_f32("blk.1.attn_k.weight").unwrap();
    assert_ne!(raw_k, hf.params.layers[1].k_proj);
    // The fake tokenizer.
    let v = &g.vocab;
    assert_eq!(v.model, "gpt2");
    assert_eq!(v.pre.as_deref(), Some("smollm"));
    assert_eq!(v.tokens.len(), 64);
    assert_eq!(v.tokens[1], "<|im_start|>");
    assert_eq!(v.token_types[..4], [3, 3, 3, 1]);
    assert_eq!(v.merges, ["t 1", "t1 0", "Ġ t"]);
    assert!(v.scores.is_empty());
    assert_eq!((v.bos_token_id, v.eos_token_id), (Some(1), Some(2)));
    assert_eq!((v.padding_token_id, v.unknown_token_id), (Some(0), None));
    assert_eq!((v.add_bos_token, v.add_eos_token), (Some(false), None));
    assert!(v.chat_template.as_deref().unwrap().contains("<|im_start|>"));
}

#[test]
fn tiny_qwen2_gguf_is_not_permuted_and_keeps_biases() {
    let g = load_model(&data("tiny_qwen2.gguf")).unwrap();
    let hf = load_hf_dir(&golden("qwen2_bias")).unwrap();
    assert_eq!(g.host.config, hf.config);
    assert_eq!(g.architecture, "qwen2");
    // The fixture stores 2-D weights as F16 (1-D ones as F32): compare with the HF weights
    // rounded to f16 the same way (round to nearest even, numpy's astype(float16)).
    let names = hf.params.named(&hf.config);
    let shapes = hir_core::model::param_shapes(&hf.config);
    for (((name, want), (_, shape)), got) in names.iter().zip(&shapes).zip(g.host.params.tensors())
    {
        let want: Vec<f32> = if shape.len() == 2 {
            want.iter()
                .map(|&x| half::f16::from_f32(x).to_f32())
                .collect()
        } else {
            (*want).clone()
        };
        assert_eq!(&want, got, "{name}");
    }
    assert!(g.host.params.layers[0].q_bias.is_some());
}

/// `bytes` with `len` bytes kept.
fn open_bytes(bytes: &[u8]) -> Result<GgufFile, GgufError> {
    GgufFile::from_bytes(bytes.to_vec(), Path::new("corrupt.gguf"))
}

#[test]
fn truncated_files_give_errors_not_panics() {
    let bytes = std::fs::read(data("tiny_llama.gguf")).unwrap();
    let full = open_bytes(&bytes).unwrap();
    let header = full.data_start() as usize;
    // gguf-py pads after the last tensor too: a file cut in that padding is still whole.
    let end = full
        .tensors()
        .iter()
        .map(|t| header + (t.offset + t.n_bytes) as usize)
        .max()
        .unwrap();
    assert!(end <= bytes.len() && end > header);
    let offsets = (0..header).chain((header..end).step_by(61));
    for len in offsets {
        let e = open_bytes(&bytes[..len]).expect_err("a truncated file must not open");
        let msg = e.to_string();
        assert!(msg.contains("corrupt.gguf"), "{msg}");
        if len >= 4 && len < header {
            assert!(
                matches!(
                    e,
                    GgufError::Truncated { .. }
                        | GgufError::Invalid { .. }
                        | GgufError::DataOutOfBounds { .. }
                ),
                "len {len}: {e}"
            );
        }
        if len > header {
            assert!(
                matches!(e, GgufError::DataOutOfBounds { .. }),
                "len {len}: {e}"
            );
        }
    }
    assert!(open_bytes(&bytes[..end]).is_ok());
}

#[test]
fn corrupt_headers_give_named_errors() {
    let bytes = std::fs::read(data("tiny_llama.gguf")).unwrap();
    let patch = |at: usize, new: &[u8]| {
        let mut b = bytes.clone();
        b[at..at + new.len()].copy_from_slice(new);
        open_bytes(&b)
    };
    let e = patch(0, b"GGML").unwrap_err();
    assert!(matches!(e, GgufError::BadMagic { .. }), "{e}");
    assert!(e.to_string().contains("magic"), "{e}");
    let e = patch(4, &1u32.to_le_bytes()).unwrap_err();
    assert!(
        matches!(e, GgufError::UnsupportedVersion { version: 1, .. }),
        "{e}"
    );
    let e = patch(4, &4u32.to_le_bytes()).unwrap_err();
    assert!(e.to_string().contains("version 4"), "{e}");
    // Absurd tensor and key/value counts.
    let e = patch(8, &u64::MAX.to_le_bytes()).unwrap_err();
    assert!(e.to_string().contains("tensor count"), "{e}");
    let e = patch(16, &(1u64 << 40).to_le_bytes()).unwrap_err();
    assert!(e.to_string().contains("key/value count"), "{e}");
    // The first key's length (offset 24) and value type (after the key).
    let e = patch(24, &u64::MAX.to_le_bytes()).unwrap_err();
    assert!(e.to_string().contains("metadata entry 0"), "{e}");
    let key_len = u64::from_le_bytes(bytes[24..32].try_into().unwrap()) as usize;
    let e = patch(32 + key_len, &77u32.to_le_bytes()).unwrap_err();
    assert!(e.to_string().contains("unknown value type 77"), "{e}");
    // Random byte flips anywhere in the header: an error or a file, never a panic; and
    // loading the model from whatever opens never panics either.
    let header = open_bytes(&bytes).unwrap().data_start() as usize;
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..3000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let at = (state % header as u64) as usize;
        let mut b = bytes.clone();
        b[at] ^= 1 << ((state >> 32) % 8);
        if let Ok(f) = open_bytes(&b) {
            let _ = hir::io::gguf::load_from(&f);
        }
    }
}

/// A minimal GGUF v3 writer for error cases the fixtures cannot show.
fn gguf(version: u32, kvs: &[(&str, u32, Vec<u8>)], tensors: &[(&str, &[u64], u32)]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend(b"GGUF");
    b.extend(version.to_le_bytes());
    b.extend((tensors.len() as u64).to_le_bytes());
    b.extend((kvs.len() as u64).to_le_bytes());
    let s = |b: &mut Vec<u8>, s: &str| {
        b.extend((s.len() as u64).to_le_bytes());
        b.extend(s.as_bytes());
    };
    for (k, t, v) in kvs {
        s(&mut b, k);
        b.extend(t.to_le_bytes());
        b.extend(v);
    }
    for (name, dims, ty) in tensors {
        s(&mut b, name);
        b.extend((dims.len() as u32).to_le_bytes());
        for d in *dims {
            b.extend(d.to_le_bytes());
        }
        b.extend(ty.to_le_bytes());
        b.extend(0u64.to_le_bytes());
    }
    while b.len() % 32 != 0 {
        b.push(0);
    }
    b.extend(vec![0u8; 4096]);
    b
}

fn gstr(s: &str) -> Vec<u8> {
    let mut v = (s.len() as u64).to_le_bytes().to_vec();
    v.extend(s.as_bytes());
    v
}

#[test]
fn unknown_types_missing_keys_and_wrong_types_are_named() {
    let e = open_bytes(&gguf(3, &[], &[("w", &[32], 99)])).unwrap_err();
    assert!(
        e.to_string()
            .contains("unknown ggml type 99 for tensor `w`"),
        "{e}"
    );
    let f = open_bytes(&gguf(2, &[], &[("iq", &[256], 16)])).unwrap();
    let e = f.tensor_f32("iq").unwrap_err();
    assert!(e.to_string().contains("IQ2_XXS"), "{e}");
    let e = open_bytes(&gguf(3, &[], &[("q", &[33], 2)])).unwrap_err();
    assert!(e.to_string().contains("block size 32"), "{e}");
    let e = open_bytes(&gguf(3, &[], &[("x", &[1, 1, 1, 1, 1], 0)])).unwrap_err();
    assert!(e.to_string().contains("5 dimensions"), "{e}");
    let e = open_bytes(&gguf(3, &[], &[("x", &[1 << 40, 1 << 40], 0)])).unwrap_err();
    assert!(e.to_string().contains("overflow"), "{e}");
    let e = open_bytes(&gguf(3, &[], &[("x", &[4096], 0)])).unwrap_err();
    assert!(matches!(e, GgufError::DataOutOfBounds { .. }), "{e}");
    // Nested arrays deeper than the cap.
    let mut deep = Vec::new();
    for _ in 0..20 {
        deep.extend(9u32.to_le_bytes());
        deep.extend(1u64.to_le_bytes());
    }
    deep.extend(4u32.to_le_bytes());
    deep.extend(0u64.to_le_bytes());
    let e = open_bytes(&gguf(3, &[("deep", 9, deep)], &[])).unwrap_err();
    assert!(e.to_string().contains("nested deeper"), "{e}");
    // Model-level: missing architecture, unsupported architecture, missing tokens, wrong type.
    let f = open_bytes(&gguf(3, &[], &[])).unwrap();
    let e = hir::io::gguf::load_from(&f).unwrap_err();
    assert!(
        e.to_string().contains("`general.architecture` is missing"),
        "{e}"
    );
    let f = open_bytes(&gguf(3, &[("general.architecture", 8, gstr("gemma"))], &[])).unwrap();
    let e = hir::io::gguf::load_from(&f).unwrap_err();
    assert!(e.to_string().contains("`gemma` is not supported"), "{e}");
    let e = hir::io::gguf::read_vocab(&f).unwrap_err();
    assert!(
        e.to_string().contains("`tokenizer.ggml.tokens` is missing"),
        "{e}"
    );
    let f = open_bytes(&gguf(
        3,
        &[
            ("general.architecture", 8, gstr("llama")),
            ("llama.block_count", 8, gstr("30")),
        ],
        &[],
    ))
    .unwrap();
    let e = hir::io::gguf::load_from(&f).unwrap_err();
    assert!(
        e.to_string()
            .contains("`llama.block_count` should be an unsigned integer, found string"),
        "{e}"
    );
    let f = open_bytes(&gguf(
        3,
        &[
            ("general.architecture", 8, gstr("llama")),
            ("llama.rope.scaling.type", 8, gstr("yarn")),
        ],
        &[],
    ))
    .unwrap();
    let e = hir::io::gguf::load_from(&f).unwrap_err();
    assert!(e.to_string().contains("yarn"), "{e}");
}

#[test]
fn forward_on_the_gguf_equals_forward_on_the_hf_dir() {
    let dir_guard = tempfile::tempdir().expect("temp dir");
    let dir = dir_guard.path();
    let run = |model: &Path, out: &Path| {
        let st = std::process::Command::new(env!("CARGO_BIN_EXE_hir"))
            .args(["forward", "--model"])
            .arg(model)
            .args(["--ids", "0,5,63,7,7,12"])
            .arg("--out")
            .arg(out)
            .status()
            .unwrap();
        assert!(st.success());
        read_tensors(out).unwrap().remove("logits").unwrap()
    };
    let a = run(&data("tiny_llama.gguf"), &dir.join("gguf.safetensors"));
    let b = run(&golden("llama_f16"), &dir.join("hf.safetensors"));
    assert_eq!(a.shape, vec![6, 64]);
    assert_eq!(a, b);
}

#[test]
fn tensor_and_array_element_counts_are_capped_before_allocating() {
    use hir::io::gguf::{MAX_META_ELEMENTS, MAX_TENSORS};
    // A tensor count one over the cap, with enough bytes behind it to pass the bytes-left
    // check (24 bytes per tensor info).
    let mut b = gguf(3, &[], &[]);
    b[8..16].copy_from_slice(&(MAX_TENSORS as u64 + 1).to_le_bytes());
    b.resize(b.len() + 24 * (MAX_TENSORS + 1), 0);
    let e = open_bytes(&b).unwrap_err().to_string();
    assert!(
        e.contains("the tensor count 131073 is more than the 131072 accepted"),
        "{e}"
    );
    // One u8 array a byte per element in the file, over the cap on array elements in all.
    let n = MAX_META_ELEMENTS + 1;
    let mut value = 0u32.to_le_bytes().to_vec();
    value.extend((n as u64).to_le_bytes());
    value.resize(value.len() + n, 7);
    let e = open_bytes(&gguf(3, &[("big", 9, value)], &[]))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("8388609 array elements would take the metadata past 8388608"),
        "{e}"
    );
    // At the cap, the same array opens.
    let n = MAX_META_ELEMENTS;
    let mut value = 0u32.to_le_bytes().to_vec();
    value.extend((n as u64).to_le_bytes());
    value.resize(value.len() + n, 7);
    let f = open_bytes(&gguf(3, &[("big", 9, value)], &[])).unwrap();
    assert_eq!(
        f.metadata().get("big").unwrap().as_array().unwrap().len(),
        n
    );
}
