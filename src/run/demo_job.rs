//! The embedded default: the built-in instruction-following suite, its warm-started tiny
//! policy, and the trainer settings `hir train` uses for it when given no `--config`.

use anyhow::Result;
use hir_core::instruct::Instruction;
use hir_core::model::{ModelConfig, Params};
use hir_core::train::TrainerConfig;

use super::job_data::JobData;
use crate::io::tokenizer::HfChatCodec;

/// Seed of the built-in suite's instructions (fixed: every run and seed sees the same
/// train/eval split; the run seed only drives training randomness).
pub const SUITE_SEED: u64 = 0;

/// The trainer settings for the built-in suite: the spec's defaults, scaled to a tiny model
/// on 2 CPU cores (batch, lengths, steps) and with a learning rate for a model trained from
/// scratch minutes ago rather than a pretrained one (spec's `1e-6` is for real models).
pub fn builtin_config() -> TrainerConfig {
    TrainerConfig {
        total_steps: 100,
        train_batch_size: 16,
        rollout_n: 6,
        max_prompt_length: 256,
        max_response_length: 64,
        ppo_mini_batch_size: 8,
        lr: 3e-4,
        ..TrainerConfig::default()
    }
}

/// Loads the embedded suite and policy.
pub fn builtin_data() -> Result<JobData> {
    let suite = crate::demo_world::builtin_suite(SUITE_SEED);
    let policy = crate::demo_world::builtin_policy()?;
    let tokenizer_json = crate::demo_world::embedded_policy::TOKENIZER_JSON;
    Ok(embedded_job_data(
        (suite.train, suite.eval),
        policy,
        tokenizer_json,
    ))
}

/// The job data of a built-in world: its (training, held-out) instructions and its embedded
/// policy.
fn embedded_job_data(
    (train, eval): (Vec<Instruction>, Vec<Instruction>),
    (model_config, init, codec): (ModelConfig, Params<Vec<f32>>, HfChatCodec),
    tokenizer_json: &[u8],
) -> JobData {
    JobData {
        lora_base: None,
        reference_model: None,
        source: None,
        model_config,
        init,
        codec,
        tokenizer_json: tokenizer_json.to_vec(),
        tokenizer_config_json: None,
        train,
        eval,
    }
}

/// The trainer settings of the hard world: [`builtin_config`]'s (B = 16, m = 6, lr 3e-4,
/// mini-batch 8) with room for its longer prompts and responses (5–8 constraint descriptions;
/// teacher responses with more parts): see `assets/hard/README.md` for the measured lengths.
pub fn hard_config() -> TrainerConfig {
    TrainerConfig {
        max_prompt_length: HARD_MAX_PROMPT_LENGTH,
        max_response_length: HARD_MAX_RESPONSE_LENGTH,
        ..builtin_config()
    }
}

/// `max_prompt_length` of the hard world (longest prompt of either split: 188 tokens for
/// training; `tests/hard_world.rs` checks every prompt fits).
pub const HARD_MAX_PROMPT_LENGTH: usize = 256;
/// `max_response_length` of the hard world (above the p99 of its teacher responses).
pub const HARD_MAX_RESPONSE_LENGTH: usize = 128;

/// The trainer settings of `world` (the default world's are [`builtin_config`], the hard
/// world's [`hard_config`]).
pub fn world_config(world: crate::demo_world::World) -> TrainerConfig {
    match world {
        crate::demo_world::World::Default => builtin_config(),
        crate::demo_world::World::Hard => hard_config(),
    }
}

/// Loads the hard world's suite and its embedded policy.
pub fn hard_data() -> Result<JobData> {
    let suite = crate::demo_world::hard_suite(SUITE_SEED);
    let policy = crate::demo_world::hard::policy::hard_policy()?;
    let tokenizer_json = crate::demo_world::hard::policy::TOKENIZER_JSON;
    Ok(embedded_job_data(
        (suite.train, suite.eval),
        policy,
        tokenizer_json,
    ))
}

/// The longest greedy evaluation response of `world`, in tokens (64 for the default world,
/// [`crate::demo_world::warmstart::HARD_EVAL_MAX_NEW`] for the hard one).
pub fn world_eval_max_new(world: crate::demo_world::World) -> usize {
    crate::demo_world::warmstart::WarmStartConfig::for_world(world).eval_max_new
}

/// The instructions and warm-started policy of `world`.
pub fn world_data(world: crate::demo_world::World) -> Result<JobData> {
    match world {
        crate::demo_world::World::Default => builtin_data(),
        crate::demo_world::World::Hard => hard_data(),
    }
}

/// The part of the held-out split each evaluation instruction of `world` belongs to, in the
/// order of [`JobData::eval`]: `"id"` (in-distribution: training families and combinations,
/// new topics), `"ood_combo"` (holds a family pair no training instruction has) or
/// `"ood_family"` (holds a family no training instruction has). The default world's are all
/// `"id"`. Builds only the suite (no policy is loaded).
pub fn world_eval_parts(world: crate::demo_world::World) -> Result<Vec<&'static str>> {
    Ok(match world {
        crate::demo_world::World::Default => {
            vec!["id"; crate::demo_world::builtin_suite(SUITE_SEED).eval.len()]
        }
        crate::demo_world::World::Hard => crate::demo_world::hard_suite(SUITE_SEED).parts,
    })
}

/// The built-in world of the run in `run_dir`, for `hir train --resume`: the world whose
/// embedded `tokenizer.json` the run's checkpoint holds (every built-in run copies its world's
/// tokenizer into its checkpoint, and the worlds' tokenizers differ). `asked` is the `--world`
/// given on the command line, if any: naming another world is refused, since resuming with
/// the wrong world's tokenizer and instructions would train on the wrong data.
pub fn resumed_world(
    run_dir: &std::path::Path,
    asked: Option<crate::demo_world::World>,
) -> Result<crate::demo_world::World> {
    use crate::demo_world::World;
    let ckpt = run_dir.join("checkpoint");
    if let Some(line) = super::checkpoint::recover(&ckpt)? {
        eprintln!("checkpoint: {line}");
    }
    let path = ckpt.join("tokenizer.json");
    let bytes = crate::io::input_file::read_bytes(&path, "a tokenizer", 64 << 20)?;
    let embedded = |w: World| match w {
        World::Default => crate::demo_world::embedded_policy::TOKENIZER_JSON,
        World::Hard => crate::demo_world::hard::policy::TOKENIZER_JSON,
    };
    let found = [World::Default, World::Hard]
        .into_iter()
        .find(|&w| embedded(w) == bytes.as_slice());
    match (found, asked) {
        (Some(w), Some(a)) if w != a => anyhow::bail!(
            "--world {}: the run in `{}` trains on the {} world (its checkpoint holds that \
             world's tokenizer); leave --world out or pass --world {}",
            a.name(),
            run_dir.display(),
            w.name(),
            w.name()
        ),
        (Some(w), _) => Ok(w),
        (None, _) => anyhow::bail!(
            "`{}`: the tokenizer is none of the built-in worlds', so this is not a built-in \
             run (a `--model` run keeps `source.json` next to its checkpoint; is it missing?)",
            path.display()
        ),
    }
}
