//! `hir replay`: select-then-rewrite on a JSONL file of rollout groups (see [`crate::replay`]).

use crate::replay::{replay_file, ReplayError};
use clap::{Args, ValueEnum};
use hir_core::hindsight::{curriculum_lambda, Scope, SelectConfig};
use std::io::Write;
use std::path::PathBuf;

/// Where the top-k is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScopeArg {
    /// The top k of each prompt group (paper).
    Group,
    /// The top k·B over the whole batch of B groups (released code).
    Global,
}

/// Flags of `hir replay` (defaults: spec §2).
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Rollout groups, one JSON object per line: `{"id", "task", "layout", "constraints":
    /// [{"instruction_id", "kwargs", "text"?}], "responses": [{"text", "entropy"}]}`; `-` reads
    /// standard input.
    #[arg(long)]
    pub input: PathBuf,
    /// The training step s (from 1) of the curriculum λ_s = λ_0·(1+η)^s.
    #[arg(long)]
    pub step: u64,
    /// Responses to replay per group (global: k·B in all).
    #[arg(long, default_value_t = 2)]
    pub k: usize,
    /// Top-k per prompt group or over the whole batch.
    #[arg(long, value_enum, default_value_t = ScopeArg::Group)]
    pub scope: ScopeArg,
    /// The curriculum's λ_0.
    #[arg(long, default_value_t = 2.0, allow_negative_numbers = true)]
    pub lambda0: f64,
    /// The curriculum's η.
    #[arg(long, default_value_t = 0.05, allow_negative_numbers = true)]
    pub eta: f64,
    /// Where to write the JSONL output (default: stdout). Written whole or not at all.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// Runs `hir replay`: one JSON line per response on stdout or in `--output`, a summary on
/// stderr.
pub fn run(args: ReplayArgs) -> anyhow::Result<()> {
    let cfg = SelectConfig {
        k: args.k,
        scope: match args.scope {
            ScopeArg::Group => Scope::Group,
            ScopeArg::Global => Scope::Global,
        },
        lambda0: args.lambda0,
        eta: args.eta,
    };
    let out = replay_file(&args.input, args.step, &cfg)?;
    let mut text = String::new();
    for row in &out.rows {
        text.push_str(&row.to_json_line());
        text.push('\n');
    }
    match &args.output {
        Some(path) => crate::io::model::write_atomic(path, text.as_bytes())?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|source| ReplayError::Io {
                    path: "<stdout>".into(),
                    source,
                })?;
        }
    }
    eprintln!(
        "hir replay: {} groups, {} responses, {} selected (step {}, λ_s = {:.6}, k = {}, {:?} scope){}",
        out.groups,
        out.rows.len(),
        out.selected,
        args.step,
        curriculum_lambda(args.step, cfg.lambda0, cfg.eta),
        cfg.k,
        cfg.scope,
        if out.reverify_failures > 0 {
            format!(", {} dropped by re-verification", out.reverify_failures)
        } else {
            String::new()
        }
    );
    Ok(())
}
