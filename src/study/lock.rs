//! Advisory locks: one writing process per coder.
//!
//! A coder's process holds `.thema/locks/CODER.lock` while it writes that coder's file. A second
//! process for the same coder is refused with a message naming the coder; the lock disappears
//! with the process, so a crash never leaves a stale lock behind.

use std::fs::{self, File, TryLockError};
use std::path::Path;

use crate::study::StudyError;

/// A held lock (of a coder, or of a codebook while it is written); released when dropped.
#[derive(Debug)]
pub struct CoderLock {
    _file: File,
}

/// Takes the write lock of codebook `file` (its file stem), waiting while another process holds
/// it. A codebook's compare-with-disk, its write and its history line happen under this lock,
/// so two refinements in different processes can neither clobber each other nor interleave.
pub fn lock_codebook(root: &Path, file: &str) -> Result<CoderLock, StudyError> {
    let dir = root.join(".thema").join("locks").join("codebooks");
    let path = dir.join(format!("{file}.lock"));
    let io = |source| StudyError::Io {
        path: path.clone(),
        source,
    };
    fs::create_dir_all(&dir).map_err(io)?;
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)?;
    file.lock().map_err(io)?;
    Ok(CoderLock { _file: file })
}

/// Takes the lock of `coder` in the study at `root`, failing at once if another process holds it.
pub fn lock_coder(root: &Path, coder: &str) -> Result<CoderLock, StudyError> {
    let dir = root.join(".thema").join("locks");
    let path = dir.join(format!("{coder}.lock"));
    let io = |source| StudyError::Io {
        path: path.clone(),
        source,
    };
    fs::create_dir_all(&dir).map_err(io)?;
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(CoderLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(StudyError::Locked {
            coder: coder.to_string(),
        }),
        Err(TryLockError::Error(source)) => Err(StudyError::Io { path, source }),
    }
}

/// A held lock on the study's derived index; released when dropped.
#[derive(Debug)]
pub struct IndexLock {
    _file: File,
}

/// Waits for, then takes, the lock that serialises index builds and refreshes between processes
/// (two `thema` commands refreshing the same index at once would otherwise collide).
pub fn lock_index(root: &Path) -> Result<IndexLock, StudyError> {
    let dir = root.join(".thema").join("locks");
    let path = dir.join("index.lock");
    let io = |source| StudyError::Io {
        path: path.clone(),
        source,
    };
    fs::create_dir_all(&dir).map_err(io)?;
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)?;
    file.lock().map_err(io)?;
    Ok(IndexLock { _file: file })
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
