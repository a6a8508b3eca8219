//! Checkpoints: the policy as a Hugging Face directory plus what resuming needs, written and
//! read as a whole.
//!
//! A checkpoint `run/checkpoint/` is never changed in place. A save writes the new one into
//! the sibling `checkpoint.partial/` (every file, then `manifest.json` with the step and each
//! file's size and CRC-32, all synced), then swaps it in with two renames: `checkpoint` →
//! `checkpoint.previous`, `checkpoint.partial` → `checkpoint`, and removes the previous one.
//! An interruption at any point leaves either the old checkpoint or the new one whole:
//! [`recover`] (run before a resume) finishes or rolls back a swap that was cut between the
//! renames and drops an unfinished `checkpoint.partial/`. [`verify`] refuses a checkpoint
//! whose files are not the ones its manifest lists (a file missing, or one from another
//! save), naming the file.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use hir_core::model::{param_shapes, ModelConfig, Params, Trainable};
use hir_core::train::{TrainerConfig, TrainerState};
use serde::{Deserialize, Serialize};

use super::interrupt;
use crate::io::fingerprint::Fingerprint;
use crate::io::input_file::{read_text, MAX_CONFIG_BYTES};
use crate::io::model::{
    load_hf_dir, read_weights, save_hf_dir, sync_dir, write_atomic, write_f32_safetensors,
    HostModel,
};

/// The manifest of a checkpoint directory, written last.
pub const MANIFEST: &str = "manifest.json";
/// The scalar trainer state of a checkpoint.
pub const STATE: &str = "trainer_state.json";
/// Files every full fine-tune checkpoint holds (a chat template's `tokenizer_config.json` is
/// optional).
const REQUIRED: [&str; 5] = [
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "optimizer.safetensors",
    STATE,
];

/// The file that marks a LoRA run's checkpoint (PEFT's adapter config).
pub const ADAPTER_CONFIG: &str = "adapter_config.json";
/// Files every LoRA checkpoint holds: the adapter in PEFT's format, the tokenizer, the
/// adapters' AdamW moments and the scalar state (no base weights).
const REQUIRED_LORA: [&str; 5] = [
    ADAPTER_CONFIG,
    "adapter_model.safetensors",
    "tokenizer.json",
    "optimizer.safetensors",
    STATE,
];

/// The scalar part of a trainer state (`trainer_state.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateFile {
    /// Steps completed.
    pub step: u64,
    /// Responses generated so far.
    pub generated_rollouts: u64,
    /// AdamW step counter.
    pub adam_step: u32,
    /// Wall seconds spent so far (over every session of the run).
    pub elapsed_seconds: f64,
}

/// `manifest.json`: which files make up a checkpoint, as they were written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The step the checkpoint holds (equal to `trainer_state.json`'s).
    pub step: u64,
    /// Each file of the checkpoint, by name.
    pub files: Vec<ManifestFile>,
}

/// One file of a [`Manifest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// File name inside the checkpoint directory.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// CRC-32 (IEEE) of the content.
    pub crc32: u32,
}

/// Writes f32 parameters to a safetensors file under their Hugging Face names, with a prefix.
pub fn save_params(
    path: &Path,
    config: &ModelConfig,
    params: &[(&str, &Params<Vec<f32>>)],
) -> Result<()> {
    let shapes = param_shapes(config);
    let mut tensors = Vec::new();
    for (prefix, p) in params {
        for ((name, shape), data) in shapes.iter().zip(p.tensors()) {
            tensors.push((format!("{prefix}{name}"), shape.clone(), data.as_slice()));
        }
    }
    write_f32_safetensors(path, &tensors)?;
    Ok(())
}

