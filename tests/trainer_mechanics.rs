//! The trainer's step on a toy byte-level tokenizer and a random tiny model: where replay
//! rows go and what they carry, the no-replay baseline, and bit-exact resume.

mod common;

use std::sync::Arc;

use common::random_params;
use common::toy::{toy_data, toy_model_config, toy_trainer_config, ByteCodec};
use hir_backend_cpu::CpuBackend;
use hir_core::hindsight::Scope;
use hir_core::instruct::{ChatCodec, Instruction};
use hir_core::rl::{AdvEstimator, LossAggMode};
use hir_core::train::{
    metrics::is_timing, ObjectiveKind, ReplayLogprobs, ReplayShortage, Trainer, TrainerConfig,
};

fn data() -> Vec<Instruction> {
    toy_data(4)
}

fn config() -> TrainerConfig {
    toy_trainer_config()
}

fn trainer(cfg: TrainerConfig) -> Trainer<CpuBackend> {
    let mc = toy_model_config();
    Trainer::new(
        CpuBackend::new(),
        cfg,
        mc.clone(),
        &random_params(&mc, 7),
        Box::new(ByteCodec::new()),
        data(),
    )
    .unwrap()
}

#[test]
fn replay_rows_follow_their_sources_with_copied_log_probs() {
    let mut t = trainer(config());
    let batch = t.collect().unwrap();
    let rows = &batch.rows;
    let replays: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].replay_of.is_some())
        .collect();
    assert!(
        !replays.is_empty(),
        "the toy data should make some failures eligible"
    );
    assert_eq!(rows.len() - replays.len(), 2 * 3, "B·m generated rows");
    for &r in &replays {
        let src = rows[r].replay_of.unwrap();
        assert_eq!(src + 1, r, "a replay sits right after its source");
        let (q, qp) = (&rows[src], &rows[r]);
        assert_eq!(qp.group, q.group);
        assert!(
            Arc::ptr_eq(&qp.response, &q.response),
            "same response tokens"
        );
        assert_eq!(qp.old_logp, q.old_logp, "old log-probs copied");
        assert_eq!(qp.ref_logp, q.ref_logp, "reference log-probs copied");
        assert_eq!((q.reward, qp.reward), (0.0, 1.0));
        assert!(q.dense > 0.0 && q.dense < 1.0);
        // The rewritten prompt keeps the satisfied constraint (no comma) only.
        let text = ByteCodec::new().decode(&qp.prompt).unwrap();
        assert!(text.contains("comma") && !text.contains("zebra"), "{text}");
    }
    // At most k = 2 replays per group, and group ids run 0..B in order.
    for g in 0..2u32 {
        assert!(replays.iter().filter(|&&r| rows[r].group == g).count() <= 2);
    }
    let groups: Vec<u32> = rows.iter().map(|r| r.group).collect();
    assert!(groups.windows(2).all(|w| w[0] <= w[1]), "{groups:?}");
    assert!(batch.metrics["hir/replay_count"] == replays.len() as f64);
}

#[test]
fn recompute_option_scores_replays_under_the_rewritten_prompt() {
    let mut t = trainer(TrainerConfig {
        replay_logprobs: ReplayLogprobs::Recompute,
        ..config()
    });
    let rows = t.collect().unwrap().rows;
    let r = (0..rows.len())
        .find(|&i| rows[i].replay_of.is_some())
        .unwrap();
    let src = rows[r].replay_of.unwrap();
    assert_eq!(rows[r].old_logp.len(), rows[src].old_logp.len());
    assert_ne!(rows[r].old_logp, rows[src].old_logp);
}

#[test]
fn without_replay_only_generated_rows_are_trained_on() {
    let mut t = trainer(TrainerConfig {
        replay: false,
        ..config()
    });
    let batch = t.collect().unwrap();
    assert_eq!(batch.rows.len(), 6);
    assert!(batch.rows.iter().all(|r| r.replay_of.is_none()));
    let m = t.learn(batch).unwrap();
    assert_eq!(m["hir/replay_count"], 0.0);
    assert_eq!(t.generated_rollouts, 6);
}

fn deterministic(m: &hir_core::train::StepMetrics) -> Vec<(String, u64)> {
    m.iter()
        .filter(|(k, _)| !is_timing(k))
        .map(|(k, v)| (k.clone(), v.to_bits()))
        .collect()
}

