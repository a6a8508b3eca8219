//! `hir train --model M --lora-rank R`: a LoRA run's checkpoint holds only the adapter (in
//! PEFT's format) and its optimizer state, the base file is the frozen base and the KL
//! reference, and `--resume` continues bit for bit on the CPU — with an f32 base (a Hugging
//! Face directory: the built-in policy's, 0.4M parameters) and with a base kept in a storage
//! format (the same directory with `--dtype f16`: its 2-D weights held as f16 rows, whose
//! backward goes through the stored-weight products).

mod common;

use common::metrics_without_timing;
use std::path::Path;
use std::process::Command;

fn train(dir: &Path, model: &str, run: &str, steps: &str, lora: &[&str]) {
    let mut args = vec![
        "train",
        "--model",
        model,
        "--data",
        "data.jsonl",
        "--run-dir",
        run,
        "--steps",
        steps,
    ];
    args.extend(lora);
    // lr 1e-2 so that the adapters move within a step and the in-reward KL against the base
    // (`kl_coef` 0.001 by default) is live.
    args.extend(common::small_train_args("lr=1e-2"));
    common::hir_ok_in(Some(dir), &args);
}

fn resume(run: &Path, steps: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_hir"))
        .args(["train", "--quiet", "--resume"])
        .arg(run)
        .args(["--steps", steps])
        .output()
        .expect("run hir");
    assert!(
        out.status.success(),
        "resume failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs 3 steps straight and 2 + a resume to 3, and checks the LoRA checkpoint.
fn straight_and_resumed(model_src: &Path, model_name: &str, lora: &[&str], r: u64, alpha: f64) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let model = tmp.path().join(model_name);
    if model_src.is_dir() {
        std::fs::create_dir(&model).expect("model dir");
        for f in ["config.json", "model.safetensors", "tokenizer.json"] {
            std::fs::copy(model_src.join(f), model.join(f)).expect("copy the model");
        }
    } else {
        std::fs::copy(model_src, &model).expect("copy the model");
    }
    std::fs::write(tmp.path().join("data.jsonl"), common::TINY_TRAIN_DATA).expect("write data");
    let model_bytes = |p: &Path| {
        if p.is_dir() {
            std::fs::read(p.join("model.safetensors")).expect("weights")
        } else {
            std::fs::read(p).expect("weights")
        }
    };
    let before = model_bytes(&model);

    let straight = tmp.path().join("straight");
    let split = tmp.path().join("split");
    train(tmp.path(), model_name, "straight", "3", lora);
    train(tmp.path(), model_name, "split", "2", lora);
    resume(&split, "3");

    let a = metrics_without_timing(&straight);
    let b = metrics_without_timing(&split);
    assert_eq!(a.len(), 3);
    assert_eq!(a, b, "a resumed LoRA run must continue exactly");
    // The KL against the base (adapters off) is live: the adapters moved the policy.
    let last: serde_json::Value = serde_json::from_str(&a[2]).expect("JSON");
    let kl = last["data"]["actor/kl_in_reward"].as_f64().expect("kl");
    assert!(kl.abs() > 0.0, "in-reward KL at step 3 is {kl}");

    for run in [&straight, &split] {
        let ck = run.join("checkpoint");
        for f in [
            "adapter_config.json",
            "adapter_model.safetensors",
            "optimizer.safetensors",
            "tokenizer.json",
            "trainer_state.json",
        ] {
            assert!(ck.join(f).is_file(), "{}: no {f}", ck.display());
        }
        assert!(
            !ck.join("model.safetensors").exists() && !run.join("reference.safetensors").exists(),
            "a LoRA run keeps no copy of the base"
        );
        let cfg: serde_json::Value = serde_json::from_slice(
            &std::fs::read(ck.join("adapter_config.json")).expect("adapter_config.json"),
        )
        .expect("JSON");
        assert_eq!(cfg["r"].as_u64(), Some(r));
        assert_eq!(cfg["lora_alpha"].as_f64(), Some(alpha));
        assert_eq!(cfg["peft_type"].as_str(), Some("LORA"));
    }
    for f in ["adapter_model.safetensors", "optimizer.safetensors"] {
        let read = |d: &Path| std::fs::read(d.join("checkpoint").join(f)).expect("file");
        assert!(read(&straight) == read(&split), "{f} differs after resume");
    }
    // The adapters' B left zero (PEFT's init) after three updates.
    let tensors =
        hir::io::model::read_tensors(&straight.join("checkpoint/adapter_model.safetensors"))
            .expect("adapter tensors");
    let moved = tensors
        .iter()
        .filter(|(k, _)| k.contains("lora_B"))
        .any(|(_, t)| t.data.iter().any(|&v| v != 0.0));
    assert!(moved, "no lora_B moved");
    assert_eq!(model_bytes(&model), before, "the base file must not change");
}

#[test]
fn a_lora_run_with_an_f32_base_checkpoints_only_the_adapter_and_resumes_bit_for_bit() {
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/builtin");
    straight_and_resumed(
        &builtin,
        "tiny-model",
        &["--lora-rank", "4", "--lora-alpha", "8"],
        4,
        8.0,
    );
}

#[test]
fn a_lora_run_with_a_stored_f16_base_resumes_bit_for_bit() {
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/builtin");
    straight_and_resumed(
        &builtin,
        "tiny-model",
        &[
            "--lora-rank",
            "2",
            "--lora-targets",
            "q_proj,v_proj,down_proj",
            "--dtype",
            "f16",
        ],
        2,
        2.0,
    );
}
