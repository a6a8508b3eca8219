//! The trainer's issue-14 variants on the toy byte-level setup of `trainer_mechanics.rs`:
//! the dense training reward, `replay_shortage = "released"` (the batch grows by `r·B`
//! generated rows) and the replay diagnostics in the step metrics.

mod common;

use common::random_params;
use common::toy::{toy_data, toy_model_config, toy_trainer_config, ByteCodec};
use hir_backend_cpu::CpuBackend;
use hir_core::hindsight::{is_eligible, Scope};
use hir_core::instruct::{ChatCodec, Instruction};
use hir_core::train::shortage::released_shortage;
use hir_core::train::{ReplayLogprobs, ReplayShortage, RewardKind, Trainer, TrainerConfig};

fn data() -> Vec<Instruction> {
    toy_data(4)
}

fn config() -> TrainerConfig {
    toy_trainer_config()
}

fn trainer(cfg: TrainerConfig) -> Trainer<CpuBackend> {
    trainer_on(cfg, data())
}

fn trainer_on(cfg: TrainerConfig, data: Vec<Instruction>) -> Trainer<CpuBackend> {
    let mc = toy_model_config();
    Trainer::new(
        CpuBackend::new(),
        cfg,
        mc.clone(),
        &random_params(&mc, 7),
        Box::new(ByteCodec::new()),
        data,
    )
    .unwrap()
}

#[test]
fn dense_reward_rows_carry_dense_rewards() {
    let mut t = trainer(TrainerConfig {
        reward: RewardKind::Dense,
        replay: false,
        ..config()
    });
    let batch = t.collect().unwrap();
    assert_eq!(batch.rows.len(), 6);
    for r in &batch.rows {
        assert_eq!(r.reward, r.dense, "the training reward is dense(y)");
    }
    // The toy instructions have two constraints: dense ∈ {0, 0.5, 1}, and some rows are 0.5.
    assert!(batch.rows.iter().any(|r| r.dense == 0.5));
    let dense_mean = batch.rows.iter().map(|r| r.dense as f64).sum::<f64>() / 6.0;
    let success = batch.rows.iter().filter(|r| r.dense == 1.0).count() as f64 / 6.0;
    assert!((batch.metrics["critic/rewards/mean"] - dense_mean).abs() < 1e-6);
    assert!((batch.metrics["hir/success_rate"] - success).abs() < 1e-6);
    assert!((batch.metrics["hir/dense_mean"] - dense_mean).abs() < 1e-12);

    // With replay on too: sources keep their dense reward, replays get 1.
    let mut t = trainer(TrainerConfig {
        reward: RewardKind::Dense,
        ..config()
    });
    let batch = t.collect().unwrap();
    let replays: Vec<_> = batch
        .rows
        .iter()
        .filter(|r| r.replay_of.is_some())
        .collect();
    assert!(!replays.is_empty());
    for r in &batch.rows {
        match r.replay_of {
            Some(src) => {
                assert_eq!(r.reward, 1.0);
                assert_eq!(batch.rows[src].reward, 0.5);
            }
            None => assert_eq!(r.reward, r.dense),
        }
    }
    t.learn(batch).unwrap();
}

#[test]
fn sparse_reward_success_rate_is_the_reward_mean() {
    let mut t = trainer(config());
    let m = t.step().unwrap();
    assert_eq!(
        m["hir/success_rate"].to_bits(),
        m["critic/rewards/mean"].to_bits()
    );
}

/// Runs one `"released"` step with `k` and `scope` and checks the batch against
/// [`released_shortage`] computed from the step's own eligible count.
fn released_step(k: usize, scope: Scope) -> usize {
    let (b, m) = (2usize, 3usize);
    let mut t = trainer(TrainerConfig {
        replay_k: k,
        replay_scope: scope,
        replay_shortage: ReplayShortage::Released,
        ..config()
    });
    let batch = t.collect().unwrap();
    let e = (batch.metrics["hir/eligible_frac"] * (b * m) as f64).round() as usize;
    let plan = released_shortage(k, b, e);
    let r = plan.extra_per_prompt;
    // Every prompt got r more samples, all kept as training rows next to their group.
    let sources: Vec<_> = batch
        .rows
        .iter()
        .filter(|x| x.replay_of.is_none())
        .collect();
    assert_eq!(sources.len(), (m + r) * b, "k = {k}: E = {e}, r = {r}");
    assert_eq!(batch.generated, ((m + r) * b) as u64);
    assert_eq!(batch.metrics["hir/resampled"], (r * b) as f64);
    assert_eq!(batch.metrics["rollouts/generated"], ((m + r) * b) as f64);
    for g in 0..b as u32 {
        assert_eq!(sources.iter().filter(|x| x.group == g).count(), m + r);
    }
    let groups: Vec<u32> = batch.rows.iter().map(|x| x.group).collect();
    assert!(groups.windows(2).all(|w| w[0] <= w[1]), "{groups:?}");
    // The replay budget, over the enlarged batch (eligibility recomputed).
    let eligible_in = |g: u32| {
        sources
            .iter()
            .filter(|x| x.group == g && is_eligible(x.dense))
            .count()
    };
    let lost = (batch.metrics["hir/reverify_failures"]
        + batch.metrics["hir/replay_dropped_too_long"]) as usize;
    let replays = batch.rows.iter().filter(|x| x.replay_of.is_some()).count();
    let expected: usize = match (plan.replay_per_group, scope) {
        (None, _) => (0..b as u32).map(eligible_in).sum(),
        (Some(per), Scope::Group) => (0..b as u32).map(|g| eligible_in(g).min(per)).sum(),
        (Some(per), Scope::Global) => ((0..b as u32).map(eligible_in).sum::<usize>()).min(per * b),
    };
    assert_eq!(replays + lost, expected, "k = {k}, r = {r}");
    t.learn(batch).unwrap();
    r
}

