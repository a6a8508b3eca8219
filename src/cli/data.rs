//! `hir data`: training-data files (the project's generated IFEval-style prompts).

use crate::data::generated::generate_jsonl;
use crate::model_io::write_atomic;
use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Subcommands of `hir data`.
#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Write IFEval-style training prompts (writing tasks × IFEval constraints with drawn
    /// parameters, HIR style) as JSONL. `--count 384 --seed 0` is the committed default set.
    Generate(GenerateDataArgs),
}

/// Flags of `hir data generate`.
#[derive(Debug, Args)]
pub struct GenerateDataArgs {
    /// Number of rows.
    #[arg(long, default_value_t = 384)]
    pub count: usize,
    /// Seed of the draw.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output JSONL file (written atomically).
    #[arg(long = "output", alias = "out", value_name = "FILE")]
    pub out: PathBuf,
}

/// Runs `hir data`.
pub fn run(cmd: DataCommand) -> anyhow::Result<()> {
    match cmd {
        DataCommand::Generate(a) => {
            let text = generate_jsonl(a.count, a.seed);
            write_atomic(&a.out, text.as_bytes())
                .with_context(|| format!("writing `{}`", a.out.display()))?;
            eprintln!("wrote {} rows to {}", a.count, a.out.display());
            Ok(())
        }
    }
}
