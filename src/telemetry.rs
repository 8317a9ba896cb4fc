//! Logging: which events are shown and how they look.
//!
//! Logs always go to stderr; stdout belongs to command output (`plan --json`, `status --json`).
//! With `json`, every line on stderr is one JSON object, panics included.

use std::io::IsTerminal;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use tracing::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// How log lines look (`log.format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Compact lines for people; coloured only when stderr is a terminal.
    Text,
    /// One JSON object per line, for journald and log shippers.
    Json,
}

/// Level names from quietest to loudest, for `-v`/`-q` shifting.
const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];

/// Installs the global subscriber. `level` is a filter directive (`info`, `info,sqlx=warn`);
/// `RUST_LOG`, when set, replaces it entirely; `verbosity` (+1 per `-v`, -1 per `-q`) moves the
/// bare levels in `level` up or down. Calling it again does nothing.
pub fn init(format: LogFormat, level: &str, verbosity: i8) {
    let rust_log = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let (filter, ignored) =
        match rust_log.map(|v| EnvFilter::builder().parse(&v).map_err(|e| (v, e))) {
            Some(Ok(filter)) => (filter, None),
            Some(Err((v, e))) => (
                default_filter(level, verbosity),
                Some(format!("{v:?}: {e}")),
            ),
            None => (default_filter(level, verbosity), None),
        };
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let (subscriber, reload) = subscriber(format, filter, std::io::stderr, ansi);
    if tracing::subscriber::set_global_default(subscriber).is_ok() {
        let _ = RELOAD.set(Installed { format, reload });
        if format == LogFormat::Json {
            log_panics();
        }
        if let Some(problem) = ignored {
            tracing::warn!(%problem, "RUST_LOG is not a valid filter; using log.level instead");
        }
    }
}

/// With JSON logs a panic (a run's, caught by the daemon, which goes on) is an error event too,
/// not the text lines of the default hook.
fn log_panics() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()));
        let what = info.payload_as_str().unwrap_or("(no message)");
        tracing::error!(panic = what, at, "panicked");
    }));
}

/// Swaps the level filter of the installed subscriber.
type Reload = Box<dyn Fn(EnvFilter) -> Result<(), String> + Send + Sync>;

/// What [`init`] installed, for [`reload`].
struct Installed {
    format: LogFormat,
    reload: Reload,
}

static RELOAD: OnceLock<Installed> = OnceLock::new();

/// Applies a new `log.level` (SIGHUP) to the subscriber [`init`] installed. Returns what could not
/// be applied, for the caller to log: a changed `log.format` needs a restart, and a valid
/// `RUST_LOG` keeps overriding `log.level`.
pub fn reload(format: LogFormat, level: &str, verbosity: i8) -> Vec<String> {
    let Some(installed) = RELOAD.get() else {
        return vec![];
    };
    let mut kept = vec![];
    if format != installed.format {
        kept.push("log.format: a new format applies after a restart".to_owned());
    }
    let rust_log = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| EnvFilter::builder().parse(v.trim()).is_ok() && !v.trim().is_empty());
    if rust_log.is_some() {
        kept.push("log.level: RUST_LOG is set and overrides it".to_owned());
    } else if let Err(e) = (installed.reload)(default_filter(level, verbosity)) {
        kept.push(format!("log.level: {e}"));
    }
    kept
}

