//! `hir compare --json` end to end, as CI runs it: a 2-seed, 5-step comparison of all ten
//! methods on a few held-out items. Checks the report's fields (protocol, runs, per-method
//! summary, paired comparisons), that every curve starts at the shared step-0 evaluation,
//! each method's rollout budget, and that the paired CIs in the JSON are
//! `stats::paired_bootstrap` of the per-item results the runs wrote.

mod common;

use std::path::Path;

use hir::run::evals::GreedyRecord;
use hir::run::methods::METHODS;
use hir::stats::paired_bootstrap;
use serde_json::Value;

// INTEGRATOR: set to "hard" once the hard world lands (the test is written for it).
const WORLD: &str = "hard";

const SEEDS: u64 = 2;
const STEPS: u64 = 5;
const ITEMS_PER_PART: usize = 8;
/// A smaller batch keeps the 20 runs within a minute or two of a debug build.
const BATCH: u64 = 4;

fn num(v: &Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what}: expected a number, found {v}"))
}

fn finite(v: &Value, what: &str) -> f64 {
    let x = num(v, what);
    assert!(x.is_finite(), "{what}: {x}");
    x
}

fn rate(v: &Value, what: &str) -> f64 {
    let x = finite(v, what);
    assert!((0.0..=1.0).contains(&x), "{what}: {x} is not a rate");
    x
}

/// A paired CI: finite, `lo ≤ mean ≤ hi`, 2,000 draws.
fn check_ci(ci: &Value, what: &str) {
    let (mean, lo, hi) = (
        finite(&ci["mean"], what),
        finite(&ci["lo"], what),
        finite(&ci["hi"], what),
    );
    assert!(
        lo <= mean && mean <= hi,
        "{what}: {lo} ≤ {mean} ≤ {hi} fails"
    );
    assert!((-1.0..=1.0).contains(&mean), "{what}: {mean}");
    assert_eq!(ci["resamples"], 2000, "{what}");
}

/// Per seed, per item: `value` of the final greedy results of `method`'s runs.
fn per_item(
    out: &Path,
    method: &str,
    value: fn(&hir::run::evals::ItemResult) -> f64,
) -> Vec<Vec<f64>> {
    (0..SEEDS)
        .map(|seed| {
            let dir = out.join(format!("{method}-seed{seed}"));
            let r = GreedyRecord::read(&dir, STEPS).expect("final evaluation");
            r.items.iter().map(value).collect()
        })
        .collect()
}

/// Same value as written in the JSON (the JSON text round trip may move the last bit).
fn same(json: &Value, x: f64, what: &str) {
    let j = finite(json, what);
    assert!((j - x).abs() <= 1e-12, "{what}: JSON {j}, recomputed {x}");
}

