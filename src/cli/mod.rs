//! Command-line interface: argument definitions and dispatch. One file per subcommand.

use clap::{Parser, Subcommand};

mod adapter_flag;
pub mod bench;
pub mod bench_peak;
pub mod compare;
pub mod data;
pub mod eval;
pub mod forward;
pub mod generate;
pub mod ids;
pub mod merge;
pub mod replay;
pub mod train;
pub mod warmstart;
pub mod world;

/// hir: Hindsight instruction Replay for instruction following, on the CPU or any GPU.
#[derive(Debug, Parser)]
#[command(name = "hir", version, about)]
pub struct Cli {
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands of `hir`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fine-tune with Hindsight instruction Replay (no arguments: the built-in suite, end to end).
    Train(train::TrainArgs),
    /// HiR vs binary-reward baselines and selection ablations, same rollout budget, several seeds.
    Compare(compare::CompareArgs),
    /// Chat with a model (GGUF or Hugging Face directory): answers to one or more prompts.
    Generate(generate::GenerateArgs),
    /// Score responses with the IFEval / IFBench verifiers (drop-in for the official tools).
    #[command(subcommand)]
    Eval(eval::EvalCommand),
    /// Logits of a model for fixed token ids, written to a safetensors file.
    Forward(forward::ForwardArgs),
    /// Next-token loss and the gradient of every parameter, written to a safetensors file.
    Grad(forward::ForwardArgs),
    /// Merge a PEFT LoRA adapter into its base model, written as a Hugging Face directory.
    Merge(merge::MergeArgs),
    /// Throughput of a backend: matmul GFLOP/s, training-step or decode tokens/s.
    Bench(bench::BenchArgs),
    /// HiR's select-then-rewrite on JSONL rollout groups: which failures to replay, as what.
    Replay(replay::ReplayArgs),
    /// Training-data files: `hir data generate` writes IFEval-style training prompts.
    #[command(subcommand)]
    Data(data::DataCommand),
    /// List the instruction ids of IFEval or IFBench (one per line).
    Ids(ids::IdsArgs),
    /// Rebuild the built-in policy (tokenizer + tiny Llama + supervised warm start).
    Warmstart(warmstart::WarmStartArgs),
    /// Measure a built-in world's regime: warm-start greedy success, step-1 reward statistics.
    World(world::WorldArgs),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Train(args) => train::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Eval(cmd) => eval::run(cmd),
        Command::Forward(args) => forward::run_forward(args),
        Command::Grad(args) => forward::run_grad(args),
        Command::Merge(args) => merge::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Replay(args) => replay::run(args),
        Command::Data(cmd) => data::run(cmd),
        Command::Ids(args) => ids::run(args),
        Command::Warmstart(args) => warmstart::run(args),
        Command::World(args) => world::run(args),
    }
}
