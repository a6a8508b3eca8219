//! Reading the files a user hands to `hir`: regular files only, never more than a stated number
//! of bytes, JSON Lines streamed one bounded line at a time.
//!
//! Every input path of the CLI (`--input`, `--data`, `--config`, `--input_data`, a model's
//! `config.json`, ...) goes through here, so that `/dev/zero`, a FIFO, a directory or a
//! multi-gigabyte file gives a clear error naming the path instead of exhausting memory or
//! hanging. The caps are generous for real files and are checked while reading (a file that
//! grows, or a `/proc` file that reports size 0, cannot slip past them).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Cap for small configuration files (`config.json`, trainer configs, index files, state files).
pub const MAX_CONFIG_BYTES: u64 = 16 << 20;
/// Cap for tokenizer files (`tokenizer.json` of large vocabularies is tens of MB).
pub const MAX_TOKENIZER_BYTES: u64 = 512 << 20;
/// Cap for a whole JSON Lines data file (prompts, responses, rollout groups).
pub const MAX_JSONL_BYTES: u64 = 4 << 30;
/// Cap for one line of a JSON Lines file.
pub const MAX_JSONL_LINE_BYTES: usize = 16 << 20;

/// An input file that cannot be read as asked.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The OS refused (missing file, permissions, ...).
    #[error("cannot read `{}`: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A directory, device, FIFO or socket where a regular file was expected.
    #[error("`{}` is {kind}, not a regular file; pass the path of a file", path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// What it is ("a directory", "a character device", ...).
        kind: &'static str,
    },
    /// The file is larger than this kind of input may be.
    #[error("`{}` is larger than {} bytes, the most {what} may hold; is it the right file?", path.display(), limit)]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// What the file was read as.
        what: &'static str,
        /// The cap in bytes.
        limit: u64,
    },
    /// One line of a JSON Lines file is longer than [`MAX_JSONL_LINE_BYTES`].
    #[error("{}:{line}: line longer than {limit} bytes; JSON Lines files hold one record per line", path.display())]
    LineTooLong {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The cap in bytes.
        limit: usize,
    },
    /// The content is not UTF-8.
    #[error("`{}`{}: not valid UTF-8 text", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// The 1-based line, for JSON Lines.
        line: Option<usize>,
    },
}

impl InputError {
    /// The path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            InputError::Io { path, .. }
            | InputError::NotRegular { path, .. }
            | InputError::TooLarge { path, .. }
            | InputError::LineTooLong { path, .. }
            | InputError::NotUtf8 { path, .. } => path,
        }
    }
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Whether `path` is `-`, which the JSON Lines readers ([`JsonlLines`]) and the output writer
/// take as standard input / standard output.
pub fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Opens `path` (following symlinks) if it is a regular file no larger than `limit` bytes.
///
/// The type is checked before opening, so a FIFO is never opened (opening one blocks until a
/// writer appears), and again on the open handle, in case the path changed in between.
pub fn open_regular(path: &Path, what: &'static str, limit: u64) -> Result<File, InputError> {
    let io = |source| InputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let check = |meta: &std::fs::Metadata| {
        if !meta.is_file() {
            return Err(InputError::NotRegular {
                path: path.to_path_buf(),
                kind: file_kind(meta),
            });
        }
        if meta.len() > limit {
            return Err(InputError::TooLarge {
                path: path.to_path_buf(),
                what,
                limit,
            });
        }
        Ok(())
    };
    check(&std::fs::metadata(path).map_err(io)?)?;
    let file = File::open(path).map_err(io)?;
    check(&file.metadata().map_err(io)?)?;
    Ok(file)
}

/// The bytes of an opened model file: memory-mapped, or read into memory when the file is too
/// small for a map to pay off.
pub enum FileBytes {
    /// A read-only memory map of the whole file.
    Mapped(memmap2::Mmap),
    /// The file's bytes (a small file, or bytes that never were a file).
    Owned(Vec<u8>),
}

impl FileBytes {
    /// The bytes of `file`, whose length is `len`: read when `len < map_from`, mapped
    /// otherwise. `file` should come from [`open_regular`].
    pub fn of(file: &File, len: u64, map_from: u64) -> std::io::Result<Self> {
        if len < map_from {
            let mut bytes = Vec::new();
            // At most `map_from` bytes even if the file grew since `len` was taken.
            file.take(map_from).read_to_end(&mut bytes)?;
            Ok(FileBytes::Owned(bytes))
        } else {
            // SAFETY: the map is read-only and private to this value. Like every loader that
            // maps model files (llama.cpp, safetensors), this assumes no other process
            // truncates or rewrites the file while it is open.
            Ok(FileBytes::Mapped(unsafe { memmap2::Mmap::map(file) }?))
        }
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(m) => m,
            FileBytes::Owned(v) => v,
        }
    }
}

/// Reads a regular file of at most `limit` bytes; `what` names the kind of input in errors
/// ("a trainer config").
pub fn read_bytes(path: &Path, what: &'static str, limit: u64) -> Result<Vec<u8>, InputError> {
    let file = open_regular(path, what, limit)?;
    let mut bytes = Vec::new();
    // One byte past the cap tells a file that grew after the check from one that fits.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| InputError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge {
            path: path.to_path_buf(),
            what,
            limit,
        });
    }
    Ok(bytes)
}

