//! PEFT adapter directories: `write_adapter` then `read_adapter` gives the same adapter bit
//! for bit, the written `adapter_config.json` is what PEFT 0.22 writes, and every
//! unsupported field or tensor is refused with an error naming the file and the field or key.

mod common;

use common::tiny_config;
use hir::io::adapter::{read_adapter, read_adapter_keyed, write_adapter, Adapter, AdapterError};
use hir_core::model::{LoraConfig, LoraTarget, LoraWeights, ModelConfig};
use hir_core::rng::Rng;
use safetensors::Dtype;
use serde_json::{json, Value};
use std::path::Path;

/// A tiny model config (2 layers, GQA, d = 12, ffn 20).
fn cfg() -> ModelConfig {
    tiny_config(false, true)
}

/// An adapter with random A and B (B non-zero, so every value is checked).
fn adapter(targets: &[LoraTarget], rank: usize, alpha: f32) -> Adapter {
    let cfg = cfg();
    let mut weights = LoraWeights::init(&cfg, LoraConfig::new(rank, alpha, targets), 7);
    let mut rng = Rng::new(11);
    for t in weights.tensors_mut() {
        t.iter_mut().for_each(|x| *x = rng.next_normal());
    }
    Adapter {
        weights,
        base_model_name_or_path: Some("HuggingFaceTB/SmolLM2-135M-Instruct".into()),
    }
}

fn qv() -> Adapter {
    adapter(&[LoraTarget::QProj, LoraTarget::VProj], 2, 5.0)
}

/// `adapter` written to a fresh directory.
fn written(a: &Adapter) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_adapter(dir.path(), a).unwrap();
    dir
}

fn config_of(dir: &Path) -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(dir.join("adapter_config.json")).unwrap();
    match serde_json::from_str(&text).unwrap() {
        Value::Object(o) => o,
        other => panic!("not an object: {other}"),
    }
}

/// Rewrites `adapter_config.json` with `edit` applied.
fn edit_config(dir: &Path, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) {
    let mut obj = config_of(dir);
    edit(&mut obj);
    std::fs::write(
        dir.join("adapter_config.json"),
        serde_json::to_string_pretty(&Value::Object(obj)).unwrap(),
    )
    .unwrap();
}

/// A tensor to write: key, shape, f32 values.
type Tensor = (String, Vec<usize>, Vec<f32>);

/// Every tensor of the written adapter.
fn tensors_of(a: &Adapter) -> Vec<Tensor> {
    let shapes = hir_core::model::lora::lora_shapes(&cfg(), &a.weights.config);
    a.weights
        .named()
        .into_iter()
        .zip(shapes)
        .map(|((k, t), (_, shape))| (k, shape, t.clone()))
        .collect()
}

/// Writes `adapter_model.safetensors` with the given tensors, each in `dtype` (F32, F16 or
/// BF16 from f32 values; I64 from their integer part).
fn write_tensors(dir: &Path, tensors: &[Tensor], dtype: Dtype) {
    let bytes: Vec<Vec<u8>> = tensors
        .iter()
        .map(|(_, _, d)| match dtype {
            Dtype::F32 => d.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Dtype::F16 => d
                .iter()
                .flat_map(|&x| half::f16::from_f32(x).to_le_bytes())
                .collect(),
            Dtype::BF16 => d
                .iter()
                .flat_map(|&x| half::bf16::from_f32(x).to_le_bytes())
                .collect(),
            Dtype::I64 => d.iter().flat_map(|&x| (x as i64).to_le_bytes()).collect(),
            other => panic!("{other:?}"),
        })
        .collect();
    let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = tensors
        .iter()
        .zip(&bytes)
        .map(|((k, shape, _), b)| {
            (
                k.clone(),
                safetensors::tensor::TensorView::new(dtype, shape.clone(), b).unwrap(),
            )
        })
        .collect();
    let data = safetensors::serialize(views, None).unwrap();
    std::fs::write(dir.join("adapter_model.safetensors"), data).unwrap();
}

