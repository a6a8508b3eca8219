//! `source.json`: what `--resume` needs to rebuild a real-model job — the model the run
//! started from (with its weights' fingerprint, since they are the run's KL reference policy),
//! the data file and the held-out count.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::io::fingerprint::Fingerprint;
use crate::io::model::write_atomic;
use crate::io::pretrained::Pretrained;
use crate::io::weights::WeightDtype;

/// What `--resume` needs to rebuild a real-model job (`<run>/source.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// The model the run started from. Its weights are also the run's KL reference policy,
    /// which is therefore not copied into the run directory.
    pub model: PathBuf,
    /// Size and checksum of the model's weights when the run started (`None` in runs made
    /// before it was recorded, which keep `reference.safetensors`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_fingerprint: Option<Fingerprint>,
    /// The training data file (`None`: the built-in IFEval-style set).
    pub data: Option<PathBuf>,
    /// Held-out rows at the end of the data.
    pub eval_count: usize,
    /// A LoRA run: how its frozen base's 2-D weights are held (`--dtype`), which `--resume`
    /// must repeat for a bit-exact continuation. `None`: a full fine-tune.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lora_base_dtype: Option<WeightDtype>,
}

impl Source {
    /// Where a run keeps it.
    pub fn path(run_dir: &Path) -> PathBuf {
        run_dir.join("source.json")
    }

    /// Writes it into `run_dir` (created if needed).
    pub fn save(&self, run_dir: &Path) -> Result<()> {
        std::fs::create_dir_all(run_dir)
            .with_context(|| format!("cannot create run directory `{}`", run_dir.display()))?;
        write_atomic(
            &Self::path(run_dir),
            serde_json::to_string_pretty(self)?.as_bytes(),
        )?;
        Ok(())
    }

    /// The source of a new run on `model`: fingerprints the model's weights and keeps the
    /// model and data paths absolute.
    pub fn new(model: &Path, data: Option<PathBuf>, eval_count: usize) -> Result<Self> {
        Pretrained::ensure_exists(model)?;
        Ok(Self {
            model: absolute(model),
            model_fingerprint: Some(Fingerprint::of_model(model)?),
            data: data.as_deref().map(absolute),
            eval_count,
            lora_base_dtype: None,
        })
    }

    /// On resume: checks that the model the run started from is still there and unchanged,
    /// since its weights are the run's reference policy.
    pub fn check_model_unchanged(&self, run_dir: &Path) -> Result<()> {
        let Some(want) = self.model_fingerprint else {
            return Ok(());
        };
        let hint = format!(
            "its weights are this run's KL reference policy: put the original back, or set \
             `model` in `{}` to where it is now, then resume",
            Self::path(run_dir).display()
        );
        let got = Fingerprint::of_model(&self.model).with_context(|| {
            format!(
                "the model this run started from, `{}`, cannot be read; {hint}",
                self.model.display()
            )
        })?;
        anyhow::ensure!(
            got == want,
            "the model this run started from, `{}`, has changed since (now {} bytes, CRC-32 \
             {:08x}; the run recorded {} bytes, {:08x}); {hint}",
            self.model.display(),
            got.bytes,
            got.crc32,
            want.bytes,
            want.crc32
        );
        Ok(())
    }

    /// Reads the one in `run_dir`, if the run has one (built-in runs do not).
    pub fn load(run_dir: &Path) -> Result<Option<Self>> {
        let path = Self::path(run_dir);
        if !path.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read `{}`", path.display()))?;
        Ok(Some(serde_json::from_str(&text).with_context(|| {
            format!("`{}`: not a run source file", path.display())
        })?))
    }
}

/// `path` made absolute (so that `--resume` works from any directory), or as given when that
/// fails; a missing file is reported by whoever opens it.
fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}
