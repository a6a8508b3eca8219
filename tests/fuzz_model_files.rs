//! Property tests of the model file parsers: safetensors (a single file and a sharded
//! directory's index), GGUF and `config.json`. Small valid files are truncated, bit-flipped
//! and have their size fields replaced by hostile values, and random bytes are thrown in; no
//! input may panic (each gives `Ok` or a typed error), and no parse may allocate more than
//! [`MEMORY_BOUND`] bytes at its peak, measured by a counting global allocator.
//!
//! Everything runs from one test so that the allocator's count is not mixed with other tests'
//! allocations; the number of cases is bounded so the whole file runs in seconds.

mod common;

use hir::io::gguf::GgufFile;
use hir::io::model::{host_model_from_bytes, load_hf_dir, parse_tensors, save_hf_dir, HostModel};
use hir_core::model::{param_shapes, ModelConfig, MAX_PARAMS};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Most bytes any one parse of these small files may have allocated at once: 64 MiB.
const MEMORY_BOUND: usize = 64 << 20;

/// The system allocator, counting live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; only counters are updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            grow(l.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(l) };
        if !p.is_null() {
            grow(l.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            LIVE.fetch_sub(l.size(), Ordering::Relaxed);
            grow(new);
        }
        q
    }
}

fn grow(n: usize) {
    let live = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Runs `f`, failing the case when it allocated more than [`MEMORY_BOUND`] at its peak.
fn bounded<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, TestCaseError> {
    let start = LIVE.load(Ordering::Relaxed);
    PEAK.store(start, Ordering::Relaxed);
    let out = f();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(start);
    prop_assert!(
        peak <= MEMORY_BOUND,
        "{what}: peak allocation {peak} bytes exceeds the bound {MEMORY_BOUND}"
    );
    Ok(out)
}

/// Values a hostile file puts in size fields.
fn hostile_u64() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(1),
        Just(7),
        Just(u32::MAX as u64),
        Just(1 << 32),
        Just(1 << 40),
        Just(1 << 62),
        Just(u64::MAX),
        any::<u64>(),
        0u64..100_000,
    ]
}

/// How a valid file is damaged.
#[derive(Debug, Clone)]
enum Damage {
    /// Keep only this fraction (in 1/1000) of the bytes.
    Truncate(u16),
    /// Flip these bits (byte position as a fraction in 1/65536 of the header, bit).
    Flip(Vec<(u16, u8)>),
    /// Overwrite a little-endian `u64` at this fraction of the header.
    Field(u16, u64),
    /// Replace the n-th decimal number of a text header (safetensors JSON) by a value.
    Number(u8, u64),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (0u16..1000).prop_map(Damage::Truncate),
        prop::collection::vec((any::<u16>(), 0u8..8), 1..6).prop_map(Damage::Flip),
        (any::<u16>(), hostile_u64()).prop_map(|(a, v)| Damage::Field(a, v)),
        (any::<u8>(), hostile_u64()).prop_map(|(n, v)| Damage::Number(n, v)),
    ]
}

/// `good` damaged by `d`; positions fall inside the first `header` bytes, where the fields are.
fn apply(good: &[u8], header: usize, d: &Damage) -> Vec<u8> {
    let at = |frac: u16| (frac as usize * header.max(1)) >> 16;
    let mut b = good.to_vec();
    match d {
        Damage::Truncate(k) => b.truncate(good.len() * *k as usize / 1000),
        Damage::Flip(flips) => {
            for &(f, bit) in flips {
                let i = at(f).min(b.len() - 1);
                b[i] ^= 1 << bit;
            }
        }
        Damage::Field(f, v) => {
            let i = at(*f).min(b.len().saturating_sub(8));
            b[i..i + 8].copy_from_slice(&v.to_le_bytes());
        }
        Damage::Number(n, v) => {
            let text = &good[..header.min(good.len())];
            let runs: Vec<(usize, usize)> = digit_runs(text);
            if !runs.is_empty() {
                let (s, e) = runs[*n as usize % runs.len()];
                let mut out = good[..s].to_vec();
                out.extend(v.to_string().as_bytes());
                out.extend(&good[e..]);
                b = out;
            }
        }
    }
    b
}

