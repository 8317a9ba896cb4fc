//! What the pace file holds and the arithmetic on it. Pure: the caller passes the wall clock.
//!
//! One line of fixed length, so that a rewrite in place never leaves a tail of the old one:
//!
//! ```text
//! catalog-sync pace v1 slot_us=00001767225600220000 written_us=00001767225600000000 check=9c0d5f1e0b6a4c21
//! ```
//!
//! `slot_us` is the next free slot and `written_us` the writer's wall clock when it wrote the
//! line, both in microseconds since the Unix epoch; `check` is a hash of the two. A line that
//! does not parse, or whose check does not match (a torn write, a stray edit), reads as "no slot".

use std::time::Duration;

/// Microseconds since the Unix epoch, by the wall clock.
pub(super) type Micros = u64;

/// A slot further ahead of its writer's clock than this is not believed: no queue of waiters
/// plus the longest 429 penalty comes near it, so the line is garbage, and it must not stall
/// every process of the account.
pub(super) const MAX_AHEAD: Duration = Duration::from_secs(300);

/// The longest a 429 moves the slot ahead (the client gives up on longer `Retry-After`s too).
pub(super) const MAX_PENALTY: Duration = Duration::from_secs(120);

/// The length of every line written, newline included.
pub(super) const LEN: usize = 105;

const PREFIX: &str = "catalog-sync pace v1";

/// The content of the pace file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Record {
    /// No request of any process sharing the file goes out before this.
    pub slot: Micros,
    /// The writer's wall clock when it wrote the record.
    pub written: Micros,
}

impl Record {
    pub(super) fn encode(&self) -> String {
        let body = format!(
            "{PREFIX} slot_us={:020} written_us={:020}",
            self.slot, self.written
        );
        let line = format!("{body} check={:016x}\n", fnv1a(body.as_bytes()));
        debug_assert_eq!(line.len(), LEN);
        line
    }

    /// `None` for anything but a whole line this version wrote.
    pub(super) fn decode(bytes: &[u8]) -> Option<Record> {
        let line = std::str::from_utf8(bytes).ok()?.strip_suffix('\n')?;
        let (body, check) = line.rsplit_once(" check=")?;
        if check.len() != 16 || u64::from_str_radix(check, 16).ok()? != fnv1a(body.as_bytes()) {
            return None;
        }
        let rest = body.strip_prefix(PREFIX)?.strip_prefix(" slot_us=")?;
        let (slot, written) = rest.split_once(" written_us=")?;
        Some(Record {
            slot: slot.parse().ok()?,
            written: written.parse().ok()?,
        })
    }

    /// The slot as it stands at `now`, or `None` if the record is not believable.
    ///
    /// If the wall clock went back since the record was written (`written` is after `now`), the
    /// slot is moved back with it: what counts is how far ahead of its writer's clock it was.
    /// A forward step needs nothing: the slot is then simply in the past.
    fn slot_at(self, now: Micros) -> Option<Micros> {
        let ahead = self.slot.checked_sub(self.written)?;
        if ahead > micros(MAX_AHEAD) {
            return None;
        }
        Some(self.slot.min(now.saturating_add(ahead)))
    }
}

/// Takes the next turn: `read` is the file's record (`None` when there is none, it is garbage,
/// or there is no file), `floor` how long this process must wait anyway (its own pace).
/// Returns how long from `now` until the turn, and the record to write.
pub(super) fn reserve(
    read: Option<Record>,
    now: Micros,
    floor: Duration,
    interval: Duration,
) -> (Duration, Record) {
    let slot = read.and_then(|r| r.slot_at(now)).unwrap_or(now);
    let delay = Duration::from_micros(slot.saturating_sub(now)).max(floor);
    let turn = now.saturating_add(micros(delay));
    let record = Record {
        slot: turn.saturating_add(micros(interval)),
        written: now,
    };
    (delay, record)
}

/// After a 429: the slot moves to at least `now + wait` (at most [`MAX_PENALTY`]), so that every
/// process sharing the file waits out what the account asked for.
pub(super) fn penalize(read: Option<Record>, now: Micros, wait: Duration) -> Record {
    let slot = read.and_then(|r| r.slot_at(now)).unwrap_or(now);
    Record {
        slot: slot.max(now.saturating_add(micros(wait.min(MAX_PENALTY)))),
        written: now,
    }
}

/// Whole microseconds, rounded up so that a wait is never shortened.
pub(super) fn micros(d: Duration) -> Micros {
    u64::try_from(d.as_nanos().div_ceil(1000)).unwrap_or(Micros::MAX)
}

