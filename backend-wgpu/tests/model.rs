//! Whole model, wgpu against the CPU reference, on the PyTorch golden models of
//! `tests/golden` (made by `tests/golden/make_golden.py`): forward logits max abs diff
//! ≤ 1e-4, every gradient tensor of `loss_and_grads` ≤ 1e-4·max(1, max|g|) (the bounds of
//! the issue), on the golden ids as one sequence and split into two packed sequences.
//!
//! GPU policy: see `common/mod.rs`. While some op is still marked "not implemented on wgpu
//! yet", the test prints `PENDING` with the op's error and passes; any other error fails.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hir_backend_cpu::CpuBackend;
use hir_core::backend::Backend;
use hir_core::model::{param_shapes, Model, ModelConfig, ModelError, PackedBatch, Params};
use safetensors::{Dtype, SafeTensors};

/// Every tensor of a safetensors file as f32 (F32, F16, BF16, I64), by name.
fn read_tensors(path: &Path) -> BTreeMap<String, (Vec<usize>, Vec<f32>)> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let st = SafeTensors::deserialize(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    st.iter()
        .map(|(name, view)| {
            let raw = view.data();
            let data: Vec<f32> = match view.dtype() {
                Dtype::F32 => raw
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect(),
                Dtype::F16 => raw
                    .chunks_exact(2)
                    .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
                    .collect(),
                Dtype::BF16 => raw
                    .chunks_exact(2)
                    .map(|c| half::bf16::from_le_bytes([c[0], c[1]]).to_f32())
                    .collect(),
                Dtype::I64 => raw
                    .chunks_exact(8)
                    .map(|c| i64::from_le_bytes(c.try_into().unwrap()) as f32)
                    .collect(),
                other => panic!("{}: {name} has dtype {other:?}", path.display()),
            };
            (name.to_string(), (view.shape().to_vec(), data))
        })
        .collect()
}

/// Config and f32 weights of a Hugging Face directory (single file or index + shards).
fn load(dir: &Path) -> (ModelConfig, Params<Vec<f32>>) {
    let text = std::fs::read_to_string(dir.join("config.json")).unwrap();
    let config = ModelConfig::from_hf_json(&text).unwrap();
    let index = dir.join("model.safetensors.index.json");
    let files: Vec<PathBuf> = if index.exists() {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&index).unwrap()).unwrap();
        let mut files: Vec<PathBuf> = v["weight_map"]
            .as_object()
            .unwrap()
            .values()
            .map(|f| dir.join(f.as_str().unwrap()))
            .collect();
        files.sort();
        files.dedup();
        files
    } else {
        vec![dir.join("model.safetensors")]
    };
    let mut found = BTreeMap::new();
    for f in files {
        found.extend(read_tensors(&f));
    }
    let items = param_shapes(&config)
        .into_iter()
        .map(|(name, shape)| {
            let (s, data) = found
                .remove(&name)
                .unwrap_or_else(|| panic!("no tensor {name}"));
            assert_eq!(s, shape, "{name}");
            data
        })
        .collect();
    let params = Params::from_ordered(&config, items).unwrap();
    (config, params)
}

/// Logits of the forward pass, the loss and every gradient (by name), on backend `b`.
type Outputs = (Vec<f32>, f32, Vec<(String, Vec<f32>)>);

fn run<B: Backend>(
    b: &B,
    config: &ModelConfig,
    host: &Params<Vec<f32>>,
    batch: &PackedBatch,
) -> Result<Outputs, ModelError> {
    let model = Model::from_host(b, config.clone(), host)?;
    let (logits, _) = model.forward(b, batch)?;
    let logits = b.download(&logits)?;
    let mut grads = model.zeros_like_params(b)?;
    let loss = model.loss_and_grads(b, batch, &mut grads)?;
    let grads = grads
        .named(config)
        .into_iter()
        .map(|(n, t)| Ok((n, b.download(t)?)))
        .collect::<Result<Vec<_>, ModelError>>()?;
    Ok((logits, loss, grads))
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).fold(0.0f32, |m, (x, y)| {
        if (x - y).is_nan() {
            f32::INFINITY
        } else {
            m.max((x - y).abs())
        }
    })
}

#[test]
#[ignore = "needs a GPU adapter (Vulkan, Metal, DX12 or GL): cargo test -p hir-backend-wgpu -- --ignored"]
fn wgpu_model_matches_cpu_on_the_golden_models() {
    let gpu = common::gpu("model");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.safetensors").exists())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 5,
        "expected the golden models in {}",
        root.display()
    );
    let cpu = CpuBackend::new();
    let mut checked = 0;
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let (config, host) = load(dir);
        let expected = read_tensors(&dir.join("expected.safetensors"));
        let ids: Vec<u32> = expected["input_ids"].1.iter().map(|&x| x as u32).collect();
        let (first, second) = ids.split_at(ids.len() / 2);
        for (what, batch) in [
            ("one sequence", PackedBatch::new(&[&ids[..]])),
            ("two packed sequences", PackedBatch::new(&[first, second])),
        ] {
            let got = match run(&gpu, &config, &host, &batch) {
                Ok(g) => g,
                Err(e) if e.to_string().contains("not implemented on wgpu yet") => {
                    println!("PENDING: model test on {name} ({what}): {e}");
                    return;
                }
                Err(e) => panic!("{name} ({what}): wgpu failed: {e}"),
            };
            let want = run(&cpu, &config, &host, &batch).unwrap();
            let d = max_abs_diff(&got.0, &want.0);
            assert!(d <= 1e-4, "{name} ({what}): logits differ by {d}");
            let dl = (got.1 - want.1).abs();
            assert!(
                dl <= 1e-5 * want.1.abs().max(1.0),
                "{name} ({what}): loss differs by {dl}"
            );
            let mut worst = 0.0f32;
            for ((pn, g), (_, w)) in got.2.iter().zip(&want.2) {
                let bound = 1e-4 * w.iter().fold(1.0f32, |m, v| m.max(v.abs()));
                let d = max_abs_diff(g, w);
                assert!(
                    d <= bound,
                    "{name} ({what}): gradient of {pn} differs by {d} (bound {bound})"
                );
                worst = worst.max(d / bound);
            }
            println!(
                "model {name} ({what}): logits max diff {d:.2e}, loss diff {dl:.2e}, {} gradients, worst diff/bound {worst:.3}",
                got.2.len()
            );
            checked += 1;
        }
    }
    println!(
        "model: {checked} golden-model runs agree on {}",
        gpu.adapter_info().name
    );
}
