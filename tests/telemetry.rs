//! The global subscriber: its own test binary, so installing it touches no other test.

use catalog_sync::telemetry::{self, LogFormat};

#[test]
fn init_can_be_called_twice_and_for_tests_after_that() {
    telemetry::init(LogFormat::Json, "warn", 0);
    telemetry::init(LogFormat::Text, "debug", 2);
    telemetry::init_for_tests();
    tracing::debug!("filtered out: the first subscriber stays, at warn");
}
