//! `combination:*`: two responses, and repeating the prompt before answering.

use crate::constraint::args::Args;
use crate::constraint::params::bad_arg;
use crate::constraint::{Constraint, ConstraintError, Kwargs};
use crate::text::python::strip;
use alloc::string::String;
use alloc::vec::Vec;
use serde_json::Value;

/// `combination:two_responses`: exactly two different non-blank responses separated by
/// `******` (blank parts allowed only first or last).
#[derive(Debug, Clone, Default)]
pub struct TwoResponses;

impl TwoResponses {
    /// The official id.
    pub const ID: &'static str = "combination:two_responses";
}

impl Constraint for TwoResponses {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        Kwargs::new()
    }
    fn describe(&self) -> String {
        "Give two different responses. Responses and only responses should be separated by 6 \
         asterisk symbols: ******."
            .into()
    }
    fn check(&self, response: &str) -> bool {
        let parts: Vec<&str> = response.split("******").collect();
        let last = parts.len() - 1;
        let mut valid = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            if strip(part).is_empty() {
                if i != 0 && i != last {
                    return false;
                }
            } else {
                valid.push(*part);
            }
        }
        valid.len() == 2 && strip(valid[0]) != strip(valid[1])
    }
}

/// `combination:repeat_prompt`: the response starts (case-insensitively, both stripped) with
/// `prompt_to_repeat`.
#[derive(Debug, Clone)]
pub struct RepeatPrompt {
    prompt_to_repeat: String,
    /// `prompt_to_repeat.strip().lower()`, precomputed.
    needle: String,
}

impl RepeatPrompt {
    /// The official id.
    pub const ID: &'static str = "combination:repeat_prompt";

    /// Builds from kwargs `prompt_to_repeat` (non-empty).
    pub fn from_args(args: &Args<'_>) -> Result<Self, ConstraintError> {
        let prompt_to_repeat = args.string("prompt_to_repeat")?;
        if prompt_to_repeat.is_empty() {
            return Err(bad_arg(
                Self::ID,
                "prompt_to_repeat",
                "a non-empty string",
                "\"\"",
            ));
        }
        let needle = strip(&prompt_to_repeat).to_lowercase();
        Ok(Self {
            prompt_to_repeat,
            needle,
        })
    }
}

impl Constraint for RepeatPrompt {
    fn id(&self) -> &str {
        Self::ID
    }
    fn kwargs(&self) -> Kwargs {
        let mut k = Kwargs::new();
        k.insert(
            "prompt_to_repeat".into(),
            Value::String(self.prompt_to_repeat.clone()),
        );
        k
    }
    fn describe(&self) -> String {
        "First repeat the request word for word without change, then give your answer (1. do \
         not say any words or characters before repeating the request; 2. the request you need \
         to repeat does not include this sentence)"
            .into()
    }
    fn check(&self, response: &str) -> bool {
        strip(response).to_lowercase().starts_with(&self.needle)
    }
}