/// Reads parameters saved by [`save_params`] under `prefix` (float tensors with finite values
/// only: an integer or non-finite tensor is an error naming it).
pub fn load_params(path: &Path, config: &ModelConfig, prefix: &str) -> Result<Params<Vec<f32>>> {
    let mut tensors = read_weights(path)?;
    let mut items = Vec::new();
    for (name, shape) in param_shapes(config) {
        let key = format!("{prefix}{name}");
        let t = tensors
            .remove(&key)
            .with_context(|| format!("`{}` has no tensor `{key}`", path.display()))?;
        if t.shape != shape {
            bail!(
                "`{}`: tensor `{key}` has shape {:?}, expected {:?}",
                path.display(),
                t.shape,
                shape
            );
        }
        items.push(t.data);
    }
    Params::from_ordered(config, items).with_context(|| {
        format!(
            "`{}`: parameter list does not fit the config",
            path.display()
        )
    })
}

/// `checkpoint` → `checkpoint.<suffix>`, beside it.
fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "checkpoint".into());
    dir.with_file_name(format!("{name}.{suffix}"))
}

/// Where a save writes the next checkpoint before swapping it in.
pub fn staging_dir(dir: &Path) -> PathBuf {
    sibling(dir, "partial")
}

/// Where the replaced checkpoint waits between the two renames of a swap.
pub fn previous_dir(dir: &Path) -> PathBuf {
    sibling(dir, "previous")
}

/// Saves a checkpoint directory as a whole: HF model dir + tokenizer (`tokenizer.json`, and
/// `tokenizer_config.json` with the chat template when the model has one) + optimizer +
/// scalar state + manifest, written beside `dir` and swapped into place (see the module docs).
pub fn save_checkpoint(
    dir: &Path,
    config: &ModelConfig,
    state: &TrainerState,
    tokenizer_json: &[u8],
    tokenizer_config_json: Option<&[u8]>,
    elapsed_seconds: f64,
) -> Result<()> {
    let staging = fresh_staging(dir)?;
    save_hf_dir(
        &staging,
        &HostModel {
            config: config.clone(),
            params: state.policy.clone(),
        },
    )?;
    write_atomic(&staging.join("tokenizer.json"), tokenizer_json)?;
    if let Some(cfg) = tokenizer_config_json {
        write_atomic(&staging.join("tokenizer_config.json"), cfg)?;
    }
    let (Trainable::Full(adam_m), Trainable::Full(adam_v)) = (&state.adam_m, &state.adam_v) else {
        bail!("a LoRA run's state is saved with save_adapter_checkpoint, not save_checkpoint");
    };
    save_params(
        &staging.join("optimizer.safetensors"),
        config,
        &[("exp_avg.", adam_m), ("exp_avg_sq.", adam_v)],
    )?;
    let file = StateFile {
        step: state.step,
        generated_rollouts: state.generated_rollouts,
        adam_step: state.adam_step,
        elapsed_seconds,
    };
    finish_save(dir, &staging, &file)
}

/// Writes `trainer_state.json` into `staging`, seals it and swaps it in for `dir`.
pub(super) fn finish_save(dir: &Path, staging: &Path, file: &StateFile) -> Result<()> {
    write_atomic(
        &staging.join(STATE),
        serde_json::to_string_pretty(file)?.as_bytes(),
    )?;
    seal(staging, file.step)?;
    interrupt::critical(|| swap_in(dir, staging))
}

/// A fresh `checkpoint.partial/` beside `dir` (an unfinished one is removed first).
pub(super) fn fresh_staging(dir: &Path) -> Result<PathBuf> {
    let staging = staging_dir(dir);
    if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .with_context(|| format!("cannot remove the unfinished `{}`", staging.display()))?;
    }
    std::fs::create_dir_all(&staging)
        .with_context(|| format!("cannot create `{}`", staging.display()))?;
    Ok(staging)
}

