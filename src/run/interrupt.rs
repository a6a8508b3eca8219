//! SIGINT and SIGTERM during `hir train`: stop at once, never in the middle of a file swap, and
//! say how to continue.
//!
//! [`install`] starts a thread that waits for the signals. When one arrives it takes the lock
//! that [`critical`] sections hold (the renames that swap a checkpoint into place, the small
//! run files), so a swap or a file replacement always completes; a checkpoint still being
//! written into `checkpoint.partial/` is abandoned (the last whole checkpoint stays, and a
//! resume removes the unfinished one). It then prints which checkpoint the run can continue
//! from and the `hir train --resume DIR` command, and exits with 128 + the signal number (130
//! for SIGINT, 143 for SIGTERM), as a shell reports a process stopped by that signal.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What the signal thread reports: the run directory, once it exists, and the step of its
/// last whole checkpoint, if any.
#[derive(Debug, Default)]
struct RunState {
    run_dir: Option<PathBuf>,
    checkpoint_step: Option<u64>,
}

static STATE: Mutex<RunState> = Mutex::new(RunState {
    run_dir: None,
    checkpoint_step: None,
});

fn lock() -> std::sync::MutexGuard<'static, RunState> {
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f` with signals held off: a SIGINT or SIGTERM that arrives meanwhile takes effect
/// when `f` returns. For short file operations only (renames, small files).
pub fn critical<T>(f: impl FnOnce() -> T) -> T {
    let _guard = lock();
    f()
}

/// Records the run directory (once it is created) and the step of its last whole checkpoint
/// (`None`: none yet), for the message printed on a signal.
pub fn set_run(run_dir: &Path, checkpoint_step: Option<u64>) {
    let mut s = lock();
    s.run_dir = Some(run_dir.to_path_buf());
    s.checkpoint_step = checkpoint_step;
}

/// Records that a checkpoint of `step` is now whole on disk.
pub fn checkpoint_saved(step: u64) {
    lock().checkpoint_step = Some(step);
}

/// Starts the signal thread (once per process; later calls do nothing). On platforms without
/// Unix signals, Ctrl-C keeps its default effect.
pub fn install() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        use std::sync::OnceLock;
        static INSTALLED: OnceLock<()> = OnceLock::new();
        if INSTALLED.get().is_some() {
            return Ok(());
        }
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
        let _ = INSTALLED.set(());
        std::thread::Builder::new()
            .name("hir-signals".into())
            .spawn(move || {
                if let Some(sig) = signals.forever().next() {
                    let state = lock();
                    let name = if sig == SIGINT { "SIGINT" } else { "SIGTERM" };
                    eprintln!("\n{}", message(name, &state));
                    std::process::exit(128 + sig);
                }
            })?;
    }
    Ok(())
}

/// The line printed when a signal stops the run.
fn message(signal: &str, state: &RunState) -> String {
    match (&state.run_dir, state.checkpoint_step) {
        (None, _) => format!("interrupted ({signal}) before the run directory was created"),
        (Some(dir), None) => format!(
            "interrupted ({signal}) before the run's first checkpoint; there is nothing to \
             resume: start the run again (remove `{}` first, or choose another --run-dir)",
            dir.display()
        ),
        (Some(dir), Some(step)) => format!(
            "interrupted ({signal}); the run's last checkpoint is step {step} (a save in \
             progress, if any, was abandoned). Continue it with: hir train --resume {}",
            dir.display()
        ),
    }
}
