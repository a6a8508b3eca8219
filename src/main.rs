//! The `hir` command-line tool. Each subcommand lives in `hir::cli::<name>`.
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = hir::cli::Cli::parse();
    match hir::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