/// The error of reading `dir`, as the CLI prints it.
fn refusal(dir: &Path) -> String {
    match read_adapter(dir, &cfg()) {
        Ok(_) => panic!("the adapter in {} was accepted", dir.display()),
        Err(e) => format!("{e}"),
    }
}

fn assert_names(msg: &str, needles: &[&str]) {
    for n in needles {
        assert!(msg.contains(n), "`{msg}` does not name `{n}`");
    }
}

#[test]
fn write_then_read_is_bit_exact() {
    for a in [
        qv(),
        adapter(&LoraTarget::ALL, 3, 7.5),
        adapter(&[LoraTarget::DownProj], 1, 0.1),
    ] {
        let dir = written(&a);
        let back = read_adapter(dir.path(), &cfg()).unwrap();
        assert_eq!(back.base_model_name_or_path, a.base_model_name_or_path);
        assert_eq!(back.weights.config, a.weights.config);
        for ((ka, ta), (kb, tb)) in a.weights.named().into_iter().zip(back.weights.named()) {
            assert_eq!(ka, kb);
            let bits = |t: &[f32]| t.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(ta), bits(tb), "{ka} changed in the round trip");
        }
    }
}

#[test]
fn written_files_are_what_peft_writes() {
    let a = adapter(&[LoraTarget::VProj, LoraTarget::QProj], 2, 5.0);
    let dir = written(&a);
    let obj = config_of(dir.path());
    let want = [
        ("peft_type", json!("LORA")),
        ("task_type", json!("CAUSAL_LM")),
        ("r", json!(2)),
        ("lora_alpha", json!(5)),
        ("target_modules", json!(["q_proj", "v_proj"])),
        ("lora_dropout", json!(0.0)),
        ("bias", json!("none")),
        ("fan_in_fan_out", json!(false)),
        ("use_dora", json!(false)),
        ("use_rslora", json!(false)),
        ("modules_to_save", Value::Null),
        ("init_lora_weights", json!(true)),
        ("inference_mode", json!(true)),
        (
            "base_model_name_or_path",
            json!("HuggingFaceTB/SmolLM2-135M-Instruct"),
        ),
        ("revision", Value::Null),
        ("layers_to_transform", Value::Null),
        ("layers_pattern", Value::Null),
        ("rank_pattern", json!({})),
        ("alpha_pattern", json!({})),
    ];
    for (k, v) in want {
        assert_eq!(obj.get(k), Some(&v), "adapter_config.json field `{k}`");
    }
    // The tensors: f32, PEFT's keys, in `LoraWeights::named` order, A [r, in] and B [out, r].
    let bytes = std::fs::read(dir.path().join("adapter_model.safetensors")).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut stored: Vec<(String, Vec<usize>, Dtype, usize)> = st
        .tensors()
        .into_iter()
        .map(|(k, v)| {
            let offset = v.data().as_ptr() as usize - bytes.as_ptr() as usize;
            (k, v.shape().to_vec(), v.dtype(), offset)
        })
        .collect();
    stored.sort_by_key(|t| t.3);
    let order: Vec<String> = stored.iter().map(|t| t.0.clone()).collect();
    let named: Vec<String> = a.weights.named().into_iter().map(|(k, _)| k).collect();
    assert_eq!(order, named, "tensor order in the file");
    assert_eq!(
        named[0],
        "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"
    );
    let c = cfg();
    for (k, shape, dtype, _) in &stored {
        assert_eq!(*dtype, Dtype::F32, "{k}");
        let want = if k.contains(".q_proj.lora_A") {
            vec![2, c.hidden_size]
        } else if k.contains(".q_proj.lora_B") {
            vec![c.q_dim(), 2]
        } else if k.contains(".v_proj.lora_A") {
            vec![2, c.hidden_size]
        } else {
            vec![c.kv_dim(), 2]
        };
        assert_eq!(shape, &want, "{k}");
    }
}

