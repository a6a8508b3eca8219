//! `hir eval ifeval|ifbench`: score responses like the official tools do.

use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Which benchmark to score.
#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// IFEval (25 instruction types).
    Ifeval(EvalArgs),
    /// IFBench (58 instruction types).
    Ifbench(EvalArgs),
}

/// Flags shared by both suites (the official tools' names).
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The prompts: JSONL with `key`, `prompt`, `instruction_id_list`, `kwargs`.
    #[arg(long = "input_data")]
    pub input_data: PathBuf,
    /// The responses: JSONL with `prompt`, `response`.
    #[arg(long = "input_response_data")]
    pub input_response_data: PathBuf,
    /// Where `eval_results_strict.jsonl` and `eval_results_loose.jsonl` are written.
    #[arg(long = "output_dir")]
    pub output_dir: PathBuf,
}

/// Runs `hir eval`.
pub fn run(cmd: EvalCommand) -> anyhow::Result<()> {
    let _ = cmd;
    anyhow::bail!("hir eval is being built (issue 3)")
}