/// Writes `manifest.json` for the files now in `dir` (every file but the manifest and
/// temporary files), recording `step`. A save calls it last; a test that builds a checkpoint
/// by hand may call it too.
pub fn seal(dir: &Path, step: u64) -> Result<()> {
    let mut names = Vec::new();
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("cannot list `{}`", dir.display()))?
    {
        let entry = entry.with_context(|| format!("cannot list `{}`", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != MANIFEST && !name.starts_with('.') && entry.path().is_file() {
            names.push(name);
        }
    }
    names.sort();
    let mut files = Vec::new();
    for name in names {
        let (bytes, crc32) = size_and_crc(&dir.join(&name))?;
        files.push(ManifestFile { name, bytes, crc32 });
    }
    let manifest = Manifest { step, files };
    write_atomic(
        &dir.join(MANIFEST),
        serde_json::to_string_pretty(&manifest)?.as_bytes(),
    )?;
    sync_dir(dir);
    Ok(())
}

/// The two renames that replace `dir` by the sealed `staging`, then the cleanup.
fn swap_in(dir: &Path, staging: &Path) -> Result<()> {
    let previous = previous_dir(dir);
    if previous.exists() {
        std::fs::remove_dir_all(&previous)
            .with_context(|| format!("cannot remove `{}`", previous.display()))?;
    }
    if dir.exists() {
        std::fs::rename(dir, &previous).with_context(|| {
            format!(
                "cannot move `{}` to `{}`",
                dir.display(),
                previous.display()
            )
        })?;
    }
    std::fs::rename(staging, dir)
        .with_context(|| format!("cannot move `{}` to `{}`", staging.display(), dir.display()))?;
    if let Some(parent) = dir.parent() {
        sync_dir(parent);
    }
    if previous.exists() {
        std::fs::remove_dir_all(&previous)
            .with_context(|| format!("cannot remove `{}`", previous.display()))?;
    }
    Ok(())
}

/// Puts the checkpoint `dir` back in order after an interrupted save: finishes a swap cut
/// between its two renames (or rolls it back when the new checkpoint does not verify), and
/// removes a `checkpoint.partial/` that was never swapped in and a leftover
/// `checkpoint.previous/`. Returns a line describing what was done, if anything.
pub fn recover(dir: &Path) -> Result<Option<String>> {
    let staging = staging_dir(dir);
    let previous = previous_dir(dir);
    let remove = |p: &Path| {
        std::fs::remove_dir_all(p).with_context(|| format!("cannot remove `{}`", p.display()))
    };
    let rename = |from: &Path, to: &Path| {
        std::fs::rename(from, to)
            .with_context(|| format!("cannot move `{}` to `{}`", from.display(), to.display()))
    };
    let mut done = None;
    if !dir.exists() && previous.is_dir() {
        // Cut between the renames: the new checkpoint is whole in `staging` if it verifies.
        if staging.is_dir() && verify(&staging).is_ok() {
            rename(&staging, dir)?;
            done = Some(format!(
                "finished the interrupted save of `{}` (from `{}`)",
                dir.display(),
                staging.display()
            ));
        } else {
            rename(&previous, dir)?;
            done = Some(format!(
                "restored `{}` from `{}` after an interrupted save",
                dir.display(),
                previous.display()
            ));
        }
    }
    if staging.exists() {
        remove(&staging)?;
        done.get_or_insert_with(|| {
            format!(
                "removed `{}`, a save that was interrupted before it was complete",
                staging.display()
            )
        });
    }
    if previous.exists() {
        remove(&previous)?;
    }
    if let Some(parent) = dir.parent() {
        sync_dir(parent);
    }
    Ok(done)
}

/// Checks that the checkpoint `dir` is whole: its manifest is there and every file it lists
/// has the recorded size and CRC-32. Returns the manifest.
pub fn verify(dir: &Path) -> Result<Manifest> {
    if !dir.is_dir() {
        bail!(
            "`{}` does not exist: the run stopped before its first checkpoint was saved, so \
             there is nothing to resume; start the run again in a new --run-dir",
            dir.display()
        );
    }
    let manifest_path = dir.join(MANIFEST);
    if !manifest_path.exists() {
        bail!(
            "`{}` is missing, so the checkpoint cannot be checked as a whole: it is incomplete \
             (a save was interrupted) or was written by a hir version without checkpoint \
             manifests; start the run again in a new --run-dir",
            manifest_path.display()
        );
    }
    let text = read_text(&manifest_path, "a checkpoint manifest", MAX_CONFIG_BYTES)?;
    let manifest: Manifest = serde_json::from_str(&text).with_context(|| {
        format!(
            "`{}`: not a checkpoint manifest (expected {{\"step\", \"files\": [{{\"name\", \
             \"bytes\", \"crc32\"}}]}})",
            manifest_path.display()
        )
    })?;
    let torn = |what: String| {
        anyhow::anyhow!(
            "{what}; the checkpoint in `{}` is not whole (files from different saves, or a \
             save that was cut short), so resuming it would train on mismatched weights and \
             optimizer state. Restore the checkpoint's own files, or start the run again in a \
             new --run-dir",
            dir.display()
        )
    };
    let lora = manifest.files.iter().any(|f| f.name == ADAPTER_CONFIG);
    let required = if lora { REQUIRED_LORA } else { REQUIRED };
    for required in required {
        if !manifest.files.iter().any(|f| f.name == required) {
            return Err(torn(format!(
                "`{}` does not list `{required}`",
                manifest_path.display()
            )));
        }
    }
    for f in &manifest.files {
        if f.name.contains(['/', '\\']) || f.name.starts_with('.') {
            bail!(
                "`{}`: `{}` is not a plain file name inside the checkpoint",
                manifest_path.display(),
                f.name
            );
        }
        let path = dir.join(&f.name);
        if !path.exists() {
            return Err(torn(format!(
                "`{}` is missing (manifest.json of step {} lists it)",
                path.display(),
                manifest.step
            )));
        }
        let (bytes, crc32) = size_and_crc(&path)?;
        if (bytes, crc32) != (f.bytes, f.crc32) {
            return Err(torn(format!(
                "`{}` is not the file saved with step {}: manifest.json records {} bytes, \
                 CRC-32 {:08x}; the file has {bytes} bytes, CRC-32 {crc32:08x}",
                path.display(),
                manifest.step,
                f.bytes,
                f.crc32
            )));
        }
    }
    Ok(manifest)
}

/// Size and CRC-32 of a regular file, streamed.
fn size_and_crc(path: &Path) -> Result<(u64, u32)> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    if !meta.is_file() {
        bail!("`{}` is not a regular file", path.display());
    }
    let fp = Fingerprint::of_files(&[path.to_path_buf()])?;
    Ok((fp.bytes, fp.crc32))
}