#[test]
fn accepts_what_peft_writes_in_other_spellings() {
    let a = qv();
    // Older PEFT: keys with the adapter name `.default`; half-precision tensors; a single
    // module name as a string; extra and unknown fields.
    let dir = written(&a);
    let renamed: Vec<_> = tensors_of(&a)
        .into_iter()
        .map(|(k, s, d)| (k.replace(".weight", ".default.weight"), s, d))
        .collect();
    write_tensors(dir.path(), &renamed, Dtype::F32);
    edit_config(dir.path(), |o| {
        o.insert("lora_dropout".into(), json!(0.05));
        o.insert("task_type".into(), Value::Null);
        o.insert("peft_version".into(), json!("0.22.0"));
        o.insert("some_future_field".into(), json!({"x": 1}));
        o.insert("use_bdlora".into(), Value::Null);
        o.insert("loftq_config".into(), json!({}));
    });
    let (back, keys) = read_adapter_keyed(dir.path(), &cfg()).unwrap();
    assert_eq!(back.weights, a.weights);
    assert_eq!(
        keys[0], "base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight",
        "the file's own key names are reported"
    );

    for dtype in [Dtype::F16, Dtype::BF16] {
        let dir = written(&a);
        write_tensors(dir.path(), &tensors_of(&a), dtype);
        let back = read_adapter(dir.path(), &cfg()).unwrap();
        let round = |x: f32| match dtype {
            Dtype::F16 => half::f16::from_f32(x).to_f32(),
            _ => half::bf16::from_f32(x).to_f32(),
        };
        for ((k, want), (_, got)) in a.weights.named().into_iter().zip(back.weights.named()) {
            let want: Vec<f32> = want.iter().map(|&x| round(x)).collect();
            assert_eq!(&want, got, "{dtype:?} {k}: not the stored values");
        }
    }

    let single = adapter(&[LoraTarget::OProj], 2, 4.0);
    let dir = written(&single);
    edit_config(dir.path(), |o| {
        o.insert("target_modules".into(), json!("o_proj"));
    });
    assert_eq!(read_adapter(dir.path(), &cfg()).unwrap(), single);
    // Module paths inside the layer, as PEFT also matches them.
    let dir = written(&a);
    edit_config(dir.path(), |o| {
        o.insert(
            "target_modules".into(),
            json!(["self_attn.v_proj", "q_proj"]),
        );
    });
    assert_eq!(read_adapter(dir.path(), &cfg()).unwrap(), a);
    // PEFT's "all-linear": every linear but the head, the seven of a Llama layer.
    let all = adapter(&LoraTarget::ALL, 2, 4.0);
    let dir = written(&all);
    edit_config(dir.path(), |o| {
        o.insert("target_modules".into(), json!("all-linear"));
    });
    assert_eq!(read_adapter(dir.path(), &cfg()).unwrap(), all);
}

