//! The `hir` command-line tool. Each subcommand lives in `hir::cli::<name>`.
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = hir::cli::Cli::parse();
    // The command runs on a worker of the CPU backend's pool, so every parallel op starts
    // on the calling worker and the others join it, instead of the main thread handing
    // each op to the pool and sleeping until it is done (two context switches per op:
    // ~20% of a one-thread decode step, measured with perf).
    match in_compute_pool(|| hir::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", error_chain(&e));
            ExitCode::FAILURE
        }
    }
}

/// Runs `job` on a thread pool of `RAYON_NUM_THREADS` threads (default: one per core), each
/// with the main thread's usual 8 MiB stack (parsers and templates recurse), and joins every
/// worker before returning.
///
/// The join matters: a worker that ran the command owns thread-local state of the libraries it
/// used (the Vulkan driver's, for `--backend wgpu`). Left running, it would tear that state
/// down while the main thread runs the process's exit handlers, which free the same driver:
/// lavapipe aborted with "double free or corruption" about once in a hundred runs.
fn in_compute_pool<T: Send>(job: impl FnOnce() -> anyhow::Result<T> + Send) -> anyhow::Result<T> {
    let workers = std::sync::Mutex::new(Vec::new());
    let pool = rayon::ThreadPoolBuilder::new()
        .spawn_handler(|thread| {
            let handle = std::thread::Builder::new()
                .name(format!("hir-{}", thread.index()))
                .stack_size(8 << 20)
                .spawn(|| thread.run())?;
            workers
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(handle);
            Ok(())
        })
        .build();
    let result = match pool {
        Ok(pool) => {
            let result = pool.install(job);
            // Tells the workers to stop once idle; `join` below waits until each has exited.
            drop(pool);
            result
        }
        Err(e) => Err(anyhow::anyhow!("could not start the CPU threads: {e}")),
    };
    // A failed build has already told the workers it started to stop. `join` returns once a
    // worker has exited, its thread-local destructors included.
    for handle in workers.into_inner().unwrap_or_else(|e| e.into_inner()) {
        let _ = handle.join();
    }
    result
}

/// The error and its causes joined by ": ", skipping a cause whose text the message before it
/// already ends with (typed errors often print their source, which is also their `source()`).
fn error_chain(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}
