//! Advisory locks: one writing process per coder.
//!
//! A coder's process holds `.thema/locks/CODER.lock` while it writes that coder's file. A second
//! process for the same coder is refused with a message naming the coder; the lock disappears
//! with the process, so a crash never leaves a stale lock behind.

use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};

use crate::study::StudyError;

/// A held lock (of a coder, a codebook while it is written, or the index); released when
/// dropped.
#[derive(Debug)]
pub struct CoderLock {
    _file: File,
}

/// A held lock on the study's derived index; released when dropped.
pub type IndexLock = CoderLock;

/// Opens (creating it and its folder) the lock file `.thema/locks/{name}.lock`.
fn lock_file(root: &Path, name: &str) -> Result<(File, PathBuf), StudyError> {
    let path = root
        .join(".thema")
        .join("locks")
        .join(format!("{name}.lock"));
    let io = |source| StudyError::Io {
        path: path.clone(),
        source,
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io)?;
    }
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)?;
    Ok((file, path))
}

/// Opens a lock file and waits until this process holds it.
fn wait_for(root: &Path, name: &str) -> Result<CoderLock, StudyError> {
    let (file, path) = lock_file(root, name)?;
    file.lock()
        .map_err(|source| StudyError::Io { path, source })?;
    Ok(CoderLock { _file: file })
}

/// Takes the write lock of codebook `file` (its file stem), waiting while another process holds
/// it. A codebook's compare-with-disk, its write and its history line happen under this lock,
/// so two refinements in different processes can neither clobber each other nor interleave.
pub fn lock_codebook(root: &Path, file: &str) -> Result<CoderLock, StudyError> {
    wait_for(root, &format!("codebooks/{file}"))
}

/// Takes the lock of `coder` in the study at `root`, failing at once if another process holds it.
pub fn lock_coder(root: &Path, coder: &str) -> Result<CoderLock, StudyError> {
    let (file, path) = lock_file(root, coder)?;
    match file.try_lock() {
        Ok(()) => Ok(CoderLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(StudyError::Locked {
            coder: coder.to_string(),
        }),
        Err(TryLockError::Error(source)) => Err(StudyError::Io { path, source }),
    }
}

/// Waits for, then takes, the lock that serialises index builds and refreshes between processes
/// (two `thema` commands refreshing the same index at once would otherwise collide).
pub fn lock_index(root: &Path) -> Result<IndexLock, StudyError> {
    wait_for(root, "index")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_of_the_same_coder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock_coder(dir.path(), "r1").unwrap();
        assert!(matches!(
            lock_coder(dir.path(), "r1"),
            Err(StudyError::Locked { .. })
        ));
        let _other = lock_coder(dir.path(), "r2").unwrap();
        drop(first);
        assert!(lock_coder(dir.path(), "r1").is_ok());
    }
}