/// Reads a regular UTF-8 text file of at most `limit` bytes.
pub fn read_text(path: &Path, what: &'static str, limit: u64) -> Result<String, InputError> {
    String::from_utf8(read_bytes(path, what, limit)?).map_err(|_| InputError::NotUtf8 {
        path: path.to_path_buf(),
        line: None,
    })
}

/// The lines of a JSON Lines file, streamed: each at most [`MAX_JSONL_LINE_BYTES`], the file at
/// most [`MAX_JSONL_BYTES`]. Yields `(1-based line number, line without its newline)`,
/// blank lines included (readers skip them). The path `-` reads standard input (with the same
/// caps).
pub struct JsonlLines {
    path: PathBuf,
    reader: Box<dyn BufRead>,
    line: usize,
    max_line: usize,
    done: bool,
}

impl JsonlLines {
    /// Opens `path` for streaming; `what` names the kind of input in errors.
    pub fn open(path: &Path, what: &'static str) -> Result<Self, InputError> {
        if is_stdio(path) {
            return Ok(JsonlLines {
                path: path.to_path_buf(),
                reader: Box::new(std::io::stdin().lock().take(MAX_JSONL_BYTES)),
                line: 0,
                max_line: MAX_JSONL_LINE_BYTES,
                done: false,
            });
        }
        let file = open_regular(path, what, MAX_JSONL_BYTES)?;
        Ok(JsonlLines {
            path: path.to_path_buf(),
            reader: Box::new(BufReader::new(file.take(MAX_JSONL_BYTES))),
            line: 0,
            max_line: MAX_JSONL_LINE_BYTES,
            done: false,
        })
    }

    /// The same, with a smaller per-line cap (tests).
    pub fn with_max_line(mut self, max_line: usize) -> Self {
        self.max_line = max_line;
        self
    }

    fn next_line(&mut self) -> Result<Option<String>, InputError> {
        let mut buf = Vec::new();
        loop {
            let chunk = self.reader.fill_buf().map_err(|source| InputError::Io {
                path: self.path.clone(),
                source,
            })?;
            if chunk.is_empty() {
                if buf.is_empty() {
                    return Ok(None);
                }
                break;
            }
            let (take, end) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if buf.len() + take - usize::from(end) > self.max_line {
                return Err(InputError::LineTooLong {
                    path: self.path.clone(),
                    line: self.line,
                    limit: self.max_line,
                });
            }
            buf.extend_from_slice(&chunk[..take]);
            self.reader.consume(take);
            if end {
                break;
            }
        }
        if buf.last() == Some(&b'\n') {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
        }
        String::from_utf8(buf)
            .map(Some)
            .map_err(|_| InputError::NotUtf8 {
                path: self.path.clone(),
                line: Some(self.line),
            })
    }
}

impl Iterator for JsonlLines {
    type Item = Result<(usize, String), InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.line += 1;
        match self.next_line() {
            Ok(Some(l)) => Some(Ok((self.line, l))),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_devices_directories_and_large_files() {
        let e = read_text(Path::new("/dev/zero"), "a test file", 1 << 20).unwrap_err();
        assert!(
            matches!(
                e,
                InputError::NotRegular {
                    kind: "a character device",
                    ..
                }
            ),
            "{e}"
        );
        let dir = tempfile::tempdir().unwrap();
        let e = read_text(dir.path(), "a test file", 1 << 20).unwrap_err();
        assert!(
            matches!(
                e,
                InputError::NotRegular {
                    kind: "a directory",
                    ..
                }
            ),
            "{e}"
        );
        let f = dir.path().join("big.txt");
        std::fs::write(&f, vec![b'a'; 101]).unwrap();
        let e = read_text(&f, "a test file", 100).unwrap_err();
        assert!(matches!(e, InputError::TooLarge { limit: 100, .. }), "{e}");
        assert_eq!(read_text(&f, "a test file", 101).unwrap().len(), 101);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "mkfifo failed");
        let e = read_text(&fifo, "a test file", 100).unwrap_err();
        assert!(matches!(e, InputError::NotRegular { .. }), "{e}");
        let e = JsonlLines::open(&fifo, "a test file").err().unwrap();
        assert!(e.to_string().contains("FIFO"), "{e}");
    }

    #[test]
    fn jsonl_lines_are_streamed_and_capped() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.jsonl");
        std::fs::write(&f, "{\"a\":1}\r\n\n{\"b\":2}").unwrap();
        let lines: Vec<_> = JsonlLines::open(&f, "rows")
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(
            lines,
            vec![
                (1, "{\"a\":1}".to_string()),
                (2, String::new()),
                (3, "{\"b\":2}".to_string())
            ]
        );
        std::fs::write(&f, format!("{{}}\n{}\n", "x".repeat(50))).unwrap();
        let got: Vec<_> = JsonlLines::open(&f, "rows")
            .unwrap()
            .with_max_line(10)
            .collect();
        assert_eq!(got.len(), 2);
        let e = got[1].as_ref().unwrap_err();
        assert!(
            matches!(
                e,
                InputError::LineTooLong {
                    line: 2,
                    limit: 10,
                    ..
                }
            ),
            "{e}"
        );
        // Exactly at the cap (newline not counted) is accepted.
        std::fs::write(&f, format!("{}\n", "y".repeat(10))).unwrap();
        let got: Vec<_> = JsonlLines::open(&f, "rows")
            .unwrap()
            .with_max_line(10)
            .collect();
        assert_eq!(got.len(), 1);
        assert!(got[0].is_ok());
    }
}
