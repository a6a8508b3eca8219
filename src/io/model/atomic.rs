//! Writing files so that a crash or an error never leaves a half-written file behind, without
//! replacing what the user pointed the output at.
//!
//! - A regular file (or a path that does not exist yet) gets its new content through a
//!   temporary file beside it and a rename, so it either keeps its old content or gets the
//!   complete new one. An existing file keeps its permission bits (and, where the process may
//!   set them, its owner and group).
//! - A symbolic link is followed to the file it names, which is then written as above: the
//!   link stays a link.
//! - Anything else that exists (a character device such as `/dev/null` or `/dev/stdout`, a
//!   FIFO, a `/dev/fd/N` pipe) is written directly, with no temporary file and no rename; a
//!   write error such as `/dev/full`'s "no space left" is reported with the path.
//!
//! - The path `-` is standard output.
//!
//! [`AtomicFile`] streams content of unknown length with the same guarantees (nothing is held
//! in memory; dropped without [`AtomicFile::commit`], the temporary file is removed and the old
//! file is untouched); [`write_atomic`] writes one buffer through it.

use super::ModelIoError;
use std::fs::{File, Metadata, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Most symbolic links followed from an output path (Linux's own limit is 40).
const MAX_LINKS: usize = 40;

/// Writes `bytes` to `path`: atomically for regular files (through a temporary file in the
/// same directory and a rename), following symbolic links to the real file, and directly for
/// devices and FIFOs (see the module docs).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ModelIoError> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)
        .map_err(|source| ModelIoError::Write {
            path: path.to_path_buf(),
            source,
        })?;
    file.commit()
}

/// An output file being written (see the module docs): [`Write`] into it, then
/// [`AtomicFile::commit`].
pub struct AtomicFile {
    /// The path as the user gave it (named in errors).
    path: PathBuf,
    out: BufWriter<Sink>,
    /// `Some` when writing a temporary file that `commit` renames over `target`.
    replace: Option<Replace>,
}

/// Where an [`AtomicFile`] writes.
enum Sink {
    File(File),
    Stdout(std::io::Stdout),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::File(f) => f.write(buf),
            Sink::Stdout(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::File(f) => f.flush(),
            Sink::Stdout(s) => s.flush(),
        }
    }
}

/// The temporary file of an [`AtomicFile`] that replaces a regular file.
struct Replace {
    tmp: PathBuf,
    target: PathBuf,
    dir: PathBuf,
}

impl AtomicFile {
    /// Opens `path` for writing: a temporary file beside the real file for a regular file (or
    /// a new path, or a link to either), the path itself for a device or FIFO; a directory is
    /// refused.
    pub fn create(path: &Path) -> Result<Self, ModelIoError> {
        let err = |source| ModelIoError::Write {
            path: path.to_path_buf(),
            source,
        };
        if crate::io::input_file::is_stdio(path) {
            return Ok(AtomicFile {
                path: path.to_path_buf(),
                out: BufWriter::new(Sink::Stdout(std::io::stdout())),
                replace: None,
            });
        }
        // `metadata` follows links: this is what a write to `path` would reach.
        let (target, old) = match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                return Err(err(std::io::Error::new(
                    std::io::ErrorKind::IsADirectory,
                    "it is a directory; pass the path of a file",
                )))
            }
            Ok(meta) if !meta.is_file() => {
                let file = OpenOptions::new().write(true).open(path).map_err(err)?;
                return Ok(AtomicFile {
                    path: path.to_path_buf(),
                    out: BufWriter::new(Sink::File(file)),
                    replace: None,
                });
            }
            Ok(meta) => (resolve_links(path).map_err(err)?, Some(meta)),
            // A dangling link is written where it points, which creates its target.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                (resolve_links(path).map_err(err)?, None)
            }
            Err(e) => return Err(err(e)),
        };
        let (file, replace) = temp_beside(&target, old.as_ref()).map_err(err)?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            out: BufWriter::new(Sink::File(file)),
            replace: Some(replace),
        })
    }

    /// Finishes the file: flushes it, and for a replaced regular file syncs the temporary file
    /// and renames it into place.
    pub fn commit(mut self) -> Result<(), ModelIoError> {
        let path = self.path.clone();
        let result = (|| {
            self.out.flush()?;
            if let Some(r) = &self.replace {
                if let Sink::File(f) = self.out.get_ref() {
                    f.sync_all()?;
                }
                std::fs::rename(&r.tmp, &r.target)?;
                sync_dir(&r.dir);
            }
            Ok(())
        })();
        if result.is_ok() {
            // Renamed: nothing for `drop` to remove.
            self.replace = None;
        }
        result.map_err(|source| ModelIoError::Write { path, source })
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some(r) = self.replace.take() {
            let _ = std::fs::remove_file(r.tmp);
        }
    }
}

/// `path` with every symbolic link along its final component followed (a dangling link gives
/// the path it points at, which need not exist).
fn resolve_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links in a row (a loop?)"
    )))
}

/// A new temporary file in `target`'s directory that will replace `target`; `old` is the
/// metadata of the file being replaced, whose permissions the new one keeps.
fn temp_beside(target: &Path, old: Option<&Metadata>) -> std::io::Result<(File, Replace)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
    if let Some(old) = old {
        if let Err(e) = keep_owner_and_mode(&file, old) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    }
    Ok((
        file,
        Replace {
            tmp,
            target: target.to_path_buf(),
            dir,
        },
    ))
}

/// Gives the new file the replaced file's permission bits, and its owner and group where the
/// process is allowed to (root, or a group the user belongs to); ownership is best effort.
fn keep_owner_and_mode(f: &File, old: &Metadata) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = std::os::unix::fs::fchown(f, Some(old.uid()), Some(old.gid()));
    }
    f.set_permissions(old.permissions())
}

/// Makes a rename in `dir` durable (best effort: not every platform can sync a directory).
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}
