//! Chat templates: how one user message becomes the text a model continues.

/// A chat template for a single user turn followed by the assistant's generation prompt.
///
/// Only ChatML is built in (what the built-in suite's tokenizer and SmolLM2/Qwen use). The enum
/// leaves room for a Jinja template read from a real model's `tokenizer_config.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChatTemplate {
    /// `<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n`; the turn ends with
    /// `<|im_end|>`.
    #[default]
    ChatMl,
}

impl ChatTemplate {
    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            ChatTemplate::ChatMl => "ChatML",
        }
    }

    /// The templated text of one user message with the generation prompt added.
    pub fn render_user(self, prompt: &str) -> String {
        match self {
            ChatTemplate::ChatMl => {
                format!("<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n")
            }
        }
    }

    /// Special tokens the template's text uses (they must be single tokens of the vocabulary).
    pub fn special_tokens(self) -> &'static [&'static str] {
        match self {
            ChatTemplate::ChatMl => &["<|im_start|>", "<|im_end|>"],
        }
    }

    /// The tokens that end an assistant turn, in order of preference (the first is appended by
    /// [`ChatCodec::encode_response`](hir_core::instruct::ChatCodec::encode_response)); the
    /// ones the vocabulary has are used, and the first must be present.
    pub fn stop_tokens(self) -> &'static [&'static str] {
        match self {
            ChatTemplate::ChatMl => &["<|im_end|>", "<|endoftext|>"],
        }
    }
}
