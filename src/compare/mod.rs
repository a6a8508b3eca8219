//! `hir compare`'s engine: HiR, its variants and the baselines trained from the same warm start
//! on a built-in world, several seeds each, evaluated on the same held-out items, and compared
//! pairwise.
//!
//! The design follows from what the comparison must answer (does replay beat binary RL at
//! equal rollouts, and by how much for sure):
//!
//! - every run of every method evaluates the **same held-out items** with greedy decoding at
//!   the same steps, and seed `s` of every method uses the same training seed and the same
//!   sampled-evaluation seed, so differences are measured **paired** (seed `s`, item `i`
//!   against seed `s`, item `i`) with a bootstrap over seeds and items ([`paired`]);
//! - the warm start (step 0) is the same weights for every run and greedy decoding is
//!   deterministic, so it is evaluated **once** and is every curve's first point;
//! - each run writes its per-item results to its run directory (`eval_step{N}.json`,
//!   `eval_sampled.json`, see [`crate::run::evals`]); the report is computed from those files,
//!   so anyone can recompute it from the directory.
//!
//! Files: [`protocol`] (settings, checks, the recorded protocol) → [`held_out`] (items and
//! parts) → [`execute`] (the runs) → [`record`] (one run's scores) → [`summary`] (per method),
//! [`paired`] (against the baselines) → [`report`] (JSON and table), [`plot`] (SVGs).

pub mod execute;
pub mod held_out;
pub mod paired;
pub mod plot;
pub mod protocol;
pub mod record;
pub mod report;
pub mod summary;

use std::time::Instant;

use anyhow::Result;

pub use protocol::Settings;
pub use report::Report;

use crate::run::methods::method_config;
use protocol::{
    MethodRollouts, PartSize, Protocol, BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, CURVE_BAND,
};

/// Runs the comparison `settings` describes (`sets`: the `--set` overrides already applied to
/// `settings.base`, recorded in the protocol), writes its plots to `settings.out_dir`, and
/// returns its report.
pub fn run_comparison(settings: &Settings, sets: &[String]) -> Result<Report> {
    settings.check()?;
    let t = Instant::now();
    let executed = execute::execute(settings)?;
    let summary = summary::summarize(&settings.methods, &executed.runs);
    let comparisons = paired::compare_all(&settings.methods, &executed.runs, &executed.held_out);
    plot::write_curve_plot(&settings.out_dir, &summary)?;
    plot::write_rollout_plot(&settings.out_dir, &settings.methods, settings.seeds)?;
    let base = &settings.base;
    let protocol = Protocol {
        world: settings.world.name(),
        seeds: settings.seeds,
        steps: settings.steps,
        train_batch_size: base.train_batch_size,
        rollout_n: base.rollout_n,
        replay_k: base.replay_k,
        rollouts_per_run: settings
            .methods
            .iter()
            .map(|m| {
                let c = method_config(m, base).expect("checked");
                MethodRollouts {
                    method: m.clone(),
                    planned: settings.steps * (c.train_batch_size * c.rollout_n) as u64,
                }
            })
            .collect(),
        eval_steps: settings.eval_steps(),
        eval_samples: settings.eval_samples,
        eval_temperature: settings.eval_temperature,
        eval_max_tokens: base.max_response_length,
        eval_items: executed
            .held_out
            .parts
            .iter()
            .map(|p| PartSize {
                part: p.clone(),
                items: executed.held_out.indices_of(p).len(),
            })
            .collect(),
        bootstrap_resamples: BOOTSTRAP_RESAMPLES,
        bootstrap_seed: BOOTSTRAP_SEED,
        curve_band: CURVE_BAND,
        sets: sets.to_vec(),
        wall_s: t.elapsed().as_secs_f64(),
    };
    Ok(Report {
        protocol,
        runs: executed.runs,
        summary,
        comparisons,
    })
}