/// FNV-1a, 64 bits: enough to tell a whole line from a torn or edited one.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Micros = 1_767_225_600_000_000;
    const MS: Micros = 1000;
    const INTERVAL: Duration = Duration::from_millis(220);

    fn at(slot: Micros, written: Micros) -> Option<Record> {
        Some(Record { slot, written })
    }

    #[test]
    fn a_record_survives_the_file_and_has_the_fixed_length() {
        let record = Record {
            slot: NOW + 220 * MS,
            written: NOW,
        };
        let line = record.encode();
        assert_eq!(line.len(), LEN);
        assert!(line.starts_with("catalog-sync pace v1 slot_us=00001767225600220000 "));
        assert_eq!(Record::decode(line.as_bytes()), Some(record));
        let max = Record {
            slot: Micros::MAX,
            written: Micros::MAX,
        };
        assert_eq!(Record::decode(max.encode().as_bytes()), Some(max));
    }

    #[test]
    fn a_torn_or_edited_file_reads_as_no_slot() {
        let line = Record {
            slot: NOW + 220 * MS,
            written: NOW,
        }
        .encode();
        let edited = line.replace("slot_us=0000176722560022", "slot_us=0000176722560099");
        let other = Record {
            slot: NOW + 99 * MS,
            written: NOW,
        }
        .encode();
        let torn = format!("{}{}", &other[..45], &line[45..]);
        for bad in [
            &line[..LEN - 1],
            &line[..50],
            "",
            "\0\0\0\0",
            &edited,
            &torn,
            "garbage\n",
        ] {
            assert_eq!(Record::decode(bad.as_bytes()), None, "{bad:?}");
        }
        assert_eq!(Record::decode(&[0xff; LEN]), None);
    }

    #[test]
    fn the_first_turn_is_now_and_the_next_slot_one_interval_later() {
        let (delay, record) = reserve(None, NOW, Duration::ZERO, INTERVAL);
        assert_eq!(delay, Duration::ZERO);
        assert_eq!(record, at(NOW + 220 * MS, NOW).unwrap());
    }

    #[test]
    fn a_slot_in_the_future_is_waited_for_and_pushed_on() {
        let (delay, record) = reserve(
            at(NOW + 100 * MS, NOW - 120 * MS),
            NOW,
            Duration::ZERO,
            INTERVAL,
        );
        assert_eq!(delay, Duration::from_millis(100));
        assert_eq!(record.slot, NOW + 320 * MS);
        assert_eq!(record.written, NOW);
    }

    #[test]
    fn a_slot_in_the_past_gives_the_turn_now() {
        let (delay, record) = reserve(
            at(NOW - 5_000 * MS, NOW - 5_220 * MS),
            NOW,
            Duration::ZERO,
            INTERVAL,
        );
        assert_eq!(delay, Duration::ZERO);
        assert_eq!(record.slot, NOW + 220 * MS);
    }

    #[test]
    fn this_process_own_pace_is_a_floor_under_the_file() {
        let floor = Duration::from_millis(150);
        let (delay, record) = reserve(at(NOW + 100 * MS, NOW), NOW, floor, INTERVAL);
        assert_eq!(delay, floor);
        assert_eq!(record.slot, NOW + 370 * MS);
        let (delay, _) = reserve(None, NOW, floor, INTERVAL);
        assert_eq!(delay, floor);
    }

    #[test]
    fn a_slot_absurdly_far_ahead_is_not_believed() {
        let far = NOW + micros(MAX_AHEAD) + MS;
        let (delay, record) = reserve(at(far, NOW), NOW, Duration::ZERO, INTERVAL);
        assert_eq!(delay, Duration::ZERO);
        assert_eq!(record.slot, NOW + 220 * MS);
        // Just inside the bound it is waited for.
        let (delay, _) = reserve(at(far - 2 * MS, NOW), NOW, Duration::ZERO, INTERVAL);
        assert_eq!(delay, MAX_AHEAD - Duration::from_millis(1));
        // A slot before its own writing time was never written by us.
        assert_eq!(
            reserve(at(NOW, NOW + MS), NOW, Duration::ZERO, INTERVAL).0,
            Duration::ZERO
        );
    }

    #[test]
    fn when_the_clock_steps_back_the_slot_keeps_only_its_distance_ahead() {
        // Written an hour "later" than now: the wall clock went back by an hour since.
        let hour = 3_600_000 * MS;
        let (delay, record) = reserve(
            at(NOW + hour + 200 * MS, NOW + hour),
            NOW,
            Duration::ZERO,
            INTERVAL,
        );
        assert_eq!(delay, Duration::from_millis(200));
        assert_eq!(record, at(NOW + 420 * MS, NOW).unwrap());
    }

    #[test]
    fn a_429_moves_the_slot_past_the_wait_it_asked_for_and_no_further_than_the_cap() {
        let record = penalize(at(NOW + 100 * MS, NOW), NOW, Duration::from_secs(2));
        assert_eq!(record, at(NOW + 2_000 * MS, NOW).unwrap());
        let (delay, _) = reserve(Some(record), NOW + 500 * MS, Duration::ZERO, INTERVAL);
        assert_eq!(
            delay,
            Duration::from_millis(1500),
            "another process waits too"
        );
        // A slot already further ahead stays.
        let record = penalize(at(NOW + 3_000 * MS, NOW), NOW, Duration::from_secs(2));
        assert_eq!(record.slot, NOW + 3_000 * MS);
        let record = penalize(None, NOW, Duration::from_secs(3600));
        assert_eq!(record.slot, NOW + micros(MAX_PENALTY));
        assert!(micros(MAX_PENALTY) < micros(MAX_AHEAD));
    }

    #[test]
    fn durations_round_up_to_whole_microseconds() {
        assert_eq!(micros(Duration::from_nanos(162_857_142)), 162_858);
        assert_eq!(micros(Duration::from_millis(220)), 220_000);
        assert_eq!(micros(Duration::MAX), Micros::MAX);
    }
}
