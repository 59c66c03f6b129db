//! The index folder as tantivy sees it: tantivy's memory-mapped directory, with the file syncs
//! of a commit batched.
//!
//! tantivy syncs every file it writes one by one, and rewrites and syncs its list of managed
//! files once per new file: a refresh that adds one small index segment pays some twenty
//! `fsync`s in a row, which on an ordinary disk is most of the refresh. This directory keeps the
//! same guarantee that matters — `meta.json` only ever names files that are on disk — by
//! syncing all new files together, in parallel, just before `meta.json` is written. The list of
//! managed files is written atomically but not synced: it only guides clean-up, and if it is
//! lost the index is rebuilt.
//!
//! It owns no policy; it only decides when bytes reach the disk.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, TerminatingWrite,
    WatchCallback, WatchHandle, WritePtr,
};

/// The file whose write makes a commit visible.
const META: &str = "meta.json";

/// tantivy's directory over the index folder, with batched syncs.
#[derive(Debug, Clone)]
pub(crate) struct IndexFolder {
    root: PathBuf,
    inner: MmapDirectory,
    /// Files written since the last commit, waiting to be synced.
    pending: Arc<Mutex<Vec<File>>>,
}

impl IndexFolder {
    /// The directory of an existing folder.
    pub fn open(root: &Path) -> tantivy::Result<IndexFolder> {
        Ok(IndexFolder {
            root: root.to_path_buf(),
            inner: MmapDirectory::open(root)?,
            pending: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// Syncs every file written since the last commit, all at once.
    fn sync_pending(&self) -> io::Result<()> {
        let files: Vec<File> = {
            // a poisoned lock only means a writer thread panicked; the list is still valid
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            std::mem::take(&mut *pending)
        };
        if files.len() <= 1 {
            return files.iter().try_for_each(File::sync_data);
        }
        // syncs issued together share the file system's journal commits
        std::thread::scope(|scope| {
            let handles: Vec<_> = files
                .iter()
                .map(|file| scope.spawn(move || file.sync_data()))
                .collect();
            handles.into_iter().try_for_each(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err(io::Error::other("a sync thread panicked")))
            })
        })
    }
}

/// A new index file: written through, synced later with the rest of its commit.
struct NewFile {
    file: File,
    pending: Arc<Mutex<Vec<File>>>,
}

impl Write for NewFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl TerminatingWrite for NewFile {
    fn terminate_ref(&mut self, _: AntiCallToken) -> io::Result<()> {
        self.file.flush()?;
        let handle = self.file.try_clone()?;
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(handle);
        Ok(())
    }
}

impl Directory for IndexFolder {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.root.join(path))
            .map_err(|e| {
                if e.kind() == io::ErrorKind::AlreadyExists {
                    OpenWriteError::FileAlreadyExists(path.to_path_buf())
                } else {
                    OpenWriteError::wrap_io_error(e, path.to_path_buf())
                }
            })?;
        Ok(BufWriter::new(Box::new(NewFile {
            file,
            pending: Arc::clone(&self.pending),
        })))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        if path == Path::new(META) {
            self.sync_pending()?;
            return self.inner.atomic_write(path, data);
        }
        let target = self.root.join(path);
        let mut temp = tempfile::NamedTempFile::new_in(&self.root)?;
        temp.write_all(data)?;
        temp.persist(&target).map_err(|e| e.error)?;
        Ok(())
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(callback)
    }
}