#[test]
fn refuses_unsupported_config_fields() {
    let cases: Vec<(&str, Value, &[&str])> = vec![
        ("use_dora", json!(true), &["DoRA"]),
        ("use_rslora", json!(true), &["rsLoRA"]),
        ("modules_to_save", json!(["lm_head"]), &["modules_to_save"]),
        ("bias", json!("all"), &["\"all\""]),
        ("bias", json!("lora_only"), &["\"lora_only\""]),
        ("lora_bias", json!(true), &["biases"]),
        ("rank_pattern", json!({"q_proj": 4}), &["per-module ranks"]),
        (
            "alpha_pattern",
            json!({"q_proj": 4}),
            &["per-module alphas"],
        ),
        ("layers_to_transform", json!([0]), &["every decoder layer"]),
        ("layers_pattern", json!("layers"), &["every decoder layer"]),
        ("fan_in_fan_out", json!(true), &["fan_in_fan_out"]),
        ("peft_type", json!("IA3"), &["\"IA3\"", "LORA"]),
        ("task_type", json!("SEQ_CLS"), &["SEQ_CLS"]),
        ("target_modules", json!(["embed_tokens"]), &["embed_tokens"]),
        ("target_modules", json!(["q_proj", "lm_head"]), &["lm_head"]),
        ("target_modules", json!(["gate_up_proj"]), &["gate_up_proj"]),
        (
            "target_modules",
            json!(["layers.0.self_attn.q_proj"]),
            &["layers.0.self_attn.q_proj"],
        ),
        (
            "target_modules",
            json!(".*(q|v)_proj"),
            &["regular expression", "list the modules"],
        ),
        ("target_modules", json!([]), &["empty"]),
        ("target_modules", Value::Null, &["missing"]),
        ("init_lora_weights", json!("pissa"), &["pissa"]),
        ("use_qalora", json!(true), &["QALoRA"]),
        ("alora_invocation_tokens", json!([1, 2]), &["aLoRA"]),
        ("layer_replication", json!([[0, 2]]), &["replication"]),
        ("exclude_modules", json!(["q_proj"]), &["exclude"]),
        (
            "target_parameters",
            json!(["mlp.experts"]),
            &["target_parameters"],
        ),
        ("trainable_token_indices", json!([3]), &["token"]),
        ("r", json!(0), &["≥ 1"]),
        ("r", json!(13), &["larger"]),
        ("r", json!("8"), &["integer"]),
        ("lora_alpha", json!(-1), &["lora_alpha"]),
        ("base_model_name_or_path", json!(3), &["string"]),
    ];
    for (field, value, needles) in cases {
        let dir = written(&qv());
        edit_config(dir.path(), |o| {
            o.insert(field.into(), value.clone());
        });
        let msg = refusal(dir.path());
        assert_names(&msg, &["adapter_config.json", &format!("`{field}`")]);
        assert_names(&msg, needles);
    }
    // A missing peft_type.
    let dir = written(&qv());
    edit_config(dir.path(), |o| {
        o.remove("peft_type");
    });
    assert_names(
        &refusal(dir.path()),
        &["adapter_config.json", "`peft_type`", "missing"],
    );
    // Not JSON.
    let dir = written(&qv());
    std::fs::write(dir.path().join("adapter_config.json"), "{ r: 8").unwrap();
    assert_names(&refusal(dir.path()), &["adapter_config.json", "JSON"]);
}

#[test]
fn refuses_tensors_that_do_not_fit() {
    let a = qv();
    let good = tensors_of(&a);
    let key0 = good[0].0.clone();

    // A key of a module the config does not target.
    let mut extra = good.clone();
    extra.push((
        "base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight".into(),
        vec![2, 12],
        vec![0.5; 24],
    ));
    // A layer the model does not have.
    let mut deep = good.clone();
    deep.push((
        "base_model.model.model.layers.2.self_attn.q_proj.lora_A.weight".into(),
        vec![2, 12],
        vec![0.5; 24],
    ));
    let mut embed = good.clone();
    embed.push((
        "base_model.model.model.embed_tokens.lora_embedding_A".into(),
        vec![2, 23],
        vec![0.5; 46],
    ));
    let mut bias = good.clone();
    bias.push((
        "base_model.model.model.layers.0.self_attn.q_proj.lora_B.bias".into(),
        vec![18],
        vec![0.5; 18],
    ));
    let mut head = good.clone();
    head.push((
        "base_model.model.lm_head.weight".into(),
        vec![23, 12],
        vec![0.5; 276],
    ));
    let missing = good[1..].to_vec();
    let mut shape = good.clone();
    shape[0].1 = vec![12, 2];
    let mut nan = good.clone();
    nan[3].2[1] = f32::NAN;
    let mut inf = good.clone();
    inf[2].2[0] = f32::INFINITY;
    let mut twice = good.clone();
    twice.push((
        key0.replace(".weight", ".default.weight"),
        good[0].1.clone(),
        good[0].2.clone(),
    ));

    let cases: Vec<(Vec<Tensor>, Vec<String>)> = vec![
        (
            extra,
            vec![
                "k_proj.lora_A.weight".into(),
                "not in target_modules".into(),
                "self_attn.q_proj, self_attn.v_proj".into(),
            ],
        ),
        (deep, vec!["layers.2.self_attn".into(), "l in 0..2".into()]),
        (
            embed,
            vec![
                "lora_embedding_A".into(),
                "embedding is not supported".into(),
            ],
        ),
        (
            bias,
            vec!["lora_B.bias".into(), "biases are not supported".into()],
        ),
        (head, vec!["lm_head.weight".into(), "expected".into()]),
        (missing, vec![key0.clone(), "missing".into()]),
        (
            shape,
            vec![key0.clone(), "[12, 2]".into(), "[2, 12]".into()],
        ),
        (nan, vec![good[3].0.clone(), "non-finite".into()]),
        (inf, vec![good[2].0.clone(), "non-finite".into()]),
        (twice, vec![key0.clone(), "keep one".into()]),
    ];
    for (tensors, needles) in cases {
        let dir = written(&a);
        write_tensors(dir.path(), &tensors, Dtype::F32);
        let msg = refusal(dir.path());
        assert_names(&msg, &["adapter_model.safetensors"]);
        let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
        assert_names(&msg, &needles);
    }
    // Integer tensors are not weights.
    let dir = written(&a);
    write_tensors(dir.path(), &good, Dtype::I64);
    assert_names(
        &refusal(dir.path()),
        &["adapter_model.safetensors", &key0, "I64"],
    );
}