#[test]
fn released_shortage_grows_the_batch_by_r_times_b() {
    // k·B = 8 > 6 generated: r ≥ 1 whatever the draw.
    let r4 = released_step(4, Scope::Group);
    assert!((1..=4).contains(&r4));
    released_step(4, Scope::Global);
    // k = 1: k·B = 2, and the toy data makes most responses eligible: r = 0 expected, and
    // the step is the skip step.
    assert_eq!(released_step(1, Scope::Global), 0);
    let mut skip = trainer(TrainerConfig {
        replay_k: 1,
        ..config()
    });
    let mut released = trainer(TrainerConfig {
        replay_k: 1,
        replay_shortage: ReplayShortage::Released,
        ..config()
    });
    let (a, b) = (skip.collect().unwrap(), released.collect().unwrap());
    assert_eq!(a.rows.len(), b.rows.len());
    assert_eq!(a.metrics["hir/replay_count"], b.metrics["hir/replay_count"]);
}

#[test]
fn replay_diagnostics_are_logged() {
    let mut t = trainer(config());
    let batch = t.collect().unwrap();
    let codec = ByteCodec::new();
    // Family success: every instruction has one no_comma and one keywords:existence
    // constraint, so each family is checked on all B·m = 6 rollouts.
    let no_comma = batch
        .rows
        .iter()
        .filter(|r| r.replay_of.is_none())
        .filter(|r| !codec.decode(&r.response).unwrap().contains(','))
        .count();
    assert_eq!(batch.metrics["family/punctuation:no_comma/count"], 6.0);
    assert_eq!(batch.metrics["family/keywords:existence/count"], 6.0);
    assert_eq!(
        batch.metrics["family/punctuation:no_comma/satisfied"],
        no_comma as f64 / 6.0
    );
    // Every replay keeps 1 of the 2 constraints; every eligible response has dense 0.5, so
    // the score never picks against dense.
    assert!(batch.metrics["hir/replay_count"] > 0.0);
    assert_eq!(batch.metrics["hir/replay_kept_constraints"], 1.0);
    assert_eq!(batch.metrics["hir/replay_kept_frac"], 0.5);
    assert_eq!(batch.metrics["hir/entropy_override_frac"], 0.0);
    let m = t.learn(batch).unwrap();
    let clipfrac = m["hir/replay_clipfrac"];
    assert!((0.0..=1.0).contains(&clipfrac), "{clipfrac}");
    assert!(m["hir/replay_ratio_mean"] > 0.0);

    // Old log-probs recomputed under q' and one mini-batch, one epoch: the only update
    // happens at θ = θ_old, so every replay token's ratio is 1 (up to the rounding of a
    // differently packed forward pass) and none is clipped.
    let mut t = trainer(TrainerConfig {
        replay_logprobs: ReplayLogprobs::Recompute,
        ppo_mini_batch_size: 2,
        ..config()
    });
    let m = t.step().unwrap();
    assert_eq!(m["hir/replay_clipfrac"], 0.0);
    assert!((m["hir/replay_ratio_mean"] - 1.0).abs() < 1e-4, "{m:?}");

    // Without replay the replay keys are absent; family keys stay.
    let mut t = trainer(TrainerConfig {
        replay: false,
        ..config()
    });
    let m = t.step().unwrap();
    for key in [
        "hir/replay_clipfrac",
        "hir/replay_ratio_mean",
        "hir/entropy_override_frac",
        "hir/replay_kept_constraints",
        "hir/replay_kept_frac",
    ] {
        assert!(!m.contains_key(key), "{key}");
    }
    assert_eq!(m["family/keywords:existence/count"], 6.0);
}

#[test]
fn released_shortage_with_nothing_eligible_samples_k_more_per_prompt() {
    // One constraint per instruction: dense ∈ {0, 1}, so E = 0 and r = ⌈k·B/B⌉ = k; the
    // released code then replays "every eligible response" (none here).
    let one: Vec<Instruction> = data()
        .into_iter()
        .map(|mut i| {
            i.constraints.truncate(1);
            i
        })
        .collect();
    for scope in [Scope::Group, Scope::Global] {
        let mut t = trainer_on(
            TrainerConfig {
                replay_scope: scope,
                replay_shortage: ReplayShortage::Released,
                ..config()
            },
            one.clone(),
        );
        let batch = t.collect().unwrap();
        assert_eq!(batch.metrics["hir/eligible_frac"], 0.0);
        // k = 2, B = 2, m = 3: 2 + 2 more per prompt.
        assert_eq!(batch.rows.len(), (3 + 2) * 2);
        assert_eq!(batch.generated, 10);
        assert_eq!(batch.metrics["hir/resampled"], 4.0);
        assert_eq!(batch.metrics["hir/replay_count"], 0.0);
        let m = t.learn(batch).unwrap();
        assert_eq!(m["rollouts/generated_total"], 10.0);
        assert_eq!(t.generated_rollouts, 10);
        assert_eq!(m["hir/replay_clipfrac"], 0.0);
        assert_eq!(m["hir/entropy_override_frac"], 0.0);
    }
}
