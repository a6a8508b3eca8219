//! Loads the NLTK goldens written by `verify/tests/data/nltk/make_golden.py`.

use std::io::{BufRead, BufReader};

use flate2::read::GzDecoder;
use serde_json::Value;

/// The JSON objects of one gzip'd JSONL golden file under `tests/data/nltk/`.
pub fn read_jsonl_gz(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/data/nltk/{name}", env!("CARGO_MANIFEST_DIR"));
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("open {path}: {e}"));
    BufReader::new(GzDecoder::new(file))
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let line = line.unwrap_or_else(|e| panic!("{path} line {}: {e}", i + 1));
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("{path} line {}: {e}", i + 1))
        })
        .collect()
}

/// The corpus texts, in golden-file order.
pub fn corpus() -> Vec<String> {
    read_jsonl_gz("corpus.jsonl.gz")
        .into_iter()
        .map(|v| {
            v["t"]
                .as_str()
                .expect("corpus row has a string `t`")
                .to_string()
        })
        .collect()
}

/// 64-bit FNV-1a over the items, each followed by a NUL byte (as `make_golden.py`'s `fnv`).
pub fn fnv<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for item in items {
        for &b in item.as_ref().as_bytes().iter().chain(std::iter::once(&0u8)) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3);
        }
    }
    format!("{h:016x}")
}
