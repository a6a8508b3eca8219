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
    /// Face directory, whose `*.safetensors` files hold the weights.
    pub fn of_model(path: &Path) -> Result<Self> {
        let mut hasher = crc32fast::Hasher::new();
        let mut bytes = 0u64;
        let mut buf = vec![0u8; 1 << 20];
        for file in weight_files(path)? {
            let mut f = std::fs::File::open(&file)
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

fn weight_files(path: &Path) -> Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries =
        std::fs::read_dir(path).with_context(|| format!("cannot list `{}`", path.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let p = entry
            .with_context(|| format!("cannot list `{}`", path.display()))?
            .path();
        if p.extension().is_some_and(|e| e == "safetensors") {
            files.push(p);
        }
    }
    files.sort();
    anyhow::ensure!(
        !files.is_empty(),
        "`{}` holds no *.safetensors weight files",
        path.display()
    );
    Ok(files)
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
    fn a_directory_is_its_safetensors_files_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.safetensors"), b"56789").unwrap();
        std::fs::write(dir.path().join("a.safetensors"), b"1234").unwrap();
        std::fs::write(dir.path().join("config.json"), b"{}").unwrap();
        let got = Fingerprint::of_model(dir.path()).unwrap();
        assert_eq!(
            got,
            Fingerprint {
                bytes: 9,
                crc32: 0xCBF4_3926
            }
        );
        let empty = tempfile::tempdir().unwrap();
        let err = Fingerprint::of_model(empty.path()).unwrap_err().to_string();
        assert!(err.contains("no *.safetensors"), "{err}");
    }
}
