//! `paynet-sandbox [--host ADDR] [--port N] [--public-url URL] ...` (`--help`: sandbox/src/cli.rs)
//!
//! Prints `LISTENING url=http://127.0.0.1:PORT` once ready (wrappers wait for that line),
//! then serves until SIGINT or SIGTERM.

use std::io::Write as _;
use std::process::ExitCode;

use paynet_sandbox::Sandbox;
use paynet_sandbox::cli::{USAGE, parse_args};

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(Some(c)) => c,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("paynet-sandbox: {msg}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let sandbox = match Sandbox::start_with(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("paynet-sandbox: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "LISTENING url={}", sandbox.url());
    let _ = stdout.flush();
    drop(stdout);
    shutdown_signal().await;
    sandbox.stop().await;
    ExitCode::SUCCESS
}