#[test]
fn refuses_directories_that_are_not_adapters() {
    let a = qv();
    let dir = written(&a);
    std::fs::remove_file(dir.path().join("adapter_model.safetensors")).unwrap();
    std::fs::write(dir.path().join("adapter_model.bin"), b"pickle").unwrap();
    assert_names(
        &refusal(dir.path()),
        &[
            "adapter_model.safetensors",
            "adapter_model.bin",
            "safe_serialization",
        ],
    );
    let empty = tempfile::tempdir().unwrap();
    assert_names(&refusal(empty.path()), &["adapter_config.json"]);
    assert_names(&refusal(&empty.path().join("nope")), &["does not exist"]);
    // A truncated weight file.
    let dir = written(&a);
    let path = dir.path().join("adapter_model.safetensors");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 5]).unwrap();
    assert_names(&refusal(dir.path()), &["adapter_model.safetensors"]);
    // The error type says which part failed.
    let dir = written(&a);
    edit_config(dir.path(), |o| {
        o.insert("use_dora".into(), json!(true));
    });
    assert!(matches!(
        read_adapter(dir.path(), &cfg()),
        Err(AdapterError::Field {
            field: "use_dora",
            ..
        })
    ));
}

#[test]
fn peft_saved_adapters_are_rewritten_as_peft_saved_them() {
    use hir::io::model::{load_hf_dir, read_tensors};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden_lora");
    for case in ["llama_all7", "qwen2_qv", "llama_tied_mlp"] {
        let dir = root.join(case);
        let config = load_hf_dir(&dir.join("base")).unwrap().config;
        let peft_dir = dir.join("adapter");
        let a = read_adapter(&peft_dir, &config).unwrap();
        let out = tempfile::tempdir().unwrap();
        write_adapter(out.path(), &a).unwrap();
        // The same tensors, bit for bit, under the same keys and shapes.
        let theirs = read_tensors(&peft_dir.join("adapter_model.safetensors")).unwrap();
        let ours = read_tensors(&out.path().join("adapter_model.safetensors")).unwrap();
        assert_eq!(
            theirs.keys().collect::<Vec<_>>(),
            ours.keys().collect::<Vec<_>>(),
            "{case}: keys"
        );
        for (k, t) in &theirs {
            assert_eq!(t.shape, ours[k].shape, "{case}: {k} shape");
            let bits = |d: &[f32]| d.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&t.data), bits(&ours[k].data), "{case}: {k} values");
        }
        // The fields that define the adapter are PEFT's own.
        let (theirs, ours) = (config_of(&peft_dir), config_of(out.path()));
        for field in ["peft_type", "r", "lora_alpha", "base_model_name_or_path"] {
            assert_eq!(theirs[field], ours[field], "{case}: {field}");
        }
        let names = |v: &Value| {
            let mut n: Vec<String> = v
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect();
            n.sort();
            n
        };
        assert_eq!(
            names(&theirs["target_modules"]),
            names(&ours["target_modules"]),
            "{case}: target_modules"
        );
        assert_eq!(read_adapter(out.path(), &config).unwrap(), a, "{case}");
    }
}
