//! [`Comparison`]: every method against a baseline (`reinforce_pp`, `dense`; the `hir_*`
//! variants also against `hir`) as paired
//! bootstrap confidence intervals over seeds and held-out items, on the final greedy
//! responses: prompt-level success and each item's fraction of constraints satisfied,
//! overall and per part.

use serde::Serialize;

use super::held_out::HeldOut;
use super::protocol::{BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED};
use super::record::RunRecord;
use crate::run::methods::{BINARY_BASELINE, DENSE_BASELINE, HIR_REFERENCE};
use crate::stats::{paired_bootstrap, PairedCi};

/// The paired differences of one method from one baseline (method − baseline).
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The method.
    pub method: String,
    /// The baseline.
    pub baseline: String,
    /// Prompt-level success, every item.
    pub success: PairedCi,
    /// Fraction of an item's constraints satisfied, every item.
    pub constraint: PairedCi,
    /// The same per part of the held-out split, in split order.
    pub parts: Vec<PartComparison>,
}

/// The paired differences on one part.
#[derive(Debug, Clone, Serialize)]
pub struct PartComparison {
    /// The part's label.
    pub part: String,
    /// Prompt-level success.
    pub success: PairedCi,
    /// Fraction of an item's constraints satisfied.
    pub constraint: PairedCi,
}

/// Every method against each baseline that ran (`reinforce_pp`, then `dense`), the baseline
/// itself left out; then every `hir_*` variant against `hir` (when `hir` ran), for the
/// ablation claims (selection, curriculum).
pub fn compare_all(methods: &[String], runs: &[RunRecord], held_out: &HeldOut) -> Vec<Comparison> {
    let mut out = Vec::new();
    let ran = |b: &str| methods.iter().any(|m| m == b);
    for baseline in [BINARY_BASELINE, DENSE_BASELINE] {
        if !ran(baseline) {
            continue;
        }
        for m in methods.iter().filter(|m| *m != baseline) {
            out.push(compare(m, baseline, runs, held_out));
        }
    }
    if ran(HIR_REFERENCE) {
        let variant = |m: &&String| m.starts_with("hir_");
        for m in methods.iter().filter(variant) {
            out.push(compare(m, HIR_REFERENCE, runs, held_out));
        }
    }
    out
}

/// Per seed (ascending), per item: `value` of `method`'s runs.
pub fn matrix(
    runs: &[RunRecord],
    method: &str,
    value: fn(&RunRecord) -> Vec<f64>,
) -> Vec<Vec<f64>> {
    let mut mine: Vec<&RunRecord> = runs.iter().filter(|r| r.method == method).collect();
    mine.sort_by_key(|r| r.seed);
    mine.into_iter().map(value).collect()
}

/// The bootstrap of `a − b` restricted to the item positions `keep`.
fn ci(a: &[Vec<f64>], b: &[Vec<f64>], keep: &[usize]) -> PairedCi {
    let pick = |m: &[Vec<f64>]| -> Vec<Vec<f64>> {
        m.iter()
            .map(|row| keep.iter().map(|&i| row[i]).collect())
            .collect()
    };
    paired_bootstrap(&pick(a), &pick(b), BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED)
}

/// `method` against `baseline`.
pub fn compare(method: &str, baseline: &str, runs: &[RunRecord], held_out: &HeldOut) -> Comparison {
    let success = |m: &str| matrix(runs, m, RunRecord::item_success);
    let constraint = |m: &str| matrix(runs, m, RunRecord::item_constraint);
    let (sa, sb) = (success(method), success(baseline));
    let (ca, cb) = (constraint(method), constraint(baseline));
    let all: Vec<usize> = (0..held_out.keep.len()).collect();
    Comparison {
        method: method.to_string(),
        baseline: baseline.to_string(),
        success: ci(&sa, &sb, &all),
        constraint: ci(&ca, &cb, &all),
        parts: held_out
            .parts
            .iter()
            .map(|p| {
                let idx = held_out.indices_of(p);
                PartComparison {
                    part: p.clone(),
                    success: ci(&sa, &sb, &idx),
                    constraint: ci(&ca, &cb, &idx),
                }
            })
            .collect(),
    }
}
