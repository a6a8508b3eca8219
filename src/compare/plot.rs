//! The comparison's plots: held-out greedy success against generated rollouts per method
//! (`compare.svg`, mean over seeds with a min–max band), and the rollouts' own success rate
//! per step (`compare_rollout_success.svg`, from each run's `hir/success_rate`).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;

use super::execute::run_dir_name;
use super::summary::MethodSummary;
use crate::io::model::write_atomic;
use crate::plot::{line_plot_svg, Series};
use crate::run::metrics_log::read_metrics;

/// The rollouts' success rate (sparse reward, whatever the method trains on).
const ROLLOUT_SUCCESS_KEY: &str = "hir/success_rate";

/// Writes `compare.svg` to `out_dir`.
pub fn write_curve_plot(out_dir: &Path, summary: &[MethodSummary]) -> Result<()> {
    let series: Vec<Series> = summary
        .iter()
        .map(|s| Series {
            name: s.method.clone(),
            points: s
                .curve
                .iter()
                .map(|c| (c.generated_rollouts, c.success))
                .collect(),
            band: Some(
                s.curve
                    .iter()
                    .map(|c| (c.generated_rollouts, c.lo, c.hi))
                    .collect(),
            ),
        })
        .collect();
    let svg = line_plot_svg(
        "Held-out greedy success vs generated rollouts (mean over seeds, min-max band)",
        "generated rollouts",
        "held-out success",
        &series,
    );
    write_atomic(&out_dir.join("compare.svg"), svg.as_bytes())?;
    Ok(())
}

/// Writes `compare_rollout_success.svg` to `out_dir` from the runs' metrics logs.
pub fn write_rollout_plot(out_dir: &Path, methods: &[String], seeds: u64) -> Result<()> {
    let mut series = Vec::new();
    for m in methods {
        let mut per_step: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
        for seed in 0..seeds {
            let path = out_dir.join(run_dir_name(m, seed)).join("metrics.jsonl");
            for l in read_metrics(&path)? {
                if let Some(v) = l.data.get(ROLLOUT_SUCCESS_KEY) {
                    per_step.entry(l.step).or_default().push(*v);
                }
            }
        }
        let points = per_step
            .iter()
            .map(|(s, v)| (*s as f64, v.iter().sum::<f64>() / v.len() as f64))
            .collect();
        let band = per_step
            .iter()
            .map(|(s, v)| {
                let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                (*s as f64, lo, hi)
            })
            .collect();
        series.push(Series {
            name: m.clone(),
            points,
            band: Some(band),
        });
    }
    let svg = line_plot_svg(
        "Rollout success rate per step (mean over seeds, min-max band)",
        "step",
        "rollout success rate",
        &series,
    );
    write_atomic(&out_dir.join("compare_rollout_success.svg"), svg.as_bytes())?;
    Ok(())
}
