//! A job's held-out evaluations beyond before/after (`run::evals`): greedy `eval_step{N}.json`
//! during the run and `eval_sampled.json` at the end, as `hir compare` asks for them — their
//! content, and that evaluating during a run changes nothing the run trains.

mod common;

use common::metrics_without_timing;
use hir::backend_choice::BackendChoice;
use hir::run::demo_job::{builtin_config, builtin_data};
use hir::run::evals::{
    greedy_path, sampled_path, EvalPlan, GreedyRecord, ItemResult, SampledPlan, SampledRecord,
};
use hir::run::job::evaluate_initial;
use hir::run::{run_job, JobOptions};

const STEPS: u64 = 3;
const HELD_OUT: usize = 10;

fn options(run_dir: std::path::PathBuf, evals: EvalPlan) -> JobOptions {
    let mut config = builtin_config();
    config.total_steps = STEPS;
    config.train_batch_size = 2;
    config.ppo_mini_batch_size = 2;
    JobOptions {
        lora: None,
        run_dir,
        config,
        resume: false,
        steps_on_resume: None,
        verified_checkpoint: None,
        announce: false,
        backend: BackendChoice::Cpu,
        save_every: u64::MAX,
        eval_max_tokens: 64,
        evals,
        progress: false,
        token_budget: None,
    }
}

fn data() -> hir::run::JobData {
    let mut d = builtin_data().unwrap();
    d.eval.truncate(HELD_OUT);
    d
}

#[test]
fn evaluations_during_a_run_are_written_per_item_and_change_no_training_value() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = tmp.path().join("plain");
    let evaluated = tmp.path().join("evaluated");
    let before = run_job(&options(plain.clone(), EvalPlan::default()), data()).unwrap();
    let initial = evaluate_initial(BackendChoice::Cpu, &data(), 64).unwrap();
    let plan = EvalPlan {
        steps: vec![1, STEPS, STEPS + 5],
        sampled: Some(SampledPlan {
            samples: 2,
            temperature: 0.6,
            seed: 5,
        }),
        initial: Some(hir::run::evals::InitialScores {
            success_rate: initial.success_rate,
            dense_mean: initial.dense_mean,
        }),
    };
    let after = run_job(&options(evaluated.clone(), plan), data()).unwrap();

    // The same training: metrics, checkpoint weights, final scores.
    assert_eq!(
        metrics_without_timing(&plain),
        metrics_without_timing(&evaluated)
    );
    let weights =
        |d: &std::path::Path| std::fs::read(d.join("checkpoint/model.safetensors")).unwrap();
    assert_eq!(weights(&plain), weights(&evaluated));
    assert_eq!(before.eval_success_after, after.eval_success_after);
    assert_eq!(before.eval_dense_after, after.eval_dense_after);
    // The initial scores given are the ones the job would have measured.
    assert_eq!(before.eval_success_before, after.eval_success_before);
    assert_eq!(before.eval_dense_before, after.eval_dense_before);

    // `hir train`'s plan writes no new file.
    for step in [1, STEPS] {
        assert!(!greedy_path(&plain, step).exists());
    }
    assert!(!sampled_path(&plain).exists());

    let rollouts_per_step = 2 * 6;
    for step in [1, STEPS] {
        let r = GreedyRecord::read(&evaluated, step).unwrap();
        assert_eq!(r.step, step);
        assert_eq!(r.generated_rollouts, step * rollouts_per_step);
        assert_eq!(r.items.len(), HELD_OUT);
        let ok = r.items.iter().filter(|i| i.success == 1).count();
        assert_eq!(r.success_rate, ok as f64 / HELD_OUT as f64);
        let sat: u32 = r.items.iter().map(|i| i.satisfied).sum();
        let tot: u32 = r.items.iter().map(|i| i.total).sum();
        assert_eq!(r.constraint_rate, f64::from(sat) / f64::from(tot));
        for (item, instr) in r.items.iter().zip(&data().eval) {
            assert_eq!(item.total as usize, instr.constraints.len());
            assert_eq!(item.success == 1, item.satisfied == item.total);
        }
    }
    assert!(!greedy_path(&evaluated, STEPS + 5).exists());
    // The last step's file is the final evaluation.
    let last = GreedyRecord::read(&evaluated, STEPS).unwrap();
    assert_eq!(last.success_rate, after.eval_success_after);

    let s = SampledRecord::read(&evaluated).unwrap();
    assert_eq!((s.step, s.samples, s.seed), (STEPS, 2, 5));
    assert_eq!(s.generated_rollouts, STEPS * rollouts_per_step);
    assert_eq!(s.items.len(), HELD_OUT);
    assert!(s.items.iter().all(|x| x.len() == 2));
    let all: Vec<&ItemResult> = s.items.iter().flatten().collect();
    let ok = all.iter().filter(|i| i.success == 1).count();
    assert_eq!(s.success_rate, ok as f64 / all.len() as f64);
}
