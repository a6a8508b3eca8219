//! `hir ids ifeval|ifbench`: the instruction ids a benchmark's verifiers know, one per line.

use clap::{Args, ValueEnum};
use hir_core::constraint::registry::{ids, Suite};

/// Which benchmark's ids to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SuiteArg {
    /// IFEval (google-research `instruction_following_eval`).
    Ifeval,
    /// IFBench (allenai/IFBench at commit 8a66c06).
    Ifbench,
}

/// Flags of `hir ids`.
#[derive(Debug, Args)]
pub struct IdsArgs {
    /// The benchmark.
    #[arg(value_enum)]
    pub suite: SuiteArg,
}

/// Runs `hir ids`: prints every id of the suite, one per line, in the registry's order.
pub fn run(args: IdsArgs) -> anyhow::Result<()> {
    let suite = match args.suite {
        SuiteArg::Ifeval => Suite::IfEval,
        SuiteArg::Ifbench => Suite::IfBench,
    };
    let mut text = String::new();
    for id in ids(suite) {
        text.push_str(id);
        text.push('\n');
    }
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| anyhow::anyhow!("cannot write to stdout: {e}"))
}