/// Loads a checkpoint directory written by [`save_checkpoint`], after [`verify`]ing it
/// (`verified`: the manifest a caller's own [`verify`] of `dir` returned, so the files are not
/// hashed twice); `reference` is read by the caller (it lives in the run directory).
pub fn load_checkpoint(
    dir: &Path,
    verified: Option<&Manifest>,
) -> Result<(ModelConfig, TrainerState, StateFile)> {
    let checked;
    let manifest = match verified {
        Some(m) => m,
        None => {
            checked = verify(dir)?;
            &checked
        }
    };
    let file = read_state_file(dir, manifest)?;
    let model = load_hf_dir(dir)?;
    let opt = dir.join("optimizer.safetensors");
    let adam_m = load_params(&opt, &model.config, "exp_avg.")?;
    let adam_v = load_params(&opt, &model.config, "exp_avg_sq.")?;
    let state = TrainerState {
        step: file.step,
        generated_rollouts: file.generated_rollouts,
        policy: model.params,
        adapter: None,
        reference: None,
        adam_m: Trainable::Full(adam_m),
        adam_v: Trainable::Full(adam_v),
        adam_step: file.adam_step,
    };
    Ok((model.config, state, file))
}

/// Reads `trainer_state.json` of a verified checkpoint and checks it against the manifest.
pub(super) fn read_state_file(dir: &Path, manifest: &Manifest) -> Result<StateFile> {
    let state_path = dir.join(STATE);
    let text = read_text(&state_path, "a trainer state", MAX_CONFIG_BYTES)?;
    let file: StateFile = serde_json::from_str(&text)
        .with_context(|| format!("`{}`: not a trainer state", state_path.display()))?;
    if file.step != manifest.step {
        bail!(
            "`{}` says step {}, but the checkpoint's manifest.json was written for step {}",
            state_path.display(),
            file.step,
            manifest.step
        );
    }
    Ok(file)
}

