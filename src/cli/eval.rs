//! `hir eval ifeval|ifbench`: score responses like the official tools do, or (with `--model`)
//! generate them first.

use crate::backend_choice::BackendChoice;
use crate::eval::benchmarks::{prompt_file, prompt_file_name};
use crate::eval::input::parse_prompt_line;
use crate::eval::responses::{generate_responses, write_responses, ResponseOptions};
use crate::eval::{evaluate, EvalError, Suite};
use crate::io::data::PromptLimit;
use crate::io::input_file::JsonlLines;
use crate::io::model::write_atomic;
use crate::io::pretrained::InferenceModel;
use crate::io::weights::WeightDtype;
use anyhow::Context;
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

/// Flags shared by both suites (the official tools' names, plus the generation flags).
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The prompts: JSONL with `key`, `prompt`, `instruction_id_list`, `kwargs` (default with
    /// `--model`: the benchmark's own prompt file, built in); `-` reads standard input.
    #[arg(long = "input_data", required_unless_present = "model")]
    pub input_data: Option<PathBuf>,
    /// The responses: JSONL with `prompt`, `response` (not with `--model`, which writes
    /// `<output_dir>/input_response_data.jsonl`); `-` reads standard input.
    #[arg(
        long = "input_response_data",
        required_unless_present = "model",
        conflicts_with = "model"
    )]
    pub input_response_data: Option<PathBuf>,
    /// Where `eval_results_strict.jsonl` and `eval_results_loose.jsonl` are written.
    #[arg(long = "output_dir", visible_alias = "output-dir", value_name = "DIR")]
    pub output_dir: PathBuf,
    /// Generate the responses with this model (a GGUF file or a Hugging Face directory),
    /// each prompt as one user turn of its chat template.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// With `--model`: answer only the first N prompts.
    #[arg(long, requires = "model", conflicts_with = "input_response_data")]
    pub limit: Option<usize>,
    /// With `--model`: sampling temperature (0 = greedy).
    #[arg(
        long,
        default_value_t = 0.0,
        requires = "model",
        conflicts_with = "input_response_data",
        allow_negative_numbers = true
    )]
    pub temperature: f32,
    /// With `--model`: most new tokens per response.
    #[arg(
        long,
        default_value_t = 512,
        requires = "model",
        conflicts_with = "input_response_data"
    )]
    pub max_tokens: usize,
    /// With `--model`: prompts generated together.
    #[arg(
        long,
        default_value_t = 8,
        requires = "model",
        conflicts_with = "input_response_data"
    )]
    pub batch: usize,
    /// With `--model`: a system message (default: the chat template's own behaviour).
    #[arg(long, requires = "model", conflicts_with = "input_response_data")]
    pub system: Option<String>,
    /// With `--model`: sampler seed.
    #[arg(
        long,
        default_value_t = 0,
        requires = "model",
        conflicts_with = "input_response_data"
    )]
    pub seed: u64,
    /// With `--model`: compute backend.
    #[arg(
        long,
        value_enum,
        default_value_t,
        requires = "model",
        conflicts_with = "input_response_data"
    )]
    pub backend: BackendChoice,
    /// With `--model`: how the 2-D weights are held (`auto` keeps a GGUF file's blocks,
    /// Hugging Face weights stay f32; `f32` dequantizes everything; `bf16`/`f16` convert on
    /// load).
    #[arg(
        long,
        value_enum,
        default_value_t,
        requires = "model",
        conflicts_with = "input_response_data"
    )]
    pub dtype: WeightDtype,
    /// With `--model`: a PEFT LoRA adapter directory (adapter_config.json +
    /// adapter_model.safetensors) applied to the model.
    #[arg(
        long,
        value_name = "DIR",
        requires = "model",
        conflicts_with = "input_response_data"
    )]
    pub adapter: Option<PathBuf>,
}

/// Runs `hir eval`: (generates,) scores, writes both result files, prints the official report.
pub fn run(cmd: EvalCommand) -> anyhow::Result<()> {
    let (suite, args) = match cmd {
        EvalCommand::Ifeval(a) => (Suite::IfEval, a),
        EvalCommand::Ifbench(a) => (Suite::IfBench, a),
    };
    let (prompts_path, responses_path) = match &args.model {
        Some(model) => answer_prompts(suite, &args, model)?,
        None => match (&args.input_data, &args.input_response_data) {
            (Some(p), Some(r)) => {
                anyhow::ensure!(
                    !(crate::io::input_file::is_stdio(p) && crate::io::input_file::is_stdio(r)),
                    "--input_data and --input_response_data are both `-`: standard input can \
                     carry only one of them; pass the other as a file"
                );
                (p.clone(), r.clone())
            }
            _ => {
                anyhow::bail!("--input_data and --input_response_data are required without --model")
            }
        },
    };
    let evaluation = evaluate(suite, &prompts_path, &responses_path)?;
    evaluation.write(&args.output_dir)?;
    print!("{}", evaluation.report(&args.output_dir));
    Ok(())
}

