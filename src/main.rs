//! The `catalog-sync` binary: parse arguments and hand over to [`catalog_sync::cli::main`].

use std::process::ExitCode;

use clap::Parser;

use catalog_sync::cli::{self, Cli};

#[tokio::main]
async fn main() -> ExitCode {
    match cli::main(Cli::parse()).await {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            eprintln!("catalog-sync: {e:#}");
            ExitCode::from(1)
        }
    }
}