/// For tests: silent unless `TEST_LOG=1`, then debug-level text into the test's captured output
/// (or whatever `RUST_LOG` says). Safe to call from every test.
pub fn init_for_tests() {
    if std::env::var("TEST_LOG").as_deref() != Ok("1") {
        return;
    }
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| EnvFilter::builder().parse(v).ok())
        .unwrap_or_else(|| EnvFilter::new("debug"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .compact()
        .try_init();
}

/// Checks a `log.level` value: a valid filter directive whose bare words are level names
/// (a bare `inf` would silently mean "everything from a module called inf").
pub fn check_level(level: &str) -> Result<(), String> {
    if level.trim().is_empty() {
        return Err("is empty: use error, warn, info, debug, trace or off".into());
    }
    for directive in level.split(',').map(str::trim) {
        let bare = !directive.contains(['=', '[']);
        if bare && !LEVELS.contains(&directive.to_ascii_lowercase().as_str()) {
            return Err(format!(
                "{directive:?} is not a level: use error, warn, info, debug, trace or off, \
                 optionally with per-module directives such as \"info,sqlx=warn\""
            ));
        }
    }
    EnvFilter::builder()
        .parse(level)
        .map(drop)
        .map_err(|e| format!("{level:?} is not a valid filter: {e}"))
}

/// The filter from `log.level` moved by `verbosity`; an invalid level falls back to `info`.
fn default_filter(level: &str, verbosity: i8) -> EnvFilter {
    EnvFilter::builder()
        .parse(shift_levels(level, verbosity))
        .unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Moves every bare level in a directive list by `verbosity` steps, clamped to off..=trace;
/// per-module directives (`sqlx=warn`) are left alone.
fn shift_levels(level: &str, verbosity: i8) -> String {
    let shifted: Vec<String> = level
        .split(',')
        .map(|directive| {
            let directive = directive.trim();
            match LEVELS
                .iter()
                .position(|l| l.eq_ignore_ascii_case(directive))
            {
                Some(i) => {
                    let j =
                        (i as isize + isize::from(verbosity)).clamp(0, LEVELS.len() as isize - 1);
                    LEVELS[j as usize].to_owned()
                }
                None => directive.to_owned(),
            }
        })
        .collect();
    shifted.join(",")
}

/// The subscriber for `format`, writing to `writer`, and the way to change its filter later.
fn subscriber<W>(
    format: LogFormat,
    filter: EnvFilter,
    writer: W,
    ansi: bool,
) -> (Box<dyn Subscriber + Send + Sync>, Reload)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Text => {
            let builder = builder.compact().with_ansi(ansi).with_filter_reloading();
            let handle = builder.reload_handle();
            (
                Box::new(builder.finish()),
                Box::new(move |f| handle.reload(f).map_err(|e| e.to_string())),
            )
        }
        LogFormat::Json => {
            let builder = builder
                .json()
                .with_ansi(false)
                .with_current_span(true)
                .with_span_list(true)
                .flatten_event(true)
                .with_filter_reloading();
            let handle = builder.reload_handle();
            (
                Box::new(builder.finish()),
                Box::new(move |f| handle.reload(f).map_err(|e| e.to_string())),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'w self) -> Buffer {
            self.clone()
        }
    }

    fn capture(format: LogFormat, level: &str, verbosity: i8) -> String {
        let buffer = Buffer::default();
        let (subscriber, _) = subscriber(
            format,
            default_filter(level, verbosity),
            buffer.clone(),
            false,
        );
        tracing::subscriber::with_default(subscriber, || {
            let run = tracing::info_span!("run", run_id = 42);
            let _guard = run.enter();
            tracing::info!(pulled = 3, "pulled catalogs");
            tracing::debug!("a detail");
        });
        let bytes = buffer.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn json_gives_one_object_per_line_with_flattened_fields_and_the_span() {
        let out = capture(LogFormat::Json, "info", 0);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 1, "{out}");
        let event: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(event["message"], "pulled catalogs");
        assert_eq!(event["pulled"], 3);
        assert_eq!(event["level"], "INFO");
        assert_eq!(event["span"]["run_id"], 42);
        assert_eq!(event["spans"][0]["name"], "run");
    }

    #[test]
    fn text_is_one_plain_line_per_event_without_colour_codes() {
        let out = capture(LogFormat::Text, "info", 0);
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(
            out.contains("pulled catalogs") && out.contains("pulled=3"),
            "{out}"
        );
        assert!(!out.contains('\u{1b}'), "{out}");
    }

    #[test]
    fn each_v_shows_one_more_level_and_each_q_one_less() {
        assert_eq!(capture(LogFormat::Text, "info", 1).lines().count(), 2);
        assert_eq!(capture(LogFormat::Text, "info", -1).lines().count(), 0);
        assert_eq!(shift_levels("info", 2), "trace");
        assert_eq!(shift_levels("info", 9), "trace");
        assert_eq!(shift_levels("warn", -9), "off");
        assert_eq!(shift_levels("info,sqlx=warn", 1), "debug,sqlx=warn");
        assert_eq!(shift_levels("catalog_sync=debug", 1), "catalog_sync=debug");
    }

    #[test]
    fn a_reloaded_filter_applies_to_the_next_events() {
        let buffer = Buffer::default();
        let (subscriber, reload) = subscriber(
            LogFormat::Json,
            default_filter("info", 0),
            buffer.clone(),
            false,
        );
        tracing::subscriber::with_default(subscriber, || {
            tracing::debug!("hidden");
            reload(default_filter("debug", 0)).unwrap();
            tracing::debug!("shown");
            reload(default_filter("warn", 0)).unwrap();
            tracing::info!("hidden again");
        });
        let out = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(out.contains("\"shown\""), "{out}");
    }

    #[test]
    fn level_directives_are_checked() {
        assert!(check_level("info").is_ok());
        assert!(check_level("WARN").is_ok());
        assert!(check_level("info,sqlx=warn,catalog_sync::amocrm=trace").is_ok());
        for bad in ["", "inf", "verbose", "info,sqlx=loud"] {
            assert!(check_level(bad).is_err(), "{bad:?} accepted");
        }
    }
}
