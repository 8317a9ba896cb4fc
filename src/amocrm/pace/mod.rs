//! The client-side pace: requests to one account are spaced `1 / requests_per_second` apart
//! (plus [`JITTER_MARGIN`]) and never burst, across every task **and every process** that
//! uses the account's database. amoCRM counts requests per second and answers a burst with 429,
//! then with a 403 block.
//!
//! # One pace per account, across processes
//!
//! The daemon, `--once` runs from a timer, `plan` and `auth` may run at the same time against
//! one account. They share a small file beside the database, `<database>.pace` ([`pace_path`]),
//! which holds the account's *next free slot*: a wall-clock time before which no request of any
//! process may go out (the format is in [`record`]). Each request, under an exclusive `flock` on
//! that file, reads the slot, takes `turn = max(now, slot)`, writes `turn + interval`, unlocks,
//! and only then sleeps until its turn. The critical section is a read and a write of one line
//! (microseconds); the sleep holds nothing.
//!
//! Why a file and `flock` (as the run lock in `store::lock`): the kernel releases an `flock`
//! when its holder dies, even by SIGKILL, so no process can leave the account locked; nothing
//! needs a server, a socket or the database's write lock (a person's `sqlite3` is never kept
//! waiting); and no `unsafe` or C dependency is needed (std's `File::try_lock`).
//!
//! - **A 429** seen by any process moves the slot to at least `now + the retry wait` (the
//!   `Retry-After` the account sent, or the client's backoff), capped at two minutes, so that
//!   every other process waits it out too, not only the one that was refused.
//! - **A torn or garbage file** (a process killed mid-write, a disk filling up, a stray edit)
//!   fails its checksum and reads as "no slot": the next request goes now and rewrites it.
//! - **Clock steps.** The slot is wall-clock time (processes share no other clock), but the sleep
//!   until a turn uses the monotonic clock, so a step never stretches a wait already begun. The
//!   file also records when it was written: if that is after `now`, the clock went back, and the
//!   slot moves back with it (only its distance ahead of its writer counts). A slot more than
//!   five minutes ahead of its writer is not believed, so nothing stalls anyone for long. A step
//!   forward makes the slot look past: at worst the requests in flight at that moment go out
//!   closer together, once.
//! - **No usable file** (a read-only or missing directory, any I/O error): one warning, and this
//!   process paces only itself, as before; the run never fails for it.
//! - **Tasks of one process** take an in-process lock before the `flock`, so they never poll the
//!   file against each other, and the process's own pace is a floor under the file's: even a
//!   file that reads as "no slot" never lets one process burst. The file stays open for the
//!   client's life: a request costs one `flock`, one read and one write.
//! - **Cancellation**: a waiter dropped while it sleeps loses its turn, which only slows things.
//!   A holder that cannot be reached for a second (a process stopped while holding the `flock`)
//!   is passed over: that request goes by this process's own pace, with a warning.
//!
//! Each interval carries a small margin ([`JITTER_MARGIN`]): requests spaced exactly `1/7 s`
//! apart leave no room for network jitter, and a sandbox counting 7 per sliding second did
//! answer 429 to such a run (3 of 31 requests, every time). With the margin, eight consecutive
//! requests span at least 7 × 20 ms more than a second on the account's side.

mod file;
mod record;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use file::PaceFile;
use record::{Micros, Record};

/// Added to every interval so that jitter between here and the account never crowds more than
/// `requests_per_second` requests into one of the account's seconds.
const JITTER_MARGIN: Duration = Duration::from_millis(20);

/// How often a request looks again while another process holds the file's lock.
const LOCK_POLL: Duration = Duration::from_millis(1);

/// How long a request waits for the file's lock before it goes by this process's pace alone.
const LOCK_PATIENCE: Duration = Duration::from_secs(1);

/// A wait for a turn at least this long is logged: it is a queue or a 429's penalty, not pace.
const LONG_WAIT: Duration = Duration::from_secs(2);

/// The pace file of a database: `<path>.pace`.
pub fn pace_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".pace");
    PathBuf::from(name)
}

/// The pace of one account: spaces requests `1 / requests_per_second` apart across every task
/// holding a clone and, with a pace file, across every process sharing that file. Cheap to
/// clone; clones share the pace.
#[derive(Debug, Clone)]
pub struct Pace {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    interval: Duration,
    state: Mutex<State>,
    /// Whether the "lock held too long" warning was given (once per pace).
    warned_patience: AtomicBool,
}

