//! The whole model's backward pass against central finite differences of its loss.
//!
//! Step and tolerance: the loss is computed in f32 (summed in f64), so one evaluation carries a
//! rounding error of roughly 1e-6 relative (~5e-6 absolute for a loss near 3). A central
//! difference with step h = 1e-2 divides that by 2h, giving ~3e-4 of noise, and its truncation
//! error is O(h²·f''') ≈ 1e-4 for these O(1) weights. We therefore accept
//! |fd − g| ≤ 2e-3 + 2e-2·|g|, which is far below the size of a wrong gradient (a missing
//! term or a sign error changes g by O(|g|), and the checked entries have |g| up to ~0.3).

mod common;

use common::{random_params, tiny_config, tiny_config_all_biases};
use hir_backend_cpu::CpuBackend;
use hir_core::backend::Backend;
use hir_core::model::{param_shapes, Model, PackedBatch, Params};
use hir_core::rng::Rng;

fn loss_of(
    b: &CpuBackend,
    cfg: &hir_core::model::ModelConfig,
    p: &Params<Vec<f32>>,
    batch: &PackedBatch,
) -> f32 {
    let model = Model::from_host(b, cfg.clone(), p).unwrap();
    let mut g = model.zeros_like_params(b).unwrap();
    model.loss_and_grads(b, batch, &mut g).unwrap()
}

fn check(cfg: hir_core::model::ModelConfig) {
    let (tied, bias) = (cfg.tie_word_embeddings, cfg.attention_bias);
    let b = CpuBackend::new();
    let host = random_params(&cfg, 7 + tied as u64 + 2 * bias as u64);
    // Three ragged sequences, one of length 1 (it contributes no target but must not break).
    let batch = PackedBatch::new(&[
        vec![1u32, 5, 9, 2, 22, 7],
        vec![3],
        vec![4, 4, 18, 0, 11, 6, 13, 2, 8],
    ]);
    let model = Model::from_host(&b, cfg.clone(), &host).unwrap();
    let mut grads = model.zeros_like_params(&b).unwrap();
    model.loss_and_grads(&b, &batch, &mut grads).unwrap();
    let grads: Vec<Vec<f32>> = grads
        .tensors()
        .iter()
        .map(|t| b.download(t).unwrap())
        .collect();

    let h = 1e-2f32;
    let mut rng = Rng::new(99);
    let mut checked = 0;
    for (ti, (name, _)) in param_shapes(&cfg).iter().enumerate() {
        let n = grads[ti].len();
        for _ in 0..4 {
            let j = rng.below(n as u64) as usize;
            let mut plus = host.clone();
            plus.tensors_mut()[ti][j] += h;
            let mut minus = host.clone();
            minus.tensors_mut()[ti][j] -= h;
            let fd =
                (loss_of(&b, &cfg, &plus, &batch) - loss_of(&b, &cfg, &minus, &batch)) / (2.0 * h);
            let g = grads[ti][j];
            assert!(
                (fd - g).abs() <= 2e-3 + 2e-2 * g.abs(),
                "{name}[{j}]: backward {g}, finite difference {fd} (tied={tied}, bias={bias})"
            );
            checked += 1;
        }
    }
    eprintln!("checked {checked} gradient entries ({cfg:?})");
}

#[test]
fn untied_llama_gradients_match_finite_differences() {
    check(tiny_config(false, false));
}

#[test]
fn tied_qwen2_gradients_match_finite_differences() {
    check(tiny_config(true, true));
}

#[test]
fn llama_with_attention_and_mlp_biases_matches_finite_differences() {
    check(tiny_config_all_biases());
}
