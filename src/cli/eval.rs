//! `hir eval ifeval|ifbench`: score responses like the official tools do.

use crate::eval::{evaluate, Suite};
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

/// Runs `hir eval`: scores, writes both result files, prints the official report.
pub fn run(cmd: EvalCommand) -> anyhow::Result<()> {
    let (suite, args) = match cmd {
        EvalCommand::Ifeval(a) => (Suite::IfEval, a),
        EvalCommand::Ifbench(a) => (Suite::IfBench, a),
    };
    let evaluation = evaluate(suite, &args.input_data, &args.input_response_data)?;
    evaluation.write(&args.output_dir)?;
    print!("{}", evaluation.report(&args.output_dir));
    Ok(())
}
