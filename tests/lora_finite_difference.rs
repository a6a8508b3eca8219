//! LoRA against finite differences: the LoRA linear op on its own (`lora_forward_acc` /
//! `lora_backward_acc`: `dA`, `dB` and `dx`), then the whole model's adapter gradients
//! (`Model::loss_and_grads_lora`) on an untied Llama with all seven targets and a tied Qwen2
//! with q/v adapters and `alpha ≠ r`.
//!
//! The op-level loss `L = Σ c ⊙ y` is bilinear in (A, B) and linear in x, so a central
//! difference has no truncation error: only f32 rounding (~1e-6 relative of the O(1)–O(10)
//! sums, divided by 2h = 2e-2), hence |fd − g| ≤ 1e-3 + 1e-3·|g|. The model-level bound is
//! the one of `tests/model_finite_difference.rs` (see there): 2e-3 + 2e-2·|g|.

mod common;

use common::{random_params, tiny_config, tiny_config_all_biases};
use hir_backend_cpu::CpuBackend;
use hir_core::backend::Backend;
use hir_core::model::linear::{linear, LinearDims};
use hir_core::model::lora::lora_shapes;
use hir_core::model::lora_linear::{lora_backward_acc, lora_forward_acc, LoraSaved, LoraShape};
use hir_core::model::{
    LoraConfig, LoraPair, LoraTarget, LoraWeights, Model, ModelConfig, PackedBatch, Params,
};
use hir_core::rng::Rng;

fn randn(rng: &mut Rng, n: usize, std: f32) -> Vec<f32> {
    (0..n).map(|_| rng.next_normal() * std).collect()
}

/// The fixed parts of the op-level check: the base weight, the loss weights `c`, sizes,
/// rank and scale.
struct Op {
    w: Vec<f32>,
    c: Vec<f32>,
    d: LinearDims,
    r: usize,
    s: f32,
}

/// `Σ c ⊙ (x·Wᵀ + scale·(x·Aᵀ)·Bᵀ)` in f64 from an f32 forward.
fn op_loss(b: &CpuBackend, op: &Op, x: &[f32], a: &[f32], bb: &[f32]) -> f64 {
    let (xt, wt) = (b.upload(x).unwrap(), b.upload(&op.w).unwrap());
    let pair = LoraPair {
        a: b.upload(a).unwrap(),
        b: b.upload(bb).unwrap(),
    };
    let d = op.d;
    let mut y = linear(b, &xt, &wt, d.rows, d.d_in, d.d_out).unwrap();
    lora_forward_acc(b, &xt, &pair, &mut y, d, op.r, op.s).unwrap();
    let y = b.download(&y).unwrap();
    y.iter()
        .zip(&op.c)
        .map(|(&y, &c)| y as f64 * c as f64)
        .sum()
}

#[test]
fn lora_linear_gradients_match_finite_differences() {
    let b = CpuBackend::new();
    let mut rng = Rng::new(5);
    let (rows, d_in, d_out, r, s) = (5, 7, 6, 3, 2.5f32);
    let d = LinearDims::new(rows, d_in, d_out);
    let x = randn(&mut rng, rows * d_in, 1.0);
    let w = randn(&mut rng, d_out * d_in, 0.5);
    let a = randn(&mut rng, r * d_in, 0.5);
    let bb = randn(&mut rng, d_out * r, 0.5);
    let c = randn(&mut rng, rows * d_out, 1.0);

    // Analytic: dy = c; base dx = dy·W, then the adapter's part.
    let (xt, wt, ct) = (
        b.upload(&x).unwrap(),
        b.upload(&w).unwrap(),
        b.upload(&c).unwrap(),
    );
    let pair = LoraPair {
        a: b.upload(&a).unwrap(),
        b: b.upload(&bb).unwrap(),
    };
    let mut y = linear(&b, &xt, &wt, rows, d_in, d_out).unwrap();
    let u = lora_forward_acc(&b, &xt, &pair, &mut y, d, r, s).unwrap();
    let mut g = LoraPair {
        a: b.zeros(r * d_in).unwrap(),
        b: b.zeros(d_out * r).unwrap(),
    };
    let mut dx = linear(
        &b,
        &ct,
        &b.upload(&transpose(&w, d_out, d_in)).unwrap(),
        rows,
        d_out,
        d_in,
    )
    .unwrap();
    let saved = LoraSaved { x: &xt, u: &u };
    let shape = LoraShape {
        dims: d,
        rank: r,
        scale: s,
    };
    lora_backward_acc(&b, &ct, saved, &pair, Some(&mut g), &mut dx, shape).unwrap();
    let (ga, gb, gx) = (
        b.download(&g.a).unwrap(),
        b.download(&g.b).unwrap(),
        b.download(&dx).unwrap(),
    );

    let op = Op {
        w: w.clone(),
        c: c.clone(),
        d,
        r,
        s,
    };
    let h = 1e-2f32;
    let fd = |which: usize, j: usize| -> f32 {
        let mut args = [x.clone(), a.clone(), bb.clone()];
        args[which][j] += h;
        let p = op_loss(&b, &op, &args[0], &args[1], &args[2]);
        args[which][j] -= 2.0 * h;
        let m = op_loss(&b, &op, &args[0], &args[1], &args[2]);
        ((p - m) / (2.0 * h as f64)) as f32
    };
    let mut checked = 0;
    for (which, grad, name) in [(0, &gx, "dx"), (1, &ga, "dA"), (2, &gb, "dB")] {
        for (j, &gj) in grad.iter().enumerate() {
            let f = fd(which, j);
            assert!(
                (f - gj).abs() <= 1e-3 + 1e-3 * gj.abs(),
                "{name}[{j}]: backward {gj}, finite difference {f}"
            );
            checked += 1;
        }
    }
    assert!(ga.iter().any(|&v| v.abs() > 0.1) && gb.iter().any(|&v| v.abs() > 0.1));
    eprintln!("checked {checked} entries of dx, dA, dB");
}

