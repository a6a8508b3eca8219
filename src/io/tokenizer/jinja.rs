//! [`JinjaTemplate`]: a real model's Jinja chat template, rendered the way Hugging Face
//! transformers renders it (`apply_chat_template`).
//!
//! transformers compiles templates with jinja2 (`trim_blocks`, `lstrip_blocks`, the
//! `loopcontrols` extension) and passes `messages`, `add_generation_prompt`, the special tokens
//! (`bos_token`, `eos_token`) and the functions `raise_exception(msg)` and `strftime_now(fmt)`.
//! This module does the same with minijinja, plus minijinja-contrib's Python string/list/dict
//! methods (`.strip()`, `.startswith()`, `.items()`, ...).
//!
//! Differences a template could notice: `strftime_now` formats a fixed date, 26 July 2024
//! 00:00:00 (Friday), so renders are reproducible; `tojson` is minijinja's (compact, HTML-safe
//! escapes) rather than Python's `json.dumps`.

use super::{ChatMessage, TokenizerError};
use minijinja::{context, Environment, Error, ErrorKind};
use std::sync::Arc;

/// The template's name inside the environment.
const NAME: &str = "chat_template";

/// A compiled Jinja chat template with the special-token strings it is rendered with.
#[derive(Clone)]
pub struct JinjaTemplate {
    source: String,
    origin: String,
    bos_token: String,
    eos_token: String,
    env: Arc<Environment<'static>>,
}

impl std::fmt::Debug for JinjaTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JinjaTemplate")
            .field("origin", &self.origin)
            .field("bos_token", &self.bos_token)
            .field("eos_token", &self.eos_token)
            .field("source_len", &self.source.len())
            .finish()
    }
}

impl PartialEq for JinjaTemplate {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
            && self.origin == other.origin
            && self.bos_token == other.bos_token
            && self.eos_token == other.eos_token
    }
}

impl JinjaTemplate {
    /// Compiles `source`; `origin` (file and key) names it in errors; `bos_token` and
    /// `eos_token` are the strings the template sees (empty when the model has none).
    pub fn new(
        source: &str,
        origin: &str,
        bos_token: &str,
        eos_token: &str,
    ) -> Result<Self, TokenizerError> {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_function("raise_exception", raise_exception);
        env.add_function("strftime_now", strftime_now);
        env.add_template_owned(NAME, source.to_string())
            .map_err(|e| template_error(origin, &e))?;
        Ok(Self {
            source: source.into(),
            origin: origin.into(),
            bos_token: bos_token.into(),
            eos_token: eos_token.into(),
            env: Arc::new(env),
        })
    }

    /// The Jinja source.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Where the template came from.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The `bos_token` string the template sees.
    pub fn bos_token(&self) -> &str {
        &self.bos_token
    }

    /// The `eos_token` string the template sees.
    pub fn eos_token(&self) -> &str {
        &self.eos_token
    }

    /// Renders `messages` (with the generation prompt when `add_generation_prompt`); a
    /// `raise_exception` call or any other template error is an error naming the origin.
    pub fn render(
        &self,
        messages: &[ChatMessage],
        add_generation_prompt: bool,
    ) -> Result<String, TokenizerError> {
        let tmpl = self
            .env
            .get_template(NAME)
            .map_err(|e| template_error(&self.origin, &e))?;
        tmpl.render(context! {
            messages => messages,
            add_generation_prompt => add_generation_prompt,
            bos_token => self.bos_token,
            eos_token => self.eos_token,
        })
        .map_err(|e| template_error(&self.origin, &e))
    }
}

/// A minijinja error as a [`TokenizerError::Template`], with its detail and location.
fn template_error(origin: &str, e: &Error) -> TokenizerError {
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail.push_str(&format!(": {s}"));
        source = s.source();
    }
    TokenizerError::Template {
        origin: origin.into(),
        detail,
    }
}

/// `raise_exception(msg)`: the template refuses its input (e.g. roles that do not alternate).
fn raise_exception(msg: String) -> Result<String, Error> {
    Err(Error::new(
        ErrorKind::InvalidOperation,
        format!("template raised an exception: {msg}"),
    ))
}

/// `strftime_now(fmt)` for the fixed date Friday 26 July 2024, 00:00:00 (reproducible
/// renders; Llama 3.1's templates use the same date as their default). Supports `%Y %y %m %d
/// %e %B %b %h %A %a %H %I %M %S %p %j %%`; other directives are kept literally.
fn strftime_now(fmt: String) -> String {
    let mut out = String::new();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('Y') => out.push_str("2024"),
            Some('y') => out.push_str("24"),
            Some('m') => out.push_str("07"),
            Some('d') => out.push_str("26"),
            Some('e') => out.push_str("26"),
            Some('B') => out.push_str("July"),
            Some('b') | Some('h') => out.push_str("Jul"),
            Some('A') => out.push_str("Friday"),
            Some('a') => out.push_str("Fri"),
            Some('H') | Some('M') | Some('S') => out.push_str("00"),
            Some('I') => out.push_str("12"),
            Some('p') => out.push_str("AM"),
            Some('j') => out.push_str("208"),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strftime_now_formats_the_fixed_date() {
        assert_eq!(strftime_now("%d %b %Y".into()), "26 Jul 2024");
        assert_eq!(
            strftime_now("%A %B %e, %H:%M %%".into()),
            "Friday July 26, 00:00 %"
        );
    }
}
