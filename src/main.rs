//! The `hir` command-line tool. Each subcommand lives in `hir::cli::<name>`.
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = hir::cli::Cli::parse();
    match hir::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", error_chain(&e));
            ExitCode::FAILURE
        }
    }
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
