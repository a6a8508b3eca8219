//! The writer behind every output file (`hir::io::model::write_atomic`) writes regular files
//! atomically but never replaces what the path is: a symbolic link stays a link (its target
//! gets the content), a device or FIFO is written through, a file keeps its permissions, and a
//! write error names the path.
//!
//! The device checks first use private device nodes made with `mknod` in a scratch directory
//! (when the tests run as root), and touch `/dev/null` and `/dev/full` only after the private
//! node behaved: a writer that replaced devices must not replace the system's.
#![cfg(unix)]

use hir::io::model::write_atomic;
use std::fs::Permissions;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A character device node `name` (major, minor) in `dir`, if this process may make one.
fn private_device(dir: &Path, name: &str, major: u32, minor: u32) -> Option<PathBuf> {
    let path = dir.join(name);
    let ok = Command::new("mknod")
        .arg(&path)
        .args(["c", &major.to_string(), &minor.to_string()])
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(path)
}

fn is_char_device(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .map(|m| m.file_type().is_char_device())
        .unwrap_or(false)
}

#[test]
fn a_symlink_stays_a_symlink_and_its_target_gets_the_content() {
    let tmp = tempfile::tempdir().unwrap();
    let real_dir = tmp.path().join("real");
    std::fs::create_dir(&real_dir).unwrap();
    let target = real_dir.join("out.json");
    std::fs::write(&target, b"old").unwrap();
    let link = tmp.path().join("link.json");
    std::os::unix::fs::symlink("real/out.json", &link).unwrap();
    write_atomic(&link, b"new content").unwrap();
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("real/out.json")
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"new content");
    // No temporary file left beside the link or the target.
    let names = |d: &Path| {
        std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&real_dir), ["out.json"]);

    // A dangling link creates its target.
    let dangling = tmp.path().join("dangling.json");
    std::os::unix::fs::symlink("real/new.json", &dangling).unwrap();
    write_atomic(&dangling, b"created").unwrap();
    assert!(std::fs::symlink_metadata(&dangling)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read(real_dir.join("new.json")).unwrap(),
        b"created"
    );
}

#[test]
fn a_file_keeps_its_permissions() {
    let tmp = tempfile::tempdir().unwrap();
    for mode in [0o600, 0o640, 0o755] {
        let f = tmp.path().join(format!("secret-{mode:o}"));
        std::fs::write(&f, b"old").unwrap();
        std::fs::set_permissions(&f, Permissions::from_mode(mode)).unwrap();
        write_atomic(&f, b"new").unwrap();
        let got = std::fs::metadata(&f).unwrap().permissions().mode() & 0o7777;
        assert_eq!(got, mode, "mode {mode:o} came back {got:o}");
        assert_eq!(std::fs::read(&f).unwrap(), b"new");
    }
}

#[test]
fn a_null_device_stays_a_device() {
    let tmp = tempfile::tempdir().unwrap();
    if let Some(null) = private_device(tmp.path(), "null", 1, 3) {
        write_atomic(&null, b"discarded").unwrap();
        assert!(
            is_char_device(&null),
            "{} was replaced by a regular file",
            null.display()
        );
    }
    write_atomic(Path::new("/dev/null"), b"discarded").unwrap();
    assert!(is_char_device(Path::new("/dev/null")));
}

#[test]
fn a_full_device_gives_an_error_naming_the_path() {
    let tmp = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    if let Some(full) = private_device(tmp.path(), "full", 1, 7) {
        paths.push(full);
    }
    paths.push(PathBuf::from("/dev/full"));
    for full in paths {
        let err = write_atomic(&full, b"no room")
            .expect_err("a write to a full device must fail")
            .to_string();
        assert!(
            err.contains(&format!("cannot write `{}`", full.display())),
            "{err}"
        );
        assert!(err.contains("No space left on device"), "{err}");
        assert!(is_char_device(&full), "{} was replaced", full.display());
    }
}

#[test]
fn a_fifo_with_a_reader_gets_the_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("pipe");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            std::fs::File::open(&fifo)
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap();
            bytes
        })
    };
    let payload: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    write_atomic(&fifo, &payload).unwrap();
    // Checked before waiting for the reader: had the FIFO been replaced, the reader would
    // wait for a writer forever.
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo(),
        "the FIFO was replaced by a regular file"
    );
    assert_eq!(reader.join().unwrap(), payload);
}

#[test]
fn a_directory_is_refused_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let err = write_atomic(tmp.path(), b"x").unwrap_err().to_string();
    assert!(
        err.contains(&format!("cannot write `{}`", tmp.path().display())),
        "{err}"
    );
    assert!(err.contains("directory"), "{err}");
}

/// The streaming form (`AtomicFile`, behind `hir data generate`): until `commit` the old file
/// is untouched; dropped without `commit`, no temporary file is left; through a symlink, the
/// committed content lands in the target and the link stays.
#[test]
fn a_streamed_file_appears_whole_on_commit_or_not_at_all() {
    use hir::io::model::AtomicFile;
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("rows.jsonl");
    std::fs::write(&target, b"old\n").unwrap();
    let link = tmp.path().join("link.jsonl");
    std::os::unix::fs::symlink(&target, &link).unwrap();

    let mut f = AtomicFile::create(&link).unwrap();
    f.write_all(b"new 1\n").unwrap();
    f.flush().unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"old\n");
    drop(f);
    assert_eq!(std::fs::read(&target).unwrap(), b"old\n");
    let names: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        names.len(),
        2,
        "a temporary file was left behind: {names:?}"
    );

    let mut f = AtomicFile::create(&link).unwrap();
    f.write_all(b"new 1\nnew 2\n").unwrap();
    f.commit().unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"new 1\nnew 2\n");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
}