/// Writes `<output_dir>/<prompt file>` (the prompts answered, `--limit` applied) and
/// `<output_dir>/input_response_data.jsonl`; returns both paths.
fn answer_prompts(
    suite: Suite,
    args: &EvalArgs,
    model_path: &std::path::Path,
) -> anyhow::Result<(PathBuf, PathBuf)> {
    // `hir eval` has no --top-p: it samples from the whole distribution.
    super::generate::check_sampling(args.temperature, 1.0)?;
    anyhow::ensure!(args.batch > 0, "--batch must be at least 1");
    // The model (and adapter) first: a bad --model must not leave files in the output
    // directory.
    let pre = InferenceModel::load(model_path, args.dtype)?;
    let adapter = super::adapter_flag::load(args.adapter.as_deref(), &pre.weights.config)?;
    // The prompts answered, with their line numbers in the file they came from: streamed,
    // stopping after `--limit` rows.
    let builtin;
    let (origin, raw_lines): (PathBuf, Vec<(usize, String)>) = match &args.input_data {
        Some(p) => {
            let mut rows = Vec::new();
            let input = |source| EvalError::Input {
                flag: "--input_data",
                source,
            };
            for line in JsonlLines::open(p, "--input_data").map_err(input)? {
                if args.limit.is_some_and(|n| rows.len() >= n) {
                    break;
                }
                let (n, raw) = line.map_err(input)?;
                if !raw.trim().is_empty() {
                    rows.push((n, raw));
                }
            }
            (p.clone(), rows)
        }
        None => {
            builtin = prompt_file(suite);
            let rows = builtin
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .take(args.limit.unwrap_or(usize::MAX))
                .map(|(i, l)| (i + 1, l.to_string()))
                .collect();
            (PathBuf::from(prompt_file_name(suite)), rows)
        }
    };
    // Parse through the scorer's own reader, so a bad prompt file fails before generating,
    // and refuse a prompt that cannot fit the model's context before tokenizing it.
    let limit = PromptLimit::new(
        &pre.codec,
        pre.weights.config.max_position_embeddings,
        "the model's context, max_position_embeddings",
    );
    let mut prompts = Vec::with_capacity(raw_lines.len());
    for (n, raw) in &raw_lines {
        if let Some(ex) = parse_prompt_line(&origin, *n, raw)? {
            if let Some(limit) = &limit {
                limit
                    .check("field `prompt`", &ex.prompt)
                    .map_err(|message| EvalError::Malformed {
                        path: origin.clone(),
                        line: *n,
                        message,
                    })?;
            }
            prompts.push(ex.prompt);
        }
    }
    anyhow::ensure!(
        !prompts.is_empty(),
        "{}: no prompts to answer (expected one JSON object per line)",
        origin.display()
    );
    std::fs::create_dir_all(&args.output_dir)
        .with_context(|| format!("cannot create `{}`", args.output_dir.display()))?;
    let prompts_path = args.output_dir.join(prompt_file_name(suite));
    let mut subset = raw_lines
        .iter()
        .map(|(_, l)| l.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    subset.push('\n');
    write_atomic(&prompts_path, subset.as_bytes())?;
    let codec = pre.codec.clone().with_system(args.system.clone());
    let opts = ResponseOptions {
        max_new_tokens: args.max_tokens,
        temperature: args.temperature,
        top_p: 1.0,
        batch: args.batch,
        seed: args.seed,
        progress: true,
    };
    let t = std::time::Instant::now();
    let responses = crate::with_backend!(args.backend, |b| {
        let mut model = pre.weights.to_model(&b)?;
        super::adapter_flag::attach(&b, &mut model, adapter.as_ref())?;
        generate_responses(&b, &model, &codec, &prompts, &opts)?
    });
    let responses_path = args.output_dir.join("input_response_data.jsonl");
    write_responses(&responses_path, &prompts, &responses)?;
    let with_adapter = match &args.adapter {
        Some(dir) => format!(" and adapter {}", dir.display()),
        None => String::new(),
    };
    eprintln!(
        "answered {} prompts with {}{with_adapter} in {:.0} s; wrote {}",
        prompts.len(),
        model_path.display(),
        t.elapsed().as_secs_f64(),
        responses_path.display()
    );
    Ok((prompts_path, responses_path))
}
