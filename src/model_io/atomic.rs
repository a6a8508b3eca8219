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

use super::ModelIoError;
use std::fs::{File, Metadata, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Most symbolic links followed from an output path (Linux's own limit is 40).
const MAX_LINKS: usize = 40;

/// Writes `bytes` to `path`: atomically for regular files (through a temporary file in the
/// same directory and a rename), following symbolic links to the real file, and directly for
/// devices and FIFOs (see the module docs).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ModelIoError> {
    let err = |source| ModelIoError::Write {
        path: path.to_path_buf(),
        source,
    };
    // `metadata` follows links: this is what a write to `path` would reach.
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a directory; pass the path of a file",
        ))),
        Ok(meta) if !meta.is_file() => write_through(path, bytes).map_err(err),
        Ok(meta) => {
            replace_file(&resolve_links(path).map_err(err)?, bytes, Some(&meta)).map_err(err)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A dangling link is written where it points, which creates its target.
            replace_file(&resolve_links(path).map_err(err)?, bytes, None).map_err(err)
        }
        Err(e) => Err(err(e)),
    }
}

/// A device, FIFO or other non-regular file: opened for writing as it is and written in place.
fn write_through(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = OpenOptions::new().write(true).open(path)?;
    f.write_all(bytes)?;
    f.flush()
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

/// Replaces the regular file `path` (or creates it) through a temporary file and a rename;
/// `old` is the metadata of the file being replaced, whose permissions the new one keeps.
fn replace_file(path: &Path, bytes: &[u8], old: Option<&Metadata>) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        if let Some(old) = old {
            keep_owner_and_mode(&f, old)?;
        }
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        sync_dir(&dir);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
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
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}
