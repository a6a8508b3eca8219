//! `hir eval`: scoring responses exactly as the official IFEval / IFBench tools do.
//!
//! Prompts and responses are read from the official JSONL files and paired by prompt text;
//! each prompt's instructions are built by the [`hir_core::constraint::registry`] and checked
//! strictly and loosely; results are written as the official `eval_results_strict.jsonl` and
//! `eval_results_loose.jsonl`, and the official report is produced.

pub mod benchmarks;
pub mod dumps;
pub mod error;
pub mod input;
pub mod report;
pub mod responses;
pub mod score;
pub mod write;

pub use error::EvalError;
pub use hir_core::constraint::registry::Suite;
pub use report::Accuracy;
pub use score::{Mode, OutputExample};

use std::path::{Path, PathBuf};

/// The verdicts of one evaluation, in prompt-file order.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// Strict verdicts.
    pub strict: Vec<OutputExample>,
    /// Loose verdicts.
    pub loose: Vec<OutputExample>,
}

/// Scores the responses of `responses_path` against the prompts of `prompts_path`.
pub fn evaluate(
    suite: Suite,
    prompts_path: &Path,
    responses_path: &Path,
) -> Result<Evaluation, EvalError> {
    let inputs = input::read_prompt_list(prompts_path)?;
    let responses = input::read_prompt_to_response(responses_path)?;
    let mut strict = Vec::with_capacity(inputs.len());
    let mut loose = Vec::with_capacity(inputs.len());
    for inp in &inputs {
        let constraints = score::constraints(suite, inp, prompts_path)?;
        let response = responses.get(&inp.prompt).ok_or_else(|| {
            let mut prompt: String = inp.prompt.chars().take(120).collect();
            if prompt.len() < inp.prompt.len() {
                prompt.push('…');
            }
            EvalError::MissingResponse(Box::new(error::MissingResponse {
                responses: responses_path.to_path_buf(),
                prompts: prompts_path.to_path_buf(),
                line: inp.line,
                key: inp.key.to_string(),
                prompt,
            }))
        })?;
        strict.push(score::score(inp, &constraints, response, Mode::Strict));
        loose.push(score::score(inp, &constraints, response, Mode::Loose));
    }
    Ok(Evaluation { strict, loose })
}

/// The official output file names, per mode.
pub const OUTPUT_FILES: [(Mode, &str); 2] = [
    (Mode::Strict, "eval_results_strict.jsonl"),
    (Mode::Loose, "eval_results_loose.jsonl"),
];

impl Evaluation {
    /// The verdicts of `mode`.
    pub fn outputs(&self, mode: Mode) -> &[OutputExample] {
        match mode {
            Mode::Strict => &self.strict,
            Mode::Loose => &self.loose,
        }
    }

    /// Accuracy of `mode`.
    pub fn accuracy(&self, mode: Mode) -> Accuracy {
        report::accuracy(self.outputs(mode))
    }

    /// Writes both result files into `output_dir` (created if missing); returns their paths.
    pub fn write(&self, output_dir: &Path) -> Result<Vec<PathBuf>, EvalError> {
        std::fs::create_dir_all(output_dir).map_err(|source| EvalError::Io {
            path: output_dir.to_path_buf(),
            source,
        })?;
        let mut paths = Vec::new();
        for (mode, name) in OUTPUT_FILES {
            let path = output_dir.join(name);
            let lines: Vec<String> = self.outputs(mode).iter().map(dumps::output_line).collect();
            write::write_lines_atomic(&path, &lines)?;
            paths.push(path);
        }
        Ok(paths)
    }

    /// The text the official tool prints after writing the files in `output_dir`: for each
    /// mode a rule, the file name and `print_report`, then a summary of the four headline
    /// numbers.
    pub fn report(&self, output_dir: &Path) -> String {
        let mut s = String::new();
        for (mode, name) in OUTPUT_FILES {
            s.push_str(&"=".repeat(64));
            s.push('\n');
            s.push_str(&format!(
                "{} Accuracy Scores:\n",
                output_dir.join(name).display()
            ));
            s.push_str(&report::print_report(self.outputs(mode)));
        }
        let (st, lo) = (self.accuracy(Mode::Strict), self.accuracy(Mode::Loose));
        s.push_str(&"=".repeat(64));
        s.push('\n');
        s.push_str(&format!(
            "prompt-level strict: {:.4}  loose: {:.4}\ninstruction-level strict: {:.4}  loose: {:.4}\n",
            st.prompt_level, lo.prompt_level, st.instruction_level, lo.instruction_level
        ));
        s
    }
}
