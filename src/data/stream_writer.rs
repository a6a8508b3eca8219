//! Writing a file of unknown length as a stream, so that the whole content never has to be in
//! memory, with the same all-or-nothing guarantee as [`crate::model_io::write_atomic`]: a
//! regular output file is written to a temporary file in its directory and renamed into place
//! on [`StreamWriter::commit`] (dropped without it, the temporary file is removed and the old
//! file is untouched).
//!
//! What is already at the path is respected: a symlink is followed (its target is replaced,
//! the link stays), an existing file keeps its permissions, and a non-regular file (a device
//! such as `/dev/null`, a FIFO) is written directly, since renaming over it would replace it.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A streamed output file (see the module docs).
pub struct StreamWriter {
    target: PathBuf,
    /// The temporary file renamed over `target` on commit (`None`: writing `target` directly).
    tmp: Option<PathBuf>,
    out: BufWriter<File>,
}

impl StreamWriter {
    /// Opens `path` for writing.
    pub fn create(path: &Path) -> std::io::Result<Self> {
        // Follow a symlink to the file it names, so the rename replaces that file.
        let target = match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path)?,
            _ => path.to_path_buf(),
        };
        let existing = std::fs::metadata(&target).ok();
        if let Some(m) = &existing {
            if !m.is_file() {
                if m.is_dir() {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::IsADirectory,
                        "is a directory; pass a file path",
                    ));
                }
                let file = std::fs::OpenOptions::new().write(true).open(&target)?;
                return Ok(Self {
                    target,
                    tmp: None,
                    out: BufWriter::new(file),
                });
            }
        }
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let file = File::create(&tmp)?;
        if let Some(m) = existing {
            if let Err(e) = file.set_permissions(m.permissions()) {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        }
        Ok(Self {
            target,
            tmp: Some(tmp),
            out: BufWriter::new(file),
        })
    }

    /// Flushes, syncs and renames the temporary file into place.
    pub fn commit(mut self) -> std::io::Result<()> {
        self.out.flush()?;
        if let Some(tmp) = self.tmp.take() {
            let result = self
                .out
                .get_ref()
                .sync_all()
                .and_then(|()| std::fs::rename(&tmp, &self.target));
            if result.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            return result;
        }
        Ok(())
    }
}

impl Write for StreamWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

impl Drop for StreamWriter {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}
