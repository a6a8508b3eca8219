//! [`Report`]: everything a comparison measured (`hir compare --json` prints it), and its
//! plain-text table.

use std::fmt::Write as _;

use serde::Serialize;

use super::paired::Comparison;
use super::protocol::Protocol;
use super::record::RunRecord;
use super::summary::MethodSummary;
use crate::run::methods::{BINARY_BASELINE, DENSE_BASELINE};
use crate::stats::PairedCi;

/// The result of `hir compare`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// How the comparison was run.
    pub protocol: Protocol,
    /// Every run.
    pub runs: Vec<RunRecord>,
    /// Per method, in table order.
    pub summary: Vec<MethodSummary>,
    /// Every method against `reinforce_pp` and against `dense` (those that ran).
    pub comparisons: Vec<Comparison>,
}

fn ci_cell(c: Option<&PairedCi>) -> String {
    match c {
        Some(c) => format!("{:+.3} [{:+.3}, {:+.3}]", c.mean, c.lo, c.hi),
        None => "—".into(),
    }
}

fn opt_cell(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(|| "—".into(), |x| format!("{x:.digits$}"))
}

impl Report {
    /// The comparison of `method` against `baseline`, when made.
    pub fn comparison(&self, method: &str, baseline: &str) -> Option<&Comparison> {
        self.comparisons
            .iter()
            .find(|c| c.method == method && c.baseline == baseline)
    }

    /// The plain-text table: per method its final greedy success ± std over seeds, the
    /// constraint-level score, the sampled score, the curve's area, the rollouts to reach
    /// `reinforce_pp`'s final success, and the paired differences from the two baselines;
    /// then the final success per part.
    pub fn table(&self) -> String {
        let p = &self.protocol;
        let mut t = String::new();
        let _ = writeln!(
            t,
            "{:<18} {:>14} {:>7} {:>7} {:>6} {:>9} {:>9} {:>26} {:>26}",
            "method",
            "success ± std",
            "constr",
            "sampled",
            "area",
            "rollouts",
            "to target",
            "Δ success vs reinforce_pp",
            "Δ success vs dense"
        );
        for s in &self.summary {
            let f = &s.final_greedy.overall;
            let _ = writeln!(
                t,
                "{:<18} {:>6.3} ± {:.3} {:>7.3} {:>7} {:>6.3} {:>9.0} {:>9} {:>26} {:>26}",
                s.method,
                f.success.mean,
                f.success.std,
                f.constraint.mean,
                opt_cell(s.sampled.as_ref().map(|x| x.overall.success.mean), 3),
                s.curve_area,
                s.generated_rollouts,
                opt_cell(s.rollouts_to_target, 0),
                ci_cell(
                    self.comparison(&s.method, BINARY_BASELINE)
                        .map(|c| &c.success)
                ),
                ci_cell(
                    self.comparison(&s.method, DENSE_BASELINE)
                        .map(|c| &c.success)
                ),
            );
        }
        if let Some(first) = self.summary.first() {
            let parts: Vec<&str> = first
                .final_greedy
                .parts
                .iter()
                .map(|x| x.part.as_str())
                .collect();
            let _ = write!(t, "\nfinal greedy success by part\n{:<18}", "method");
            for part in &parts {
                let _ = write!(t, " {part:>16}");
            }
            t.push('\n');
            for s in &self.summary {
                let _ = write!(t, "{:<18}", s.method);
                for x in &s.final_greedy.parts {
                    let c = x.scores.success;
                    let _ = write!(t, " {:>8.3} ± {:.3}", c.mean, c.std);
                }
                t.push('\n');
            }
        }
        let items: usize = p.eval_items.iter().map(|x| x.items).sum();
        let _ = writeln!(
            t,
            "\n{} world; {} seeds × {} steps, B = {}, m = {}; {} held-out items ({}), greedy at \
             steps 0 (shared) and {:?}; sampled: {} per item at T = {}; Δ: paired bootstrap \
             over seeds and items ({} draws, 95% CI); band: {}; area: mean height of the \
             success-vs-rollouts curve; to target: rollouts to reach reinforce_pp's final \
             success; {:.0} s",
            p.world,
            p.seeds,
            p.steps,
            p.train_batch_size,
            p.rollout_n,
            items,
            p.eval_items
                .iter()
                .map(|x| format!("{} {}", x.items, x.part))
                .collect::<Vec<_>>()
                .join(", "),
            p.eval_steps,
            p.eval_samples,
            p.eval_temperature,
            p.bootstrap_resamples,
            p.curve_band,
            p.wall_s
        );
        t
    }
}
