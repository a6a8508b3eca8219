//! A trainer config's enumerated fields (issue 12, item 5): a spelling that is not one of the
//! field's stops `hir train` and `hir compare` before anything runs, with an error naming the
//! field, the value and every allowed spelling, whether it comes from a TOML or JSON
//! `--config` file or from `--set`.

mod common;

use common::hir_bounded;

const ESTIMATORS: &str = "reinforce_plus_plus, reinforce_plus_plus_baseline, grpo, rloo";

#[test]
fn a_bad_adv_estimator_in_a_config_file_stops_train_naming_field_value_and_choices() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    for (name, text) in [
        ("bad.toml", "lr = 1e-4\nadv_estimator = \"grpoo\"\n"),
        ("bad.json", r#"{"lr": 1e-4, "adv_estimator": "grpoo"}"#),
    ] {
        let cfg = tmp.path().join(name);
        std::fs::write(&cfg, text).unwrap();
        let out = hir_bounded(
            &[
                "train",
                "--config",
                cfg.to_str().unwrap(),
                "--run-dir",
                run.to_str().unwrap(),
            ],
            4096,
            60,
        );
        let expected = format!(
            "error: `{}`: config field `adv_estimator`: `grpoo` is not one of {ESTIMATORS}\n",
            cfg.display()
        );
        out.assert_clear_error(&[&expected]);
        assert_eq!(out.status.and_then(|s| s.code()), Some(1), "{name}");
        assert_eq!(out.stderr, expected, "{name}: one line, nothing else");
        assert!(!run.exists(), "{name}: a refused run created its directory");
    }
}

#[test]
fn a_bad_spelling_in_set_is_refused_by_train_and_compare() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    let run = run.to_str().unwrap();
    for (args, needle) in [
        (
            vec!["train", "--set", "adv_estimator=grpoo", "--run-dir", run],
            format!("config field `adv_estimator`: `grpoo` is not one of {ESTIMATORS}"),
        ),
        (
            vec![
                "compare",
                "--steps",
                "1",
                "--set",
                "loss_agg_mode=token_mean",
            ],
            "config field `loss_agg_mode`: `token_mean` is not one of token-mean, \
             seq-mean-token-sum, seq-mean-token-mean"
                .to_string(),
        ),
        (
            vec!["train", "--set", "kl_penalty=k4", "--run-dir", run],
            "config field `kl_penalty`: `k4` is not one of k1, kl, k2, mse, k3, low_var_kl"
                .to_string(),
        ),
    ] {
        let out = hir_bounded(&args, 4096, 60);
        out.assert_clear_error(&[&needle]);
        assert_eq!(out.status.and_then(|s| s.code()), Some(1), "{args:?}");
    }
    assert!(!tmp.path().join("run").exists());
}

#[test]
fn every_spelling_is_written_back_to_config_toml_as_read() {
    // The run directory's config.toml holds the enumerated fields as verl spells them.
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    let cfg = tmp.path().join("c.toml");
    std::fs::write(
        &cfg,
        "adv_estimator = \"grpo\"\nloss_agg_mode = \"seq-mean-token-sum\"\n\
         replay_scope = \"global\"\nkl_penalty = \"k3\"\nobjective = \"ppo\"\n",
    )
    .unwrap();
    common::hir_ok(&[
        "train",
        "--config",
        cfg.to_str().unwrap(),
        "--steps",
        "0",
        "--quiet",
        "--run-dir",
        run.to_str().unwrap(),
    ]);
    let written: toml::Table =
        toml::from_str(&std::fs::read_to_string(run.join("config.toml")).unwrap()).unwrap();
    for (field, value) in [
        ("adv_estimator", "grpo"),
        ("loss_agg_mode", "seq-mean-token-sum"),
        ("replay_scope", "global"),
        ("kl_penalty", "low_var_kl"),
        ("kl_loss_type", "low_var_kl"),
        ("objective", "ppo"),
        ("replay_selection", "score"),
        ("replay_entropy", "mean"),
        ("replay_shortage", "skip"),
        ("replay_logprobs", "copy"),
    ] {
        assert_eq!(written[field].as_str(), Some(value), "{field}");
    }
}
