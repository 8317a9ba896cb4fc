//! The pace file itself: opened once, then one short `flock`ed read-modify-write per request.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::record::{self, Record};

/// An open pace file.
#[derive(Debug)]
pub(super) struct PaceFile {
    file: File,
    path: PathBuf,
}

impl PaceFile {
    /// Opens (or creates, mode 0600 like the database) the file at `path`.
    pub(super) fn open(path: &Path) -> io::Result<PaceFile> {
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        Ok(PaceFile {
            file: options.open(path)?,
            path: path.to_owned(),
        })
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Under an exclusive `flock`: reads the record, hands it to `update` and writes the record
    /// it returns. `Ok(None)` (and `update` not called) while another holder has the lock.
    pub(super) fn try_update<T>(
        &mut self,
        update: impl FnOnce(Option<Record>) -> (T, Record),
    ) -> io::Result<Option<T>> {
        match self.file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Ok(None),
            Err(TryLockError::Error(e)) => return Err(e),
        }
        let updated = self.update_locked(update);
        let unlocked = self.file.unlock();
        let value = updated?;
        unlocked?;
        Ok(Some(value))
    }

    fn update_locked<T>(
        &mut self,
        update: impl FnOnce(Option<Record>) -> (T, Record),
    ) -> io::Result<T> {
        // One byte more than a record, to tell a record from a longer file.
        let mut buf = [0u8; record::LEN + 1];
        self.file.rewind()?;
        let len = read_up_to(&mut self.file, &mut buf)?;
        let (value, record) = update(Record::decode(&buf[..len]));
        self.file.rewind()?;
        self.file.write_all(record.encode().as_bytes())?;
        if len != record::LEN {
            self.file.set_len(record::LEN as u64)?;
        }
        Ok(value)
    }
}

/// Fills `buf` as far as the file goes.
fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut len = 0;
    while len < buf.len() {
        match file.read(&mut buf[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(len)
}

/// Says once per process and file that the account's pace is not shared: a daemon that opens
/// a client for every run must not repeat it every run.
pub(super) fn warn_once(path: &Path, problem: &dyn std::fmt::Display) {
    static WARNED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    let mut warned = WARNED.lock().unwrap_or_else(PoisonError::into_inner);
    if warned.iter().any(|p| p == path) {
        return;
    }
    warned.push(path.to_owned());
    tracing::warn!(
        path = %path.display(),
        problem = %problem,
        "cannot use the shared pace file; this process paces only itself, so other catalog-sync \
         processes on the same database may push the account over its limit (is the database's \
         directory writable?)"
    );
}