#[test]
fn resume_from_a_state_is_bit_exact() {
    let mut straight = trainer(config());
    let mut all = Vec::new();
    let mut mid = None;
    for s in 1..=4 {
        all.push(deterministic(&straight.step().unwrap()));
        if s == 2 {
            mid = Some(straight.state().unwrap());
        }
    }
    let mc = toy_model_config();
    let mut resumed = Trainer::restore(
        CpuBackend::new(),
        config(),
        mc,
        mid.unwrap(),
        Box::new(ByteCodec::new()),
        data(),
    )
    .unwrap();
    for s in 3..=4 {
        assert_eq!(
            deterministic(&resumed.step().unwrap()),
            all[s - 1],
            "step {s}"
        );
    }
    let a = straight.state().unwrap();
    let b = resumed.state().unwrap();
    assert_eq!(a.policy, b.policy);
    assert_eq!(a.adam_v, b.adam_v);
    assert_eq!(a.generated_rollouts, b.generated_rollouts);
}

#[test]
fn resample_samples_more_until_k_failures_are_eligible() {
    // k = 4 > rollout_n = 3: every group is short, so each samples extra responses (at most
    // 4 per group) until 4 of its responses are eligible.
    let cfg = TrainerConfig {
        replay_k: 4,
        replay_shortage: ReplayShortage::Resample,
        replay_max_resample: 4,
        ..config()
    };
    let mut t = trainer(cfg);
    let batch = t.collect().unwrap();
    let resampled = batch.metrics["hir/resampled"];
    assert!((2.0..=8.0).contains(&resampled), "resampled {resampled}");
    assert_eq!(batch.generated, 6 + resampled as u64);
    for g in 0..2u32 {
        let rows: Vec<_> = batch.rows.iter().filter(|r| r.group == g).collect();
        let replays = rows.iter().filter(|r| r.replay_of.is_some()).count();
        let sources = rows.len() - replays;
        assert!((1..=4).contains(&replays), "group {g}: {replays} replays");
        // The 3 rollouts, plus resampled responses only when selected (with their replay).
        assert!(sources >= 3 && sources <= 3 + replays);
    }
    let skip = trainer(TrainerConfig {
        replay_k: 4,
        ..config()
    })
    .collect()
    .unwrap();
    assert_eq!(skip.generated, 6);
    assert_eq!(skip.metrics["hir/resampled"], 0.0);
}

#[test]
fn global_scope_caps_replays_at_k_times_b() {
    let mut t = trainer(TrainerConfig {
        replay_scope: Scope::Global,
        replay_k: 1,
        ..config()
    });
    let batch = t.collect().unwrap();
    let replays = batch.rows.iter().filter(|r| r.replay_of.is_some()).count();
    assert!(replays <= 2, "k·B = 2, got {replays}");
}

#[test]
fn every_objective_and_estimator_trains_without_nan() {
    for (objective, estimator, kl_loss) in [
        (
            ObjectiveKind::Pairwise,
            AdvEstimator::ReinforcePlusPlus,
            false,
        ),
        (ObjectiveKind::Ppo, AdvEstimator::Grpo, true),
        (ObjectiveKind::Ppo, AdvEstimator::Rloo, false),
        (
            ObjectiveKind::Ppo,
            AdvEstimator::ReinforcePlusPlusBaseline,
            false,
        ),
    ] {
        let mut t = trainer(TrainerConfig {
            objective,
            adv_estimator: estimator,
            use_kl_loss: kl_loss,
            loss_agg_mode: LossAggMode::SeqMeanTokenMean,
            ..config()
        });
        let before = t.state().unwrap().policy;
        let m = t.step().unwrap();
        assert!(
            m["actor/loss"].is_finite(),
            "{objective:?}/{estimator:?}: {m:?}"
        );
        assert!(m["actor/grad_norm"].is_finite() && m["actor/grad_norm"] > 0.0);
        assert_ne!(
            t.state().unwrap().policy,
            before,
            "{objective:?}/{estimator:?} did not update"
        );
    }
}

#[test]
fn config_errors_name_the_field() {
    // An enumerated field is refused when the config is read (it cannot hold a bad name).
    let e = serde_json::from_str::<TrainerConfig>(r#"{"adv_estimator": "ppo2"}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("adv_estimator") && e.contains("ppo2"), "{e}");
    let bad = TrainerConfig {
        ppo_mini_batch_size: 3,
        ..config()
    };
    let e = bad.validate().unwrap_err().to_string();
    assert!(e.contains("ppo_mini_batch_size"), "{e}");
    let e = serde_json::from_str::<TrainerConfig>(r#"{"rollout_m": 4}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("rollout_m"), "{e}");
}