fn transpose(m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0.0; m.len()];
    for i in 0..rows {
        for j in 0..cols {
            t[j * rows + i] = m[i * cols + j];
        }
    }
    t
}

/// Adapters with every A and B random (B = 0, PEFT's init, would make every dA zero).
fn random_adapter(cfg: &ModelConfig, lora: LoraConfig, seed: u64) -> LoraWeights<Vec<f32>> {
    let mut rng = Rng::new(seed);
    let items = lora_shapes(cfg, &lora)
        .iter()
        .map(|(_, s)| randn(&mut rng, s.iter().product(), 0.3))
        .collect();
    LoraWeights::from_ordered(cfg, lora, items).unwrap()
}

fn lora_loss(
    b: &CpuBackend,
    cfg: &ModelConfig,
    base: &Params<Vec<f32>>,
    ad: &LoraWeights<Vec<f32>>,
    batch: &PackedBatch,
) -> f32 {
    let mut model = Model::from_host(b, cfg.clone(), base).unwrap();
    model.attach_lora(b, ad).unwrap();
    let mut g = ad.try_map(|t| b.zeros(t.len())).unwrap();
    model.loss_and_grads_lora(b, batch, &mut g).unwrap()
}

fn check_model(cfg: ModelConfig, lora: LoraConfig, seed: u64) {
    let b = CpuBackend::new();
    let base = random_params(&cfg, seed);
    let ad = random_adapter(&cfg, lora, seed + 1);
    let batch = PackedBatch::new(&[
        vec![1u32, 5, 9, 2, 22, 7],
        vec![3],
        vec![4, 4, 18, 0, 11, 6, 13, 2, 8],
    ]);
    let mut model = Model::from_host(&b, cfg.clone(), &base).unwrap();
    model.attach_lora(&b, &ad).unwrap();
    let mut grads = ad.try_map(|t| b.zeros(t.len())).unwrap();
    model.loss_and_grads_lora(&b, &batch, &mut grads).unwrap();
    let named: Vec<(String, Vec<f32>)> = grads
        .named()
        .into_iter()
        .map(|(n, t)| (n, b.download(t).unwrap()))
        .collect();

    let h = 1e-2f32;
    let mut rng = Rng::new(99);
    let mut checked = 0;
    for (ti, (name, g)) in named.iter().enumerate() {
        assert!(g.iter().any(|&v| v != 0.0), "{name}: gradient is all zero");
        for _ in 0..3 {
            let j = rng.below(g.len() as u64) as usize;
            let mut plus = ad.clone();
            plus.tensors_mut()[ti][j] += h;
            let mut minus = ad.clone();
            minus.tensors_mut()[ti][j] -= h;
            let fd = (lora_loss(&b, &cfg, &base, &plus, &batch)
                - lora_loss(&b, &cfg, &base, &minus, &batch))
                / (2.0 * h);
            assert!(
                (fd - g[j]).abs() <= 2e-3 + 2e-2 * g[j].abs(),
                "{name}[{j}]: backward {}, finite difference {fd}",
                g[j]
            );
            checked += 1;
        }
    }
    eprintln!("checked {checked} adapter gradient entries");
}

#[test]
fn untied_llama_adapter_gradients_match_finite_differences() {
    check_model(
        tiny_config(false, false),
        LoraConfig::new(3, 6.0, &LoraTarget::ALL),
        11,
    );
}

#[test]
fn tied_qwen2_qv_adapter_gradients_match_finite_differences() {
    check_model(
        tiny_config(true, true),
        LoraConfig::new(2, 5.0, &[LoraTarget::QProj, LoraTarget::VProj]),
        21,
    );
}

#[test]
fn llama_with_all_biases_adapter_gradients_match_finite_differences() {
    check_model(
        tiny_config_all_biases(),
        LoraConfig::new(
            2,
            1.0,
            &[LoraTarget::OProj, LoraTarget::DownProj, LoraTarget::UpProj],
        ),
        31,
    );
}

/// With B = 0 (PEFT's init) the adapted model is the base, bit for bit; `forward_base`
/// switches adapters off.
#[test]
fn fresh_adapters_leave_the_model_unchanged_and_forward_base_ignores_adapters() {
    let b = CpuBackend::new();
    let cfg = tiny_config(false, false);
    let base = random_params(&cfg, 3);
    let batch = PackedBatch::new(&[vec![1u32, 5, 9, 2], vec![4, 18, 0]]);
    let plain = Model::from_host(&b, cfg.clone(), &base).unwrap();
    let want = b.download(&plain.forward(&b, &batch).unwrap().0).unwrap();

    let mut fresh = Model::from_host(&b, cfg.clone(), &base).unwrap();
    let lora = LoraConfig::new(4, 8.0, &LoraTarget::ALL);
    fresh
        .attach_lora(&b, &LoraWeights::init(&cfg, lora.clone(), 1))
        .unwrap();
    assert_eq!(
        b.download(&fresh.forward(&b, &batch).unwrap().0).unwrap(),
        want
    );

    let mut moved = Model::from_host(&b, cfg.clone(), &base).unwrap();
    moved
        .attach_lora(&b, &random_adapter(&cfg, lora, 2))
        .unwrap();
    let adapted = b.download(&moved.forward(&b, &batch).unwrap().0).unwrap();
    assert!(adapted.iter().zip(&want).any(|(a, w)| (a - w).abs() > 1e-3));
    assert_eq!(
        b.download(&moved.forward_base(&b, &batch).unwrap().0)
            .unwrap(),
        want
    );
}
