//! A cheap content fingerprint of a model's weight files (total size and CRC-32), stored in a
//! real-model run's `source.json` so that `--resume` notices when the model file the run
//! started from, which is also its KL reference policy, has changed since.
//!
//! CRC-32 detects accidental changes (a re-download of another quantization, an overwritten
//! file), not deliberate collisions; that is all `--resume` needs.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// Size and checksum of the bytes of a model's weight files, in name order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// Total bytes.
    pub bytes: u64,
    /// CRC-32 (IEEE) of the concatenated files.
    pub crc32: u32,
}

impl Fingerprint {
    /// Fingerprints a model as `--model` names it: a GGUF (or any single) file, or a Hugging
    /// Face directory, whose weight files are those [`load_hf_dir`] reads.
    ///
    /// [`load_hf_dir`]: crate::io::model::load_hf_dir
    pub fn of_model(path: &Path) -> Result<Self> {
        let files = if path.is_dir() {
            crate::io::model::weight_files(path)?
        } else {
            vec![path.to_path_buf()]
        };
        Self::of_files(&files)
    }

    /// Fingerprints the concatenated bytes of `files`, in the order given, streamed.
    pub fn of_files(files: &[PathBuf]) -> Result<Self> {
        let mut hasher = crc32fast::Hasher::new();
        let mut bytes = 0u64;
        let mut buf = vec![0u8; 1 << 20];
        for file in files {
            let mut f = std::fs::File::open(file)
                .with_context(|| format!("cannot read `{}`", file.display()))?;
            loop {
                let n = f
                    .read(&mut buf)
                    .with_context(|| format!("cannot read `{}`", file.display()))?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
                bytes += n as u64;
            }
        }
        Ok(Self {
            bytes,
            crc32: hasher.finalize(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_is_the_ieee_check_value_and_a_change_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("m.gguf");
        // The CRC-32/ISO-HDLC check value of "123456789".
        std::fs::write(&f, b"123456789").unwrap();
        let a = Fingerprint::of_model(&f).unwrap();
        assert_eq!(
            a,
            Fingerprint {
                bytes: 9,
                crc32: 0xCBF4_3926
            }
        );
        std::fs::write(&f, b"123456788").unwrap();
        assert_ne!(Fingerprint::of_model(&f).unwrap(), a);
    }

    #[test]
    fn a_directory_is_the_weight_files_the_loader_reads() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("model.safetensors"), b"123456789").unwrap();
        // Not weights: a checkpoint's optimizer state and the config.
        std::fs::write(dir.path().join("optimizer.safetensors"), b"xyz").unwrap();
        std::fs::write(dir.path().join("config.json"), b"{}").unwrap();
        let want = Fingerprint {
            bytes: 9,
            crc32: 0xCBF4_3926,
        };
        assert_eq!(Fingerprint::of_model(dir.path()).unwrap(), want);
        // Shards in name order, whatever the index lists first.
        let sharded = tempfile::tempdir().unwrap();
        std::fs::write(sharded.path().join("b.safetensors"), b"56789").unwrap();
        std::fs::write(sharded.path().join("a.safetensors"), b"1234").unwrap();
        std::fs::write(
            sharded.path().join("model.safetensors.index.json"),
            r#"{"weight_map": {"x": "b.safetensors", "y": "a.safetensors"}}"#,
        )
        .unwrap();
        assert_eq!(Fingerprint::of_model(sharded.path()).unwrap(), want);
        let empty = tempfile::tempdir().unwrap();
        let err = Fingerprint::of_model(empty.path()).unwrap_err().to_string();
        assert!(err.contains("no model.safetensors"), "{err}");
    }
}
