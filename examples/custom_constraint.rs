//! Embedding the HiR trainer in your own program, with a constraint of your own.
//!
//! The built-in tiny policy learns to answer instructions that mix IFEval constraints with
//! `EndsWithExclamation`, a verifier written here. HiR replays the responses that satisfy
//! some of the constraints as successes of the rewritten instruction.
//!
//! `cargo run --release --example custom_constraint`

use std::sync::Arc;

use hir::core::constraint::registry::{build, Suite};
use hir::core::constraint::{Constraint, Kwargs};
use hir::core::instruct::{Instruction, InstructionConstraint, Layout};
use hir::core::train::{Trainer, TrainerConfig};
use hir_backend_cpu::CpuBackend;

/// "End your response with an exclamation mark."
#[derive(Debug)]
struct EndsWithExclamation;

impl Constraint for EndsWithExclamation {
    fn id(&self) -> &str {
        "custom:ends_with_exclamation"
    }
    fn kwargs(&self) -> Kwargs {
        Kwargs::new()
    }
    fn describe(&self) -> String {
        "End your response with an exclamation mark.".into()
    }
    fn check(&self, response: &str) -> bool {
        response.trim_end().ends_with('!')
    }
}

fn main() -> anyhow::Result<()> {
    // A constraint from the IFEval registry and one of ours, shared by every instruction.
    let no_comma: Arc<dyn Constraint> = Arc::from(build(
        Suite::IfEval,
        "punctuation:no_comma",
        &Kwargs::new(),
        "",
    )?);
    let exclaim: Arc<dyn Constraint> = Arc::new(EndsWithExclamation);
    let data: Vec<Instruction> = ["the sea", "a garden", "winter", "a city at night"]
        .iter()
        .map(|topic| Instruction {
            task: format!("Write a short note about {topic}."),
            constraints: vec![
                InstructionConstraint::new(no_comma.clone()),
                InstructionConstraint::new(exclaim.clone()),
            ],
            layout: Layout::Bullets,
        })
        .collect();

    let (model_config, weights, codec) = hir::demo_world::builtin_policy()?;
    let config = TrainerConfig {
        total_steps: 3,
        train_batch_size: 4,
        rollout_n: 4,
        max_prompt_length: 256,
        max_response_length: 48,
        ppo_mini_batch_size: 2,
        lr: 1e-4,
        ..TrainerConfig::default()
    };
    let mut trainer = Trainer::new(
        CpuBackend::new(),
        config,
        model_config,
        &weights,
        Box::new(codec),
        data,
    )?;
    for _ in 0..trainer.config.total_steps {
        let m = trainer.step()?;
        println!(
            "step {}: success {:.2}, dense {:.2}, replays {}",
            trainer.step, m["hir/success_rate"], m["hir/dense_mean"], m["hir/replay_count"]
        );
    }
    Ok(())
}
