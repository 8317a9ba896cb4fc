//! The `catalog-sync` binary: parse arguments, build the runtime the command needs, and hand
//! over to [`catalog_sync::cli::main`].

use std::process::ExitCode;

use clap::Parser;

use catalog_sync::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // One-shot commands (`--once`, `plan`, `status`, `auth`) run on this thread alone: their
    // work is one exchange after another, and handing each step to another worker thread costs
    // more than it saves. The daemon, the sandbox and the demo serve many things at once.
    let mut runtime = if cli.is_one_shot() {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let runtime = match runtime.enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("catalog-sync: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(cli::main(cli)) {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            eprintln!("catalog-sync: {e:#}");
            ExitCode::from(1)
        }
    }
}