#[derive(Debug)]
struct State {
    /// This process's own next free turn: the whole pace without a file, a floor under the
    /// file's slot with one.
    next: Instant,
    /// `None`: in-process only (asked for, or the file could not be used).
    file: Option<PaceFile>,
}

impl Pace {
    /// `requests_per_second` is clamped to at least 1 (the client's options check 1..=7).
    /// `shared`: the pace file (see [`pace_path`]), or `None` to pace this process only, as
    /// tests against a mock server want. A file that cannot be opened gives one warning and the
    /// in-process pace.
    pub fn new(requests_per_second: u32, shared: Option<&Path>) -> Pace {
        let file = shared.and_then(|path| {
            PaceFile::open(path)
                .map_err(|e| file::warn_once(path, &e))
                .ok()
        });
        Pace::with_interval(
            Duration::from_secs(1) / requests_per_second.max(1) + JITTER_MARGIN,
            file,
        )
    }

    fn with_interval(interval: Duration, file: Option<PaceFile>) -> Pace {
        Pace {
            inner: Arc::new(Inner {
                interval,
                state: Mutex::new(State {
                    next: Instant::now(),
                    file,
                }),
                warned_patience: AtomicBool::new(false),
            }),
        }
    }

    /// Waits for this request's turn. Turns are handed out in call order; a turn whose waiter
    /// is cancelled is simply lost, which only slows things down.
    pub(crate) async fn wait(&self) {
        let turn = self.take_turn().await;
        let wait = turn.saturating_duration_since(Instant::now());
        if wait >= LONG_WAIT {
            let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
            tracing::info!(
                wait_ms,
                "waiting for the account's turn (other processes' requests or a 429 came first)"
            );
        }
        tokio::time::sleep_until(turn).await;
    }

    /// Reserves the next turn (in this process and in the file) without waiting for it.
    async fn take_turn(&self) -> Instant {
        let interval = self.inner.interval;
        self.transact(|next, read| {
            let now = Instant::now();
            let floor = next.saturating_duration_since(now);
            let (delay, record) = record::reserve(read, wall_now(), floor, interval);
            *next = now + delay + interval;
            (now + delay, record)
        })
        .await
    }

    /// After a 429: no request of this process, nor of any process sharing the file, goes out
    /// before `wait` has passed (at most two minutes).
    pub(crate) async fn penalize(&self, wait: Duration) {
        self.transact(|next, read| {
            *next = (*next).max(Instant::now() + wait.min(record::MAX_PENALTY));
            ((), record::penalize(read, wall_now(), wait))
        })
        .await;
    }

    /// Runs `step` on this process's next turn and the file's record, under the in-process lock
    /// and the file's `flock`, and writes the record it returns. Without a file (or when the
    /// `flock` stays out of reach), `step` sees no record and what it returns is not written.
    /// Nothing is held across the short sleeps between attempts at the `flock`.
    async fn transact<T>(
        &self,
        mut step: impl FnMut(&mut Instant, Option<Record>) -> (T, Record),
    ) -> T {
        let deadline = Instant::now() + LOCK_PATIENCE;
        loop {
            {
                let mut state = self.state();
                let State { next, file } = &mut *state;
                let Some(shared) = file else {
                    return step(next, None).0;
                };
                match shared.try_update(|read| step(next, read)) {
                    Ok(Some(value)) => return value,
                    Ok(None) if Instant::now() >= deadline => {
                        self.warn_patience(shared.path());
                        return step(next, None).0;
                    }
                    Ok(None) => {}
                    Err(e) => {
                        file::warn_once(shared.path(), &e);
                        *file = None;
                        return step(next, None).0;
                    }
                }
            }
            tokio::time::sleep(LOCK_POLL).await;
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn warn_patience(&self, path: &Path) {
        if !self.inner.warned_patience.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                path = %path.display(),
                "another process has held the shared pace file's lock for more than a second \
                 (is one stopped?); this request goes by this process's pace alone"
            );
        }
    }
}

/// The wall clock in microseconds since the Unix epoch (0 if it is set before 1970).
fn wall_now() -> Micros {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, record::micros)
}

#[cfg(test)]
mod tests;
