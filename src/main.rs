//! The `catalog-sync` binary: parse arguments, load settings, start telemetry, run the command.

use std::process::ExitCode;

use clap::Parser;

use catalog_sync::cli::{self, Cli};
use catalog_sync::telemetry::{self, LogFormat};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match cli::load_settings(&cli.global) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("catalog-sync: {e:#}");
            return ExitCode::from(1);
        }
    };
    telemetry::init(
        settings.log.format,
        &settings.log.level,
        cli.global.verbosity(),
    );
    let format = settings.log.format;
    match cli::run(cli, settings).await {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "failed");
            if format == LogFormat::Text {
                eprintln!("catalog-sync: {e:#}");
            }
            ExitCode::from(1)
        }
    }
}
