//! `metrics.jsonl`: one JSON object per step in verl's file-logger shape.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::io::model::write_atomic;

/// One line of `metrics.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricsLine {
    /// The step (1-based).
    pub step: u64,
    /// Seconds since the run started (accumulated over resumed sessions).
    pub elapsed_seconds: f64,
    /// Metric name → value.
    pub data: BTreeMap<String, f64>,
}

/// Reads every line of a metrics file (an absent file is empty).
pub fn read_metrics(path: &Path) -> Result<Vec<MetricsLine>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = crate::io::input_file::read_text(
        path,
        "a metrics log",
        crate::io::input_file::MAX_JSONL_BYTES,
    )?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).with_context(|| {
                format!(
                    "`{}` line {}: expected {{\"step\", \"elapsed_seconds\", \"data\"}}",
                    path.display(),
                    i + 1
                )
            })
        })
        .collect()
}

/// Appends lines to `metrics.jsonl`, rewriting the file atomically each time (files are
/// small: one line per step).
pub struct MetricsLog {
    path: PathBuf,
    lines: Vec<MetricsLine>,
}

impl MetricsLog {
    /// Opens `path`, keeping only the lines with `step ≤ keep_through` (what a checkpoint
    /// covers).
    pub fn open(path: &Path, keep_through: u64) -> Result<Self> {
        Self::from_lines(path, read_metrics(path)?, keep_through)
    }

    /// Like [`MetricsLog::open`], with the file's lines already read (by [`read_metrics`]).
    pub fn from_lines(path: &Path, mut lines: Vec<MetricsLine>, keep_through: u64) -> Result<Self> {
        lines.retain(|l| l.step <= keep_through);
        let log = Self {
            path: path.to_path_buf(),
            lines,
        };
        log.flush()?;
        Ok(log)
    }

    /// The lines so far.
    pub fn lines(&self) -> &[MetricsLine] {
        &self.lines
    }

    /// Adds a line and writes the file.
    pub fn push(&mut self, line: MetricsLine) -> Result<()> {
        self.lines.push(line);
        self.flush()
    }

    fn flush(&self) -> Result<()> {
        let mut text = String::new();
        for l in &self.lines {
            text.push_str(&serde_json::to_string(l)?);
            text.push('\n');
        }
        super::interrupt::critical(|| write_atomic(&self.path, text.as_bytes()))?;
        Ok(())
    }
}
