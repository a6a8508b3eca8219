//! Chat templates: how a conversation becomes the text a model continues.

use super::{JinjaTemplate, TokenizerError};
use serde::Serialize;

/// One message of a conversation, as chat templates see it (`message['role']`,
/// `message['content']`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatMessage {
    /// `"system"`, `"user"` or `"assistant"`.
    pub role: String,
    /// The message text.
    pub content: String,
}

impl ChatMessage {
    /// A message with `role` and `content`.
    pub fn new(role: &str, content: &str) -> Self {
        Self {
            role: role.into(),
            content: content.into(),
        }
    }
}

/// A chat template: the built-in ChatML, or a real model's Jinja template.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ChatTemplate {
    /// `<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n` (a system message, when
    /// given, comes first as `<|im_start|>system\n{system}<|im_end|>\n`); the turn ends with
    /// `<|im_end|>`.
    #[default]
    ChatMl,
    /// A Jinja template of a GGUF file or Hugging Face tokenizer directory.
    Jinja(JinjaTemplate),
}

impl ChatTemplate {
    /// A short name for messages (`"ChatML"`, or where the Jinja template came from).
    pub fn name(&self) -> &str {
        match self {
            ChatTemplate::ChatMl => "ChatML",
            ChatTemplate::Jinja(t) => t.origin(),
        }
    }

    /// The text of `messages`, followed by the assistant's generation prompt when
    /// `add_generation_prompt`.
    pub fn render(
        &self,
        messages: &[ChatMessage],
        add_generation_prompt: bool,
    ) -> Result<String, TokenizerError> {
        match self {
            ChatTemplate::ChatMl => {
                let mut out = String::new();
                for m in messages {
                    out.push_str(&format!(
                        "<|im_start|>{}\n{}<|im_end|>\n",
                        m.role, m.content
                    ));
                }
                if add_generation_prompt {
                    out.push_str("<|im_start|>assistant\n");
                }
                Ok(out)
            }
            ChatTemplate::Jinja(t) => t.render(messages, add_generation_prompt),
        }
    }

    /// The templated text of one user message (after an optional system message) with the
    /// generation prompt added. With no system message a Jinja template applies its own
    /// default (SmolLM2's inserts one).
    pub fn render_user(
        &self,
        system: Option<&str>,
        prompt: &str,
    ) -> Result<String, TokenizerError> {
        let mut messages = Vec::with_capacity(2);
        if let Some(s) = system {
            messages.push(ChatMessage::new("system", s));
        }
        messages.push(ChatMessage::new("user", prompt));
        self.render(&messages, true)
    }

    /// Special tokens the built-in template's text uses (they must be single tokens of the
    /// vocabulary); empty for a Jinja template (its tokens are found by rendering it).
    pub fn special_tokens(&self) -> &'static [&'static str] {
        match self {
            ChatTemplate::ChatMl => &["<|im_start|>", "<|im_end|>"],
            ChatTemplate::Jinja(_) => &[],
        }
    }

    /// The tokens that end an assistant turn of the built-in template, in order of preference
    /// (the first is appended by
    /// [`ChatCodec::encode_response`](hir_core::instruct::ChatCodec::encode_response)); the
    /// ones the vocabulary has are used, and the first must be present. Empty for a Jinja
    /// template (see [`HfChatCodec`](super::HfChatCodec) for how its stop tokens are found).
    pub fn stop_tokens(&self) -> &'static [&'static str] {
        match self {
            ChatTemplate::ChatMl => &["<|im_end|>", "<|endoftext|>"],
            ChatTemplate::Jinja(_) => &[],
        }
    }
}
