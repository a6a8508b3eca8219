//! The trainer's update half on wgpu against the CPU: the same experience (rows with their
//! replays, collected once on the CPU) gives the same policy loss, clip fractions and gradient
//! norm on both backends. `lr = 0` keeps the weights fixed, so both mini-batches see the same
//! policy and the comparison is of the forward, log-prob, policy-loss and backward path alone.

mod common;

use std::sync::Arc;

use common::gpu;
use hir_backend_cpu::CpuBackend;
use hir_backend_wgpu::WgpuBackend;
use hir_core::backend::Backend;
use hir_core::constraint::registry::{build, Suite};
use hir_core::constraint::Kwargs;
use hir_core::instruct::{ChatCodec, CodecError, Instruction, InstructionConstraint, Layout};
use hir_core::model::{LoraConfig, LoraTarget, LoraWeights, ModelConfig, Params};
use hir_core::train::{ObjectiveKind, Trainer, TrainerConfig};

/// Bytes are ids 0..=255; 256 starts a turn, 257 ends it (stop), 258 marks the assistant.
struct ByteCodec([u32; 1]);

impl ChatCodec for ByteCodec {
    fn encode_prompt(&self, prompt: &str) -> Result<Vec<u32>, CodecError> {
        let mut ids = vec![256];
        ids.extend(prompt.bytes().map(u32::from));
        ids.extend([257, 258]);
        Ok(ids)
    }
    fn encode_response(&self, response: &str) -> Result<Vec<u32>, CodecError> {
        let mut ids: Vec<u32> = response.bytes().map(u32::from).collect();
        ids.push(257);
        Ok(ids)
    }
    fn decode(&self, ids: &[u32]) -> Result<String, CodecError> {
        let bytes: Vec<u8> = ids.iter().filter(|&&i| i < 256).map(|&i| i as u8).collect();
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
    fn stop_ids(&self) -> &[u32] {
        &self.0
    }
}

fn model_config() -> ModelConfig {
    ModelConfig {
        vocab_size: 259,
        hidden_size: 16,
        intermediate_size: 24,
        num_hidden_layers: 2,
        num_attention_heads: 2,
        num_key_value_heads: 1,
        head_dim: 8,
        rope_theta: 10_000.0,
        rms_norm_eps: 1e-6,
        tie_word_embeddings: true,
        attention_bias: false,
        o_proj_bias: false,
        mlp_bias: false,
        max_position_embeddings: 512,
    }
}

/// Random bytes often contain no comma but rarely no capital letter: many responses satisfy
/// one constraint of two and are replayed.
fn data() -> Vec<Instruction> {
    let c = |id: &str| {
        InstructionConstraint::new(Arc::from(
            build(Suite::IfEval, id, &Kwargs::new(), "").unwrap(),
        ))
    };
    (0..4)
        .map(|i| Instruction {
            task: format!("Write note number {i}."),
            constraints: vec![
                c("punctuation:no_comma"),
                c("change_case:english_lowercase"),
            ],
            layout: Layout::ALL[i % 6],
        })
        .collect()
}

fn trainer_config(objective: ObjectiveKind) -> TrainerConfig {
    TrainerConfig {
        train_batch_size: 2,
        rollout_n: 3,
        max_prompt_length: 300,
        max_response_length: 10,
        ppo_mini_batch_size: 1,
        lr: 0.0,
        objective,
        ..TrainerConfig::default()
    }
}

fn trainer<B: Backend>(b: B, init: &Params<Vec<f32>>, objective: ObjectiveKind) -> Trainer<B> {
    Trainer::new(
        b,
        trainer_config(objective),
        model_config(),
        init,
        Box::new(ByteCodec([257])),
        data(),
    )
    .unwrap()
}

/// A LoRA trainer on the same toy model: rank 2, alpha 3, every target.
fn lora_trainer<B: Backend>(b: B, init: &Params<Vec<f32>>) -> Trainer<B> {
    let lora = LoraConfig::new(2, 3.0, &LoraTarget::ALL);
    Trainer::new_lora(
        b,
        trainer_config(ObjectiveKind::Ppo),
        model_config(),
        init,
        LoraWeights::init(&model_config(), lora, 9),
        Box::new(ByteCodec([257])),
        data(),
    )
    .unwrap()
}

#[test]
#[ignore = "needs a GPU adapter (Vulkan, Metal, DX12 or GL): cargo test -p hir-backend-wgpu -- --ignored"]
fn an_update_on_wgpu_matches_the_cpu() {
    let gpu = gpu("trainer_step");
    let init = Params::init_random(&model_config(), 0.3, 5);
    let cpu = trainer(CpuBackend::new(), &init, ObjectiveKind::Ppo);
    let gpu = trainer(gpu, &init, ObjectiveKind::Ppo);
    compare_updates(cpu, gpu, "full");
}

/// The same with LoRA adapters: the adapters' gradients through the frozen base.
#[test]
#[ignore = "needs a GPU adapter (Vulkan, Metal, DX12 or GL): cargo test -p hir-backend-wgpu -- --ignored"]
fn a_lora_update_on_wgpu_matches_the_cpu() {
    let gpu = gpu("trainer_step_lora");
    let init = Params::init_random(&model_config(), 0.3, 5);
    let cpu = lora_trainer(CpuBackend::new(), &init);
    let gpu = lora_trainer(gpu, &init);
    compare_updates(cpu, gpu, "lora");
}

/// Collects a batch on the CPU trainer, learns from it on both, and compares the metrics.
fn compare_updates(mut cpu: Trainer<CpuBackend>, mut gpu: Trainer<WgpuBackend>, what: &str) {
    let batch = cpu.collect().unwrap();
    let replays = batch.rows.iter().filter(|r| r.replay_of.is_some()).count();
    assert!(replays > 0, "the toy data should produce replays");
    let want = cpu.learn(batch.clone()).unwrap();
    let got = gpu.learn(batch).unwrap();
    assert!(want["actor/grad_norm"] > 0.0, "{what}: no gradient");
    let mut compared = 0;
    for key in [
        "actor/loss",
        "actor/pg_loss",
        "actor/ppo_kl",
        "actor/grad_norm",
        "actor/pg_clipfrac",
        "critic/advantages/mean",
    ] {
        let (w, g) = (want[key], got[key]);
        // f32 reductions over a few hundred tokens in another order (see the tolerances of
        // hir-backend-tests): 1e-4 relative, 1e-5 absolute.
        assert!(
            (w - g).abs() <= 1e-5 + 1e-4 * w.abs(),
            "{what}: {key}: wgpu {g} vs cpu {w}"
        );
        compared += 1;
    }
    println!(
        "{what} trainer update on wgpu vs cpu: {compared} metrics agree ({replays} replay rows)"
    );
}
