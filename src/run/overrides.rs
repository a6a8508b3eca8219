//! `--set key=value` overrides of a trainer configuration (verl-style dotless keys), applied
//! through the serialized form so every field is reachable and type-checked by serde.

use anyhow::{bail, Context, Result};
use hir_core::train::TrainerConfig;

/// Applies `key=value` pairs; values are TOML (`0.1`, `true`, `"grpo"` or bare `grpo`).
pub fn apply_overrides(config: &TrainerConfig, sets: &[String]) -> Result<TrainerConfig> {
    let mut table: toml::Table = toml::Table::try_from(config)?;
    for s in sets {
        let Some((key, raw)) = s.split_once('=') else {
            bail!("--set `{s}`: expected key=value, e.g. --set kl_coef=0.01");
        };
        let key = key.trim();
        if !table.contains_key(key) {
            bail!("--set `{s}`: `{key}` is not a trainer config field");
        }
        let raw = raw.trim();
        let value: toml::Value = match toml::from_str::<toml::Table>(&format!("v = {raw}")) {
            Ok(mut t) => t.remove("v").unwrap_or(toml::Value::String(raw.into())),
            Err(_) => toml::Value::String(raw.into()),
        };
        table.insert(key.into(), value);
        if let Err(Unread::Refused(message)) = read(&table, key) {
            bail!(message);
        }
    }
    let text = toml::to_string(&table)?;
    let out: TrainerConfig =
        toml::from_str(&text).context("--set: a value has the wrong type for its field")?;
    out.validate()?;
    Ok(out)
}

/// Reads a trainer configuration file (`.toml`, or `.json`) as overrides of `base`, the
/// settings the command uses without a file: only the fields the file lists change. A key
/// that is not a trainer config field, a value of the wrong type, or a spelling that an
/// enumerated field does not accept is an error naming it.
pub fn load_config_file(path: &std::path::Path, base: &TrainerConfig) -> Result<TrainerConfig> {
    let p = path.display();
    let text = crate::io::input_file::read_text(
        path,
        "a trainer config",
        crate::io::input_file::MAX_CONFIG_BYTES,
    )?;
    // Both formats are read as a table of field → value, merged over `base` in TOML form
    // (which, unlike JSON, holds every value a field may have, `nan` included).
    let fields: toml::Table = if path.extension().is_some_and(|e| e == "json") {
        let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text)
            .with_context(|| {
                format!("`{p}`: not a trainer configuration (expected a JSON object of fields)")
            })?;
        let mut table = toml::Table::new();
        for (key, value) in object {
            let v = toml::Value::try_from(&value).map_err(|_| {
                anyhow::anyhow!("`{p}`: `{key}` is {value}, which no trainer config field holds")
            })?;
            table.insert(key, v);
        }
        table
    } else {
        toml::from_str(&text)
            .with_context(|| format!("`{p}`: not a trainer configuration (TOML)"))?
    };
    let mut merged: toml::Table = toml::Table::try_from(base)?;
    for (key, value) in fields {
        if !merged.contains_key(&key) {
            bail!(
                "`{p}`: `{key}` is not a trainer config field (fields are verl's names, e.g. \
                 `lr`, `kl_coef`, `train_batch_size`)"
            );
        }
        let shown = value.to_string();
        merged.insert(key.clone(), value);
        // One field at a time, so that a wrong type names its field.
        match read(&merged, &key) {
            Ok(_) => {}
            Err(Unread::Refused(message)) => bail!("`{p}`: {message}"),
            Err(Unread::WrongType(e)) => {
                return Err(anyhow::Error::new(e).context(format!(
                    "`{p}`: `{key} = {shown}` has the wrong type for `{key}`"
                )))
            }
        }
    }
    let config: TrainerConfig = toml::Value::Table(merged)
        .try_into()
        .with_context(|| format!("`{p}`: not a trainer configuration"))?;
    config.validate().with_context(|| format!("`{p}`"))?;
    Ok(config)
}

/// Why a table of fields is not a trainer configuration.
enum Unread {
    /// The enumerated field being set has a spelling it does not accept: the message (a
    /// [`hir_core::train::ConfigError`]'s) names the field, the value and every allowed
    /// spelling.
    Refused(String),
    /// Some value has the wrong type for its field.
    WrongType(toml::de::Error),
}

/// Reads `table` as a trainer configuration, telling a refused spelling of field `key` apart
/// from a value of the wrong type.
fn read(table: &toml::Table, key: &str) -> Result<TrainerConfig, Unread> {
    toml::Value::Table(table.clone())
        .try_into()
        .map_err(|e: toml::de::Error| {
            if e.message().starts_with(&format!("config field `{key}`: ")) {
                Unread::Refused(e.message().to_string())
            } else {
                Unread::WrongType(e)
            }
        })
}
