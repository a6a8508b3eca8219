//! [`TokenizerConfig`]: what the trainer needs from a Hugging Face tokenizer directory's
//! `tokenizer_config.json` (and `chat_template.jinja`).

use super::TokenizerError;
use serde_json::Value;
use std::path::Path;

/// The chat template and special-token strings of a Hugging Face tokenizer directory.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TokenizerConfig {
    /// The Jinja chat template: `chat_template.jinja` when present, else `chat_template` of
    /// `tokenizer_config.json` (a string, or the entry named `"default"` of a list of
    /// `{name, template}`).
    pub chat_template: Option<String>,
    /// Where [`chat_template`](Self::chat_template) came from (file and key), for messages.
    pub chat_template_origin: String,
    /// `bos_token` (a string or an `{"content": ...}` object in the file).
    pub bos_token: Option<String>,
    /// `eos_token` (a string or an `{"content": ...}` object in the file).
    pub eos_token: Option<String>,
}

impl TokenizerConfig {
    /// Parses `tokenizer_config.json` text; `path` names the file in errors.
    pub fn from_json(text: &str, path: &Path) -> Result<Self, TokenizerError> {
        let err = |detail: String| TokenizerError::Config {
            path: path.to_path_buf(),
            detail,
        };
        let v: Value = serde_json::from_str(text).map_err(|e| err(format!("not JSON: {e}")))?;
        let obj = v
            .as_object()
            .ok_or_else(|| err("expected a JSON object".into()))?;
        let token = |key: &str| -> Result<Option<String>, TokenizerError> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(Value::Object(o)) => match o.get("content") {
                    Some(Value::String(s)) => Ok(Some(s.clone())),
                    _ => Err(err(format!(
                        "`{key}` is an object without a string `content`"
                    ))),
                },
                Some(_) => Err(err(format!(
                    "`{key}` must be a string or an object with `content`"
                ))),
            }
        };
        let mut origin = format!("{}: chat_template", path.display());
        let chat_template = match obj.get("chat_template") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Array(list)) => {
                let mut found = None;
                for (i, entry) in list.iter().enumerate() {
                    let name = entry.get("name").and_then(Value::as_str);
                    let template = entry.get("template").and_then(Value::as_str);
                    match (name, template) {
                        (Some("default"), Some(t)) => found = Some(t.to_string()),
                        (Some(_), Some(_)) => {}
                        _ => {
                            return Err(err(format!(
                                "chat_template[{i}] must be an object with string `name` and \
                                 `template`"
                            )))
                        }
                    }
                }
                if found.is_none() {
                    return Err(err(
                        "chat_template is a list of named templates without one named `default`"
                            .into(),
                    ));
                }
                origin.push_str("[default]");
                found
            }
            Some(_) => {
                return Err(err(
                    "chat_template must be a string or a list of {name, template}".into(),
                ))
            }
        };
        Ok(Self {
            chat_template,
            chat_template_origin: origin,
            bos_token: token("bos_token")?,
            eos_token: token("eos_token")?,
        })
    }

    /// The `tokenizer_config.json` text of this configuration (`chat_template`, `bos_token`,
    /// `eos_token`; absent ones are left out), which [`from_json`](Self::from_json) reads back.
    pub fn to_json(&self) -> String {
        let mut obj = serde_json::Map::new();
        if let Some(t) = &self.chat_template {
            obj.insert("chat_template".into(), Value::String(t.clone()));
        }
        if let Some(t) = &self.bos_token {
            obj.insert("bos_token".into(), Value::String(t.clone()));
        }
        if let Some(t) = &self.eos_token {
            obj.insert("eos_token".into(), Value::String(t.clone()));
        }
        let mut text = Value::Object(obj).to_string();
        text.push('\n');
        text
    }

    /// Reads `dir/tokenizer_config.json` (absent: no template, no tokens) and
    /// `dir/chat_template.jinja` (which, when present, is the template, as in transformers).
    pub fn from_dir(dir: &Path) -> Result<Self, TokenizerError> {
        let config_path = dir.join("tokenizer_config.json");
        let mut config = match read_optional(&config_path)? {
            Some(text) => Self::from_json(&text, &config_path)?,
            None => Self::default(),
        };
        let jinja_path = dir.join("chat_template.jinja");
        if let Some(text) = read_optional(&jinja_path)? {
            config.chat_template = Some(text);
            config.chat_template_origin = jinja_path.display().to_string();
        }
        Ok(config)
    }
}

/// The text of `path`, or `None` when it does not exist.
fn read_optional(path: &Path) -> Result<Option<String>, TokenizerError> {
    if !path.exists() && !path.is_symlink() {
        return Ok(None);
    }
    crate::io::input_file::read_text(
        path,
        "a tokenizer file",
        crate::io::input_file::MAX_TOKENIZER_BYTES,
    )
    .map(Some)
    .map_err(|e| TokenizerError::Input(Box::new(e)))
}
