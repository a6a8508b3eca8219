//! LoRA on the wgpu backend against PEFT's goldens (`tests/golden_lora`, made by
//! `tests/golden_lora/make_lora_golden.py`): the adapted model's logits within 1e-4, the loss
//! within 1e-5·max(1, |loss|) and every adapter gradient of `loss_and_grads_lora` within
//! 1e-4·max(1, max|g|), on each case (all seven targets; q/v only with alpha ≠ r; MLP and o
//! only on a tied model). The LoRA linear is built from `matmul` alone, so this checks that
//! wgpu's products honour the transposes and alpha/beta the adapters use.
//!
//! GPU policy as in `tests/model_golden_wgpu.rs`: `#[ignore]`d, run with `-- --ignored` (on
//! lavapipe when there is no GPU), failing when no adapter opens.

mod common;

use std::path::Path;

use common::max_abs_diff;
use hir::io::adapter::read_adapter;
use hir::io::model::{load_hf_dir, read_tensors};
use hir_backend_wgpu::WgpuBackend;
use hir_core::backend::Backend;
use hir_core::model::{Model, PackedBatch};

#[test]
#[ignore = "needs a GPU adapter (Vulkan, Metal, DX12 or GL): cargo test -p hir --test lora_golden_wgpu -- --ignored"]
fn wgpu_lora_matches_peft() {
    let gpu = match WgpuBackend::new() {
        Ok(b) => b,
        Err(e) => panic!("no GPU adapter ({e}); this test runs only when asked for"),
    };
    println!("lora: adapter {}", gpu.adapter_info());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden_lora");
    let mut checked = 0;
    for case in ["llama_all7", "qwen2_qv", "llama_tied_mlp"] {
        let dir = root.join(case);
        let base = load_hf_dir(&dir.join("base")).unwrap_or_else(|e| panic!("{case}: {e}"));
        let adapter = read_adapter(&dir.join("adapter"), &base.config)
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        let want = read_tensors(&dir.join("expected.safetensors")).unwrap();
        let ids: Vec<u32> = want["input_ids"].data.iter().map(|&x| x as u32).collect();
        let batch = PackedBatch::new(&[&ids[..]]);

        let mut model = Model::from_host(&gpu, base.config.clone(), &base.params).unwrap();
        model.attach_lora(&gpu, &adapter.weights).unwrap();
        let logits = gpu
            .download(&model.forward(&gpu, &batch).unwrap().0)
            .unwrap();
        let d = max_abs_diff(&logits, &want["logits"].data);
        assert!(d <= 1e-4, "{case}: logits differ from PEFT's by {d}");

        let mut grads = adapter.weights.try_map(|t| gpu.zeros(t.len())).unwrap();
        let loss = model.loss_and_grads_lora(&gpu, &batch, &mut grads).unwrap();
        let want_loss = want["loss"].data[0];
        let dl = (loss - want_loss).abs();
        assert!(
            dl <= 1e-5 * want_loss.abs().max(1.0),
            "{case}: loss {loss} vs PEFT's {want_loss}"
        );
        let mut n = 0;
        for (key, g) in grads.named() {
            let g = gpu.download(g).unwrap();
            let w = &want[&format!("grad.{key}")].data;
            let bound = 1e-4 * w.iter().fold(1.0f32, |m, v| m.max(v.abs()));
            let dg = max_abs_diff(&g, w);
            assert!(dg <= bound, "{case}: gradient of {key} differs by {dg}");
            n += 1;
        }
        println!("lora {case}: logits max diff {d:.2e}, loss diff {dl:.2e}, {n} adapter gradients");
        checked += 1;
    }
    assert_eq!(checked, 3);
}
