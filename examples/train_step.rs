//! One forward + backward + AdamW step on a model that `transformers` saved.
//!
//! Run from the repository root: `cargo run --example train_step [MODEL_DIR]`.
use hir::io::model::load_hf_dir;
use hir_backend_cpu::CpuBackend;
use hir_core::model::{Model, PackedBatch};
use hir_core::optim::{AdamW, AdamWConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/golden/qwen2_bias".into());
    let host = load_hf_dir(std::path::Path::new(&dir))?;
    let b = CpuBackend::new();
    let mut model = Model::from_host(&b, host.config.clone(), &host.params)?;
    // Two sequences of different lengths, packed back to back.
    let batch = PackedBatch::new(&[vec![1u32, 5, 9, 2], vec![7, 3, 3]]);
    let mut opt = AdamW::new(
        &b,
        &model.params,
        AdamWConfig {
            lr: 1e-3,
            ..Default::default()
        },
    )?;
    for step in 1..=3 {
        let mut grads = model.zeros_like_params(&b)?;
        let loss = model.loss_and_grads(&b, &batch, &mut grads)?;
        let info = opt.step(&b, &mut model.params, &grads)?;
        println!(
            "step {step}: loss {loss:.4}, grad norm {:.4}",
            info.grad_norm
        );
    }
    Ok(())
}
