//! `hir data`: training-data files (the project's generated IFEval-style prompts).

use crate::io::data::generated::{write_jsonl, MAX_GENERATED_ROWS};
use crate::io::model::AtomicFile;
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
    /// Number of rows (at most 100000000).
    #[arg(long, default_value_t = 384)]
    pub count: u64,
    /// Seed of the draw.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output JSONL file (streamed to a temporary file renamed into place, so it appears whole
    /// or not at all; a device or FIFO is written directly; `-`: standard output).
    #[arg(long = "output", alias = "out", value_name = "FILE")]
    pub out: PathBuf,
}

/// Runs `hir data`.
pub fn run(cmd: DataCommand) -> anyhow::Result<()> {
    match cmd {
        DataCommand::Generate(a) => {
            anyhow::ensure!(
                a.count <= MAX_GENERATED_ROWS,
                "--count {} is more than {MAX_GENERATED_ROWS} rows, the most `hir data generate` \
                 writes (about 300 bytes each); generate several files with different --seed",
                a.count
            );
            // Rows stream to the file; it appears whole on success or not at all.
            // (The writer's own errors name the path; a failed row write is named here.)
            let mut out = AtomicFile::create(&a.out)?;
            write_jsonl(&mut out, a.count, a.seed)
                .with_context(|| format!("cannot write `{}`", a.out.display()))?;
            out.commit()?;
            eprintln!("wrote {} rows to {}", a.count, a.out.display());
            Ok(())
        }
    }
}
