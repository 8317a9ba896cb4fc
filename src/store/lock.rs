//! One reconcile at a time per database: an exclusive `flock` on `<database>.lock`.
//!
//! Why a lock file and not a lock row: the kernel releases an `flock` when its process dies,
//! even by SIGKILL, so there is no stale lock to detect or take over (no pid reuse, no clock, no
//! host guessing), and holding it never holds SQLite's write lock, so a person's `sqlite3` is
//! never kept waiting. The file's content (pid, host, start time) only serves to name the holder
//! in the message a second process prints.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::{Store, now};

/// Why a run could not take the lock.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process (or another run in this one) reconciles this database right now.
    #[error(
        "another catalog-sync is reconciling the database {database} ({holder}); this run did \
         nothing. Wait for it to finish, or stop that process (the lock is {lock})",
        database = .database.display(), lock = .lock.display()
    )]
    Held {
        database: PathBuf,
        lock: PathBuf,
        holder: String,
    },
    #[error("cannot use the lock file {}: {source}; is its directory writable?", .lock.display())]
    Io {
        lock: PathBuf,
        source: std::io::Error,
    },
}

/// Held while a reconcile runs; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct RunLock {
    file: File,
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // The holder's description goes with the lock; the kernel releases the lock on close.
        let _ = self.file.set_len(0);
    }
}

/// The lock file of a database: `<path>.lock`.
pub fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

fn open(lock: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(lock)
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "an unknown host".into())
}

/// What the holder wrote, or a placeholder if it has not written yet.
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.rewind().and_then(|_| file.read_to_string(&mut text));
    match text.trim() {
        "" => "a process that has not said who it is yet".into(),
        who => who.to_owned(),
    }
}

impl Store {
    /// Takes the reconcile lock of this database without waiting.
    pub fn lock_for_run(&self) -> Result<RunLock, LockError> {
        let lock = lock_path(&self.path);
        let io = |source| LockError::Io {
            lock: lock.clone(),
            source,
        };
        let mut file = open(&lock).map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::Held {
                    database: self.path.clone(),
                    lock: lock.clone(),
                    holder: holder(&mut file),
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        let me = format!(
            "pid {} on {}, running since {}",
            std::process::id(),
            hostname(),
            now()
        );
        file.set_len(0)
            .and_then(|_| file.rewind())
            .and_then(|_| file.write_all(me.as_bytes()))
            .and_then(|_| file.flush())
            .map_err(io)?;
        Ok(RunLock { file })
    }
}
