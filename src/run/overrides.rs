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
    }
    let text = toml::to_string(&table)?;
    let out: TrainerConfig =
        toml::from_str(&text).context("--set: a value has the wrong type for its field")?;
    out.validate()?;
    Ok(out)
}

/// Reads a trainer configuration from a `.toml` or `.json` file.
pub fn load_config_file(path: &std::path::Path) -> Result<TrainerConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config `{}`", path.display()))?;
    let config: TrainerConfig = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text)
            .with_context(|| format!("`{}`: not a trainer configuration", path.display()))?
    } else {
        toml::from_str(&text)
            .with_context(|| format!("`{}`: not a trainer configuration", path.display()))?
    };
    config
        .validate()
        .with_context(|| format!("`{}`", path.display()))?;
    Ok(config)
}