/// `(start, end)` of each run of ASCII digits.
fn digit_runs(text: &[u8]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if text[i].is_ascii_digit() {
            let s = i;
            while i < text.len() && text[i].is_ascii_digit() {
                i += 1;
            }
            runs.push((s, i));
        } else {
            i += 1;
        }
    }
    runs
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

fn tiny_model() -> HostModel {
    let cfg = common::tiny_config(false, true);
    HostModel {
        params: common::random_params(&cfg, 11),
        config: cfg,
    }
}

fn safetensors_single_file() {
    let model = tiny_model();
    let dir = tempfile::tempdir().unwrap();
    save_hf_dir(dir.path(), &model).unwrap();
    let good = std::fs::read(dir.path().join("model.safetensors")).unwrap();
    let config = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
    let header = 8 + u64::from_le_bytes(good[..8].try_into().unwrap()) as usize;
    let origin = Path::new("fuzz");
    let check = |bytes: &[u8]| -> Result<(), TestCaseError> {
        bounded("parse_tensors", || {
            let _ = parse_tensors(bytes, &origin.join("model.safetensors"));
        })?;
        let loaded = bounded("host_model_from_bytes", || {
            host_model_from_bytes(&config, bytes, origin)
        })?;
        if let Ok(m) = loaded {
            // Whatever loads is a model of the config's shape with finite weights.
            prop_assert_eq!(&m.config, &model.config);
            for t in m.params.tensors() {
                prop_assert!(t.iter().all(|x| x.is_finite()));
            }
        }
        Ok(())
    };
    runner(400)
        .run(&damage(), |d| check(&apply(&good, header, &d)))
        .unwrap();
    let random = prop::collection::vec(any::<u8>(), 0..2048);
    let prefixed = (hostile_u64(), random.clone()).prop_map(|(n, rest)| {
        let mut b = n.to_le_bytes().to_vec();
        b.extend(rest);
        b
    });
    runner(200)
        .run(&prop_oneof![random, prefixed], |b| check(&b))
        .unwrap();
}

