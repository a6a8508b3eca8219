//! The benchmarks' own prompt files, compiled into the binary so that
//! `hir eval ifeval --model M` needs no download: IFEval's 541 prompts
//! (google-research `instruction_following_eval/data/input_data.jsonl`, Apache-2.0) and
//! IFBench's 294 test prompts (allenai/IFBench `data/IFBench_test.jsonl`, Apache-2.0, stored
//! gzipped). They are the same files the oracle tests read (`tests/data/`, with their
//! READMEs).

use super::Suite;
use std::io::Read;

const IFEVAL: &[u8] = include_bytes!("../../tests/data/ifeval/input_data.jsonl");
const IFBENCH_GZ: &[u8] = include_bytes!("../../tests/data/ifbench/IFBench_test.jsonl.gz");

/// The official prompt file of `suite` (JSONL text).
pub fn prompt_file(suite: Suite) -> String {
    match suite {
        Suite::IfEval => String::from_utf8_lossy(IFEVAL).into_owned(),
        Suite::IfBench => {
            let mut text = String::new();
            // The embedded archive is fixed at build time and checked by a test.
            flate2::read::GzDecoder::new(IFBENCH_GZ)
                .read_to_string(&mut text)
                .map(|_| text)
                .unwrap_or_default()
        }
    }
}

/// The file name the official tools give the prompt file of `suite`.
pub fn prompt_file_name(suite: Suite) -> &'static str {
    match suite {
        Suite::IfEval => "input_data.jsonl",
        Suite::IfBench => "IFBench_test.jsonl",
    }
}