#[test]
fn compare_json_has_every_method_field_and_paired_interval() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let steps = STEPS.to_string();
    let seeds = SEEDS.to_string();
    let items = ITEMS_PER_PART.to_string();
    let batch_set = format!("train_batch_size={BATCH}");
    let mini_set = format!("ppo_mini_batch_size={BATCH}");
    let o = common::hir_ok(&[
        "compare",
        "--world",
        WORLD,
        "--seeds",
        &seeds,
        "--steps",
        &steps,
        "--eval-items",
        &items,
        "--eval-samples",
        "1",
        "--set",
        &batch_set,
        "--set",
        &mini_set,
        "--json",
        "--output-dir",
        out.to_str().unwrap(),
    ]);
    let report: Value = serde_json::from_slice(&o.stdout).expect("the output is JSON");

    // Protocol.
    let p = &report["protocol"];
    assert_eq!(p["world"], WORLD);
    assert_eq!(p["seeds"], SEEDS);
    assert_eq!(p["steps"], STEPS);
    assert_eq!(p["train_batch_size"], BATCH);
    let m = p["rollout_n"].as_u64().unwrap();
    assert_eq!(p["eval_steps"], serde_json::json!([3, 5]));
    assert_eq!(p["eval_samples"], 1);
    assert_eq!(p["bootstrap_resamples"], 2000);
    finite(&p["wall_s"], "protocol.wall_s");
    let parts: Vec<String> = p["eval_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            assert!(x["items"].as_u64().unwrap() <= ITEMS_PER_PART as u64);
            x["part"].as_str().unwrap().to_string()
        })
        .collect();
    assert!(!parts.is_empty());
    let planned = |method: &str| STEPS * BATCH * if method == "reinforce_pp_m8" { 8 } else { m };
    let budgets = p["rollouts_per_run"].as_array().unwrap();
    assert_eq!(budgets.len(), METHODS.len());
    for b in budgets {
        assert_eq!(b["planned"], planned(b["method"].as_str().unwrap()), "{b}");
    }

    // The shared step-0 evaluation.
    let step0 = GreedyRecord::read(&out, 0).expect("eval_step0.json");
    assert_eq!(step0.generated_rollouts, 0);

    // Runs.
    let runs = report["runs"].as_array().unwrap();
    assert_eq!(runs.len(), METHODS.len() * SEEDS as usize);
    for r in runs {
        let method = r["method"].as_str().unwrap();
        let what = format!("{method} seed {}", r["seed"]);
        assert_eq!(r["generated_rollouts"], planned(method), "{what}");
        finite(&r["wall_s"], &what);
        let curve = r["curve"].as_array().unwrap();
        assert_eq!(curve.len(), 3, "{what}");
        assert_eq!(curve[0]["step"], 0);
        assert_eq!(curve[0]["generated_rollouts"], 0);
        assert_eq!(
            num(&curve[0]["success"], &what),
            step0.success_rate,
            "{what}"
        );
        assert_eq!(curve[2]["generated_rollouts"], planned(method), "{what}");
        for key in ["final_greedy", "sampled"] {
            rate(&r[key]["overall"]["success"], &what);
            rate(&r[key]["overall"]["constraint"], &what);
            assert_eq!(r[key]["parts"].as_array().unwrap().len(), parts.len());
        }
        same(
            &r["final_greedy"]["overall"]["success"],
            num(&curve[2]["success"], &what),
            &what,
        );
    }

    // Per-method summary.
    let summary = report["summary"].as_array().unwrap();
    let names: Vec<&str> = summary
        .iter()
        .map(|s| s["method"].as_str().unwrap())
        .collect();
    assert_eq!(names, METHODS);
    let target = summary
        .iter()
        .find(|s| s["method"] == "reinforce_pp")
        .map(|s| finite(&s["final_greedy"]["overall"]["success"]["mean"], "target"))
        .unwrap();
    for s in summary {
        let method = s["method"].as_str().unwrap();
        assert_eq!(s["seeds"], SEEDS);
        assert_eq!(
            num(&s["generated_rollouts"], method),
            planned(method) as f64
        );
        for key in ["final_greedy", "sampled"] {
            for level in ["success", "constraint"] {
                rate(&s[key]["overall"][level]["mean"], method);
                finite(&s[key]["overall"][level]["std"], method);
                for part in s[key]["parts"].as_array().unwrap() {
                    rate(&part["scores"][level]["mean"], method);
                }
            }
        }
        let curve = s["curve"].as_array().unwrap();
        assert_eq!(curve.len(), 3);
        assert_eq!(num(&curve[0]["generated_rollouts"], method), 0.0);
        assert_eq!(num(&curve[0]["success"], method), step0.success_rate);
        for c in curve {
            let (lo, y, hi) = (
                rate(&c["lo"], method),
                rate(&c["success"], method),
                rate(&c["hi"], method),
            );
            assert!(lo <= y && y <= hi, "{method}: band {lo} ≤ {y} ≤ {hi}");
        }
        rate(&s["curve_area"], method);
        same(&s["target_success"], target, method);
        match &s["rollouts_to_target"] {
            Value::Null => {}
            x => {
                let r = finite(x, method);
                assert!((0.0..=planned(method) as f64).contains(&r), "{method}: {r}");
            }
        }
    }

    // Paired comparisons: every method but the baseline, against each baseline; then every
    // `hir_*` variant against `hir`.
    let comparisons = report["comparisons"].as_array().unwrap();
    let variants = METHODS.iter().filter(|m| m.starts_with("hir_")).count();
    assert_eq!(comparisons.len(), 2 * (METHODS.len() - 1) + variants);
    for c in comparisons {
        let what = format!("{} vs {}", c["method"], c["baseline"]);
        assert_ne!(c["method"], c["baseline"]);
        check_ci(&c["success"], &what);
        check_ci(&c["constraint"], &what);
        let cparts = c["parts"].as_array().unwrap();
        assert_eq!(cparts.len(), parts.len());
        for part in cparts {
            check_ci(&part["success"], &what);
            check_ci(&part["constraint"], &what);
        }
    }

    // The JSON's intervals are the bootstrap of the per-item results on disk.
    let seed = p["bootstrap_seed"].as_u64().unwrap();
    let success = |i: &hir::run::evals::ItemResult| f64::from(i.success);
    let constraint = |i: &hir::run::evals::ItemResult| i.constraint_fraction();
    for (method, baseline) in [
        ("hir", "reinforce_pp"),
        ("reinforce_pp", "dense"),
        ("hir_random_select", "hir"),
    ] {
        let c = comparisons
            .iter()
            .find(|c| c["method"] == method && c["baseline"] == baseline)
            .unwrap();
        for (key, value) in [
            ("success", success as fn(&_) -> f64),
            ("constraint", constraint),
        ] {
            let a = per_item(&out, method, value);
            let b = per_item(&out, baseline, value);
            let ci = paired_bootstrap(&a, &b, 2000, seed);
            let what = format!("{method} vs {baseline} {key}");
            same(&c[key]["mean"], ci.mean, &what);
            same(&c[key]["lo"], ci.lo, &what);
            same(&c[key]["hi"], ci.hi, &what);
        }
    }

    assert!(out.join("compare.svg").exists());
    assert!(out.join("compare_rollout_success.svg").exists());
}

#[test]
fn compare_refuses_bad_flags_before_running_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let out_s = out.to_str().unwrap();
    for (flags, needle) in [
        (&["--methods", "hir,foo"][..], "unknown method `foo`"),
        (&["--methods", "hir,hir"][..], "`hir` is listed twice"),
        (
            &["--eval-points", "0"][..],
            "--eval-points must be at least 1",
        ),
        (&["--eval-temperature", "0"][..], "--eval-temperature 0"),
        (
            &["--eval-items", "0"][..],
            "--eval-items must be at least 1",
        ),
        (&["--seeds", "0"][..], "--seeds must be at least 1"),
        (
            &["--world", "nowhere"][..],
            "invalid value 'nowhere' for '--world",
        ),
    ] {
        let mut args = vec!["compare", "--steps", "2", "--output-dir", out_s];
        args.extend_from_slice(flags);
        let o = common::hir_bounded(&args, 4096, 60);
        o.assert_clear_error(&[needle]);
        assert!(
            !out.exists(),
            "{flags:?}: a refused comparison created its directory"
        );
    }
}
