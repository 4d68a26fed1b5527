//! One process per data directory. The cache, the outbox and the embedded sandbox's database
//! live there; two processes sharing them would send the same queued write twice and race
//! each other's syncs. A second launch is normally caught earlier and focuses the first
//! window (the desktop shell's single-instance D-Bus name); this lock is what holds when that
//! cannot work (no session bus, another user's launcher, a script starting the binary).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The lock file's name inside the data directory.
pub const LOCK_FILE: &str = "hakobu.lock";

/// Held for the life of the process; the OS releases it when the process ends, even on a
/// crash, so a stale lock never keeps the app from starting.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
    path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum DataDirLockError {
    #[error(
        "another Hakobu is already running on {dir} (process {holder}); close it first, or start this one with another data directory"
    )]
    Held { dir: PathBuf, holder: String },
    #[error("cannot lock the data directory {dir}: {message}")]
    Io { dir: PathBuf, message: String },
}

impl DataDirLock {
    /// Takes the directory's exclusive lock (creating the directory), or says who holds it.
    pub fn acquire(dir: &Path) -> Result<DataDirLock, DataDirLockError> {
        let io = |e: std::io::Error| DataDirLockError::Io {
            dir: dir.to_path_buf(),
            message: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let path = dir.join(LOCK_FILE);
        // Not truncated on open: the holder's pid stays readable until we own the lock.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&path)
                    .ok()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "unknown".to_string());
                return Err(DataDirLockError::Held {
                    dir: dir.to_path_buf(),
                    holder,
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        write!(file, "{}", std::process::id()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(DataDirLock { _file: file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_pid() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let first = DataDirLock::acquire(&data).unwrap();
        assert!(first.path().ends_with(LOCK_FILE));
        // flock locks belong to the open file, so a second open in this process conflicts
        // exactly as a second process would.
        let err = DataDirLock::acquire(&data).unwrap_err();
        match &err {
            DataDirLockError::Held { dir, holder } => {
                assert_eq!(dir, &data);
                assert_eq!(holder, &std::process::id().to_string());
            }
            other => panic!("expected Held, got {other:?}"),
        }
        assert!(err.to_string().contains("already running"), "{err}");
    }

    #[test]
    fn the_lock_is_free_again_once_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataDirLock::acquire(dir.path()).unwrap();
        drop(first);
        DataDirLock::acquire(dir.path()).expect("released on drop");
    }

    #[test]
    fn a_directory_that_cannot_be_made_is_an_io_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, "x").unwrap();
        let err = DataDirLock::acquire(&file.join("data")).unwrap_err();
        assert!(matches!(err, DataDirLockError::Io { .. }), "{err:?}");
        assert!(err.to_string().contains("a-file"), "{err}");
    }
}
