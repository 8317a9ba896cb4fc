//! The systemd notify protocol, against a fake `NOTIFY_SOCKET`: a datagram socket in a temporary
//! directory that collects what the daemon sends.

use std::time::Duration;

use tokio::net::UnixDatagram;

use crate::harness::{PATIENCE, Setup, path_str};

/// Receives datagrams until one contains `wanted`; returns every message read on the way.
async fn until(socket: &UnixDatagram, wanted: &str, seen: &mut Vec<String>) -> String {
    let mut buf = vec![0u8; 4096];
    loop {
        let n = tokio::time::timeout(PATIENCE, socket.recv(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("no {wanted:?} in time; got {seen:?}"))
            .unwrap();
        let message = String::from_utf8_lossy(&buf[..n]).into_owned();
        seen.push(message.clone());
        if message
            .lines()
            .any(|l| l == wanted || l.starts_with(wanted))
        {
            return message;
        }
    }
}

#[tokio::test]
async fn systemd_hears_ready_status_watchdog_reloading_and_stopping() {
    let setup = Setup::start().await;
    setup.write_config("schedule = \"0 0 1 1 *\"\nrun_on_start = true");
    let socket_path = setup.dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    let mut daemon = setup.spawn(&[
        ("NOTIFY_SOCKET", &path_str(&socket_path)),
        ("WATCHDOG_USEC", "400000"),
    ]);
    let mut seen = vec![];

    let ready = until(&socket, "READY=1", &mut seen).await;
    assert!(ready.contains("STATUS="), "{ready}");
    let after_run = until(&socket, "STATUS=last run 1 ok", &mut seen).await;
    assert!(after_run.contains("pulled 0"), "{after_run}");
    until(&socket, "WATCHDOG=1", &mut seen).await;
    until(&socket, "WATCHDOG=1", &mut seen).await;

    daemon.signal("HUP");
    let reloading = until(&socket, "RELOADING=1", &mut seen).await;
    assert!(reloading.contains("MONOTONIC_USEC="), "{reloading}");
    until(&socket, "READY=1", &mut seen).await;

    daemon.signal("TERM");
    until(&socket, "STOPPING=1", &mut seen).await;
    assert_eq!(daemon.exit(Duration::from_secs(5)).await.code(), Some(0));
    let first_ready = seen.iter().position(|m| m.contains("READY=1")).unwrap();
    let first_ping = seen.iter().position(|m| m.contains("WATCHDOG=1")).unwrap();
    assert!(first_ready < first_ping, "READY comes first: {seen:?}");
}

#[tokio::test]
async fn without_notify_socket_nothing_is_sent_and_the_daemon_runs() {
    let setup = Setup::start().await;
    setup.write_config("schedule = \"0 0 1 1 *\"\nrun_on_start = true");
    let mut daemon = setup.spawn(&[("WATCHDOG_USEC", "100000")]);
    daemon.event("run finished", |_| true).await;
    daemon.signal("TERM");
    assert_eq!(daemon.exit(Duration::from_secs(5)).await.code(), Some(0));
    assert!(
        !daemon.seen.iter().any(|l| l.contains("NOTIFY_SOCKET")),
        "{:?}",
        daemon.seen
    );
}
