//! Helpers shared by integration tests.
#![allow(dead_code)]

pub mod media;
pub mod refi;
pub mod tui;

use std::path::{Path, PathBuf};

/// The repository root, which is the bundled demo study.
pub fn demo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `thema -C root` for a test: no coder, no colour setting taken from the environment the
/// tests run in (a test that wants them sets them).
pub fn thema(root: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("thema").unwrap();
    cmd.arg("-C")
        .arg(root)
        .env_remove("THEMA_CODER")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("NO_COLOR");
    cmd
}

/// Copies a folder and everything in it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A private copy of the demo study (transcripts, codebooks, codings, memos, settings).
pub fn demo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = demo_root();
    for sub in ["transcripts", "codebooks", "codings", "memos"] {
        copy_dir(&root.join(sub), &dir.path().join(sub));
    }
    std::fs::copy(root.join("thema.json"), dir.path().join("thema.json")).unwrap();
    dir
}