impl StateFile {
    /// Checks a checkpoint about to be resumed against the run's metrics log: a step is
    /// logged before its checkpoint is saved, so the state cannot be past `logged_through`,
    /// the last step in `metrics.jsonl`. `path` names the state file in errors.
    pub fn check_logged(&self, path: &Path, logged_through: u64) -> Result<()> {
        let p = path.display();
        if !(self.elapsed_seconds.is_finite() && self.elapsed_seconds >= 0.0) {
            bail!(
                "`{p}`: elapsed_seconds is {}, expected a finite number ≥ 0; the state file is \
                 damaged",
                self.elapsed_seconds
            );
        }
        if self.step > logged_through {
            bail!(
                "`{p}` says {} steps are done, but the run's metrics.jsonl records steps only up \
                 to {logged_through}; the state file is damaged or from another run, so the \
                 checkpoint cannot be resumed. Start the run again in a new --run-dir",
                self.step
            );
        }
        Ok(())
    }

    /// Checks the counters of a checkpoint about to be resumed against the total the resumed
    /// run will reach: the step is not past it, and every counter can still grow to it
    /// without overflowing. `path` names the state file in errors.
    pub fn check(&self, path: &Path, config: &TrainerConfig) -> Result<()> {
        let p = path.display();
        if self.step > config.total_steps {
            bail!(
                "`{p}`: step {} is past the run's total_steps {} (config.toml); pass --steps {} \
                 or more to continue the run",
                self.step,
                config.total_steps,
                self.step
            );
        }
        let remaining = config.total_steps - self.step;
        let updates_per_step = (config.train_batch_size / config.ppo_mini_batch_size.max(1))
            .checked_mul(config.ppo_epochs)
            .and_then(|u| u64::try_from(u).ok());
        let adam_fits = updates_per_step
            .and_then(|u| u.checked_mul(remaining))
            .and_then(|u| u.checked_add(u64::from(self.adam_step)))
            .is_some_and(|end| end <= u64::from(u32::MAX));
        if !adam_fits {
            bail!(
                "`{p}`: adam_step {} cannot grow by {remaining} more steps of {} optimizer \
                 updates each without passing {}; the state file is damaged, or --steps is \
                 too large",
                self.adam_step,
                updates_per_step.map_or("too many".to_string(), |u| u.to_string()),
                u32::MAX
            );
        }
        // Extra samples per prompt: up to `replay_max_resample` ("resample") or `replay_k`
        // ("released"); the larger bounds both.
        let per_step = config
            .rollout_n
            .checked_add(config.replay_max_resample.max(config.replay_k))
            .and_then(|n| n.checked_mul(config.train_batch_size))
            .and_then(|n| u64::try_from(n).ok());
        let rollouts_fit = per_step
            .and_then(|n| n.checked_mul(remaining))
            .and_then(|n| n.checked_add(self.generated_rollouts))
            .is_some();
        if !rollouts_fit {
            bail!(
                "`{p}`: generated_rollouts {} cannot grow by {remaining} more steps without \
                 overflowing; the state file is damaged, or --steps is too large",
                self.generated_rollouts
            );
        }
        Ok(())
    }
}
