// tokio's paused clock needs the `test-util` feature, which the crate does not enable, so these
// use real time with short intervals, and check the turns handed out rather than wake-ups.

use std::fs::File;

use super::*;

const MS: Duration = Duration::from_millis(1);

fn pace(interval_ms: u64) -> Pace {
    Pace::with_interval(Duration::from_millis(interval_ms), None)
}

/// A pace as one process would have it, on the file `path`.
fn process(interval_ms: u64, path: &Path) -> Pace {
    Pace::with_interval(
        Duration::from_millis(interval_ms),
        Some(PaceFile::open(path).unwrap()),
    )
}

fn pace_file(dir: &tempfile::TempDir) -> PathBuf {
    pace_path(&dir.path().join("catalog-sync.db"))
}

/// Sorted, and no two closer than `interval` (less a microsecond of clock reading per turn).
fn assert_spaced(mut turns: Vec<Instant>, interval: Duration) {
    turns.sort();
    for pair in turns.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap + MS / 100 >= interval, "two turns {gap:?} apart");
    }
}

#[test]
fn the_interval_is_a_second_divided_by_the_rate_plus_the_jitter_margin() {
    assert_eq!(
        Pace::new(4, None).inner.interval,
        Duration::from_millis(270)
    );
    assert_eq!(
        Pace::new(7, None).inner.interval,
        Duration::from_nanos(162_857_142)
    );
}

#[test]
fn the_pace_file_sits_beside_the_database() {
    assert_eq!(
        pace_path(Path::new("/var/lib/catalog-sync/shop.db")),
        Path::new("/var/lib/catalog-sync/shop.db.pace")
    );
}

#[tokio::test]
async fn requests_are_spaced_by_the_interval_and_never_burst() {
    let pace = pace(20);
    let start = Instant::now();
    for _ in 0..5 {
        pace.wait().await;
    }
    assert!(start.elapsed() >= 80 * MS, "{:?}", start.elapsed());
}

#[tokio::test]
async fn the_first_request_goes_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let pace = process(10_000, &pace_file(&dir));
    let start = Instant::now();
    pace.wait().await;
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn concurrent_tasks_share_one_pace() {
    let pace = pace(20);
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let pace = pace.clone();
            tokio::spawn(async move { pace.take_turn().await })
        })
        .collect();
    let mut turns = Vec::new();
    for task in tasks {
        turns.push(task.await.unwrap());
    }
    assert_spaced(turns, 20 * MS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_sharing_the_file_never_get_turns_closer_than_the_interval() {
    let dir = tempfile::tempdir().unwrap();
    let path = pace_file(&dir);
    let (a, b) = (process(30, &path), process(30, &path));
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let pace = if i % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(async move { pace.take_turn().await })
        })
        .collect();
    let mut turns = Vec::new();
    for task in tasks {
        turns.push(task.await.unwrap());
    }
    assert_eq!(turns.len(), 40);
    assert_spaced(turns, 30 * MS);
}

#[tokio::test]
async fn a_429_seen_by_one_process_delays_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let path = pace_file(&dir);
    let (a, b) = (process(30, &path), process(30, &path));
    let before = Instant::now();
    a.penalize(Duration::from_secs(2)).await;
    let turn = b.take_turn().await;
    assert!(
        turn >= before + Duration::from_secs(2) - MS,
        "{:?}",
        turn - before
    );
    assert!(turn < Instant::now() + Duration::from_secs(2) + 30 * MS);
    let own = a.take_turn().await;
    assert!(own > turn, "the process that saw the 429 waits too");
}

#[tokio::test]
async fn a_garbage_file_reads_as_no_slot_and_is_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = pace_file(&dir);
    std::fs::write(
        &path,
        "catalog-sync pace v1 slot_us=9999999999999999999 (torn".repeat(5),
    )
    .unwrap();
    let pace = process(30, &path);
    let before = Instant::now();
    let turn = pace.take_turn().await;
    assert!(turn < before + 30 * MS, "{:?}", turn - before);
    let text = std::fs::read(&path).unwrap();
    assert_eq!(text.len(), record::LEN);
    let record = Record::decode(&text).expect("a whole record");
    assert!(record.slot > record.written);
}

#[tokio::test]
async fn without_a_usable_file_the_process_paces_itself() {
    let dir = tempfile::tempdir().unwrap();
    for path in [dir.path().join("missing/x.db.pace"), dir.path().to_owned()] {
        let pace = Pace::new(7, Some(&path));
        assert!(pace.state().file.is_none(), "{path:?}");
        let first = pace.take_turn().await;
        let second = pace.take_turn().await;
        assert!(second - first >= pace.inner.interval - MS / 100);
    }
}

#[tokio::test]
async fn a_holder_that_never_lets_go_is_passed_over_after_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let path = pace_file(&dir);
    let pace = process(30, &path);
    let stuck = File::options().write(true).open(&path).unwrap();
    stuck.lock().unwrap();
    let before = Instant::now();
    let turn = pace.take_turn().await;
    let waited = before.elapsed();
    assert!(
        waited >= LOCK_PATIENCE && waited < 3 * LOCK_PATIENCE,
        "{waited:?}"
    );
    assert!(
        turn <= Instant::now(),
        "by this process's own pace: at once"
    );
    assert!(
        pace.state().file.is_some(),
        "the file is tried again next time"
    );
    drop(stuck);
    let next = pace.take_turn().await;
    assert!(next - turn >= 30 * MS - MS / 100);
}
