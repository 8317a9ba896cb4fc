//! A test-only crash hook for the crash-point tests (`tests/crash.rs`): the run panics at the
//! chosen step of the outbox protocol, so nothing after it runs, as if the process were killed
//! there. Uncommitted transactions are rolled back, exactly as SQLite does after a kill. Set
//! only through [`Syncer::crash_at`]; nothing else reads it, and production code never sets it.

use super::Syncer;

/// A step of the outbox protocol.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashPoint {
    /// The outbox rows are committed `pending`; nothing was sent.
    AfterPlan,
    /// A batch's rows are committed `sending`; the POST has not left.
    AfterSending,
    /// The POST was applied and answered; nothing of the answer is recorded.
    AfterPost,
    /// The first item of a batch's answer is recorded, the others are not.
    MidRecording,
}

impl Syncer {
    /// Test-only: the next runs of this syncer die at `point`.
    #[doc(hidden)]
    pub fn crash_at(mut self, point: CrashPoint) -> Syncer {
        self.crash = Some(point);
        self
    }

    pub(super) fn crash_if(&self, point: CrashPoint) {
        if self.crash == Some(point) {
            panic!("test crash at {point:?}");
        }
    }
}
