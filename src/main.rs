//! The `hir` command-line tool. Each subcommand lives in `hir::cli::<name>`.
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = hir::cli::Cli::parse();
    let result = match compute_pool() {
        // The command runs on a worker of the CPU backend's pool, so every parallel op starts
        // on the calling worker and the others join it, instead of the main thread handing
        // each op to the pool and sleeping until it is done (two context switches per op:
        // ~20% of a one-thread decode step, measured with perf).
        Ok(pool) => pool.install(|| hir::cli::run(cli)),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", error_chain(&e));
            ExitCode::FAILURE
        }
    }
}

/// The thread pool the command runs in: `RAYON_NUM_THREADS` threads (default: one per core),
/// each with the main thread's usual 8 MiB stack (parsers and templates recurse).
fn compute_pool() -> anyhow::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("hir-{i}"))
        .stack_size(8 << 20)
        .build()
        .map_err(|e| anyhow::anyhow!("could not start the CPU threads: {e}"))
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