fn safetensors_sharded_index() {
    let model = tiny_model();
    let base = tempfile::tempdir().unwrap();
    save_hf_dir(base.path(), &model).unwrap();
    let tensors = hir::io::model::read_tensors(&base.path().join("model.safetensors")).unwrap();
    let names: Vec<String> = tensors.keys().cloned().collect();
    // Two shards beside the index.
    let write_shard = |path: &Path, keep: &dyn Fn(usize) -> bool| {
        let list: Vec<(String, Vec<usize>, &[f32])> = names
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .map(|(_, n)| {
                (
                    n.clone(),
                    tensors[n].shape.clone(),
                    tensors[n].data.as_slice(),
                )
            })
            .collect();
        hir::io::model::write_f32_safetensors(path, &list).unwrap();
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_shard(&d.join("a.safetensors"), &|i| i % 2 == 0);
    write_shard(&d.join("b.safetensors"), &|i| i % 2 == 1);
    std::fs::copy(base.path().join("config.json"), d.join("config.json")).unwrap();
    std::fs::copy(
        d.join("a.safetensors"),
        base.path().join("outside.safetensors"),
    )
    .unwrap();
    let pool = prop_oneof![
        4 => Just("a.safetensors".to_string()),
        4 => Just("b.safetensors".to_string()),
        1 => Just("../outside.safetensors".to_string()),
        1 => Just("/dev/zero".to_string()),
        1 => Just(String::new()),
        1 => Just(".".to_string()),
        1 => Just("..".to_string()),
        1 => Just("sub/a.safetensors".to_string()),
        1 => Just("a.safetensors\\..\\b".to_string()),
        1 => Just("missing.safetensors".to_string()),
        1 => "[a-z./\\\\]{0,12}",
    ];
    let shards = prop::collection::vec(pool, names.len());
    let strategy = (shards, prop::option::of(damage()));
    runner(120)
        .run(&strategy, |(shards, dmg)| {
            let map: serde_json::Map<String, serde_json::Value> = names
                .iter()
                .zip(&shards)
                .map(|(n, s)| (n.clone(), s.clone().into()))
                .collect();
            let text = serde_json::json!({"metadata": {}, "weight_map": map}).to_string();
            let bytes = match &dmg {
                Some(d) => apply(text.as_bytes(), text.len(), d),
                None => text.into_bytes(),
            };
            std::fs::write(d.join("model.safetensors.index.json"), &bytes).unwrap();
            let loaded = bounded("load_hf_dir (sharded)", || load_hf_dir(d))?;
            let plain = |s: &str| {
                !s.is_empty() && s != "." && s != ".." && !s.contains('/') && !s.contains('\\')
            };
            if dmg.is_none() && shards.iter().any(|s| !plain(s)) {
                let e = loaded.as_ref().err().map(|e| e.to_string());
                prop_assert!(
                    e.as_deref()
                        .is_some_and(|e| e.contains("is not a plain file name")),
                    "a shard outside the directory was not refused: {shards:?} -> {e:?}"
                );
            }
            if let Ok(m) = loaded {
                // Only the two real shards can supply the tensors: the model is the original.
                prop_assert!(m.params == model.params, "loaded weights differ");
            }
            Ok(())
        })
        .unwrap();
}

fn gguf_files() {
    let good = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/gguf/tiny_llama.gguf"),
    )
    .unwrap();
    let header = GgufFile::from_bytes(good.clone(), Path::new("g.gguf"))
        .unwrap()
        .data_start() as usize;
    let check = |bytes: Vec<u8>| -> Result<(), TestCaseError> {
        bounded("gguf open + load", || {
            if let Ok(f) = GgufFile::from_bytes(bytes, Path::new("fuzz.gguf")) {
                if let Ok(m) = hir::io::gguf::load_from(&f) {
                    for t in m.host.params.tensors() {
                        assert!(t.iter().all(|x| x.is_finite()));
                    }
                }
            }
        })
    };
    runner(400)
        .run(&damage(), |d| check(apply(&good, header, &d)))
        .unwrap();
    // Random bytes behind a valid magic and version, so the parser gets past the first check.
    let random = prop::collection::vec(any::<u8>(), 0..2048).prop_map(|rest| {
        let mut b = b"GGUF".to_vec();
        b.extend(3u32.to_le_bytes());
        b.extend(rest);
        b
    });
    runner(200).run(&random, check).unwrap();
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    prop_oneof![
        hostile_u64().prop_map(Value::from),
        (1u64..64).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just(-1.0f64),
            Just(0.0),
            Just(1e-6),
            Just(1e300),
            Just(-1e300),
            Just(0.5)
        ]
        .prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        "[a-z0-9_]{0,8}".prop_map(Value::from),
        Just(Value::Null),
        Just(serde_json::json!({"rope_theta": 1e4, "rope_type": "default"})),
        Just(serde_json::json!([1, 2])),
    ]
}

fn config_json() {
    const FIELDS: [&str; 18] = [
        "vocab_size",
        "hidden_size",
        "intermediate_size",
        "num_hidden_layers",
        "num_attention_heads",
        "num_key_value_heads",
        "head_dim",
        "rope_theta",
        "rope_parameters",
        "rms_norm_eps",
        "tie_word_embeddings",
        "attention_bias",
        "mlp_bias",
        "max_position_embeddings",
        "model_type",
        "hidden_act",
        "rope_scaling",
        "sliding_window",
    ];
    let valid =
        serde_json::from_str::<serde_json::Value>(&common::tiny_config(false, true).to_hf_json())
            .unwrap();
    let edits = prop::collection::vec((0..FIELDS.len(), json_value()), 0..5);
    let text = prop_oneof![
        4 => edits.prop_map(move |edits| {
            let mut v = valid.clone();
            for (f, value) in edits {
                v[FIELDS[f]] = value;
            }
            v.to_string()
        }),
        1 => ".{0,200}",
    ];
    runner(600)
        .run(&text, |text| {
            let parsed = bounded("from_hf_json", || ModelConfig::from_hf_json(&text))?;
            if let Ok(cfg) = parsed {
                prop_assert!(cfg.validate().is_ok());
                prop_assert!(cfg.checked_param_count().unwrap() <= MAX_PARAMS);
                // What a loader builds first from a valid config stays within the bound.
                bounded("param_shapes", || param_shapes(&cfg))?;
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn model_file_parsers_never_panic_and_stay_within_the_memory_bound() {
    // The allocator's count is live: an allocation over the bound is caught.
    assert!(bounded("self-check", || vec![1u8; MEMORY_BOUND + 1].len()).is_err());
    safetensors_single_file();
    safetensors_sharded_index();
    gguf_files();
    config_json();
}
