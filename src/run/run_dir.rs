//! Where a new run may go: a directory that does not exist yet, or an empty one. Anything else
//! (a file, a finished or interrupted run, a directory holding anything) is refused before a
//! single file is written, so `hir train --run-dir` never overwrites what is there.

use std::path::Path;

use anyhow::{bail, Context, Result};

/// Checks that `dir` can hold a new run: it does not exist, or it is an empty directory.
pub fn check_new_run_dir(dir: &Path) -> Result<()> {
    let d = dir.display();
    let meta = match std::fs::metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot inspect --run-dir `{d}`")),
    };
    if !meta.is_dir() {
        bail!("--run-dir `{d}` exists and is not a directory; choose another --run-dir");
    }
    if dir.join("config.toml").exists() || dir.join("checkpoint").exists() {
        bail!(
            "`{d}` already holds a run; pass `--resume {d}` to continue it or choose another \
             --run-dir"
        );
    }
    let mut entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list --run-dir `{d}`"))?;
    if let Some(entry) = entries.next() {
        let entry = entry.with_context(|| format!("cannot list --run-dir `{d}`"))?;
        bail!(
            "--run-dir `{d}` is not empty (it holds `{}`, among others perhaps); a new run \
             goes into a new or empty directory so that nothing there is overwritten: choose \
             another --run-dir, or pass `--resume DIR` to continue a run",
            entry.file_name().to_string_lossy()
        );
    }
    Ok(())
}
