//! `paynet-sandbox [--port N] [--secret-key K] [--slow-bank-delay-ms N] [--settlement-days N]`
//!
//! Prints `LISTENING url=http://127.0.0.1:PORT` once ready (wrappers wait for that line),
//! then serves until SIGINT or SIGTERM.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use paynet_sandbox::{Sandbox, SandboxConfig};

const USAGE: &str = "usage: paynet-sandbox [--port N] [--secret-key K] [--slow-bank-delay-ms N] [--settlement-days N]";

fn parse_args(args: impl Iterator<Item = String>) -> Result<SandboxConfig, String> {
    let mut config = SandboxConfig::default();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        // Both `--flag value` and `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--port" => {
                config.port = value()?
                    .parse()
                    .map_err(|_| "--port must be 0-65535".to_owned())?
            }
            "--secret-key" => {
                let key = value()?;
                if key.is_empty() {
                    return Err("--secret-key must not be empty".to_owned());
                }
                config.secret_key = key;
            }
            "--slow-bank-delay-ms" => {
                let ms: u64 = value()?
                    .parse()
                    .map_err(|_| "--slow-bank-delay-ms must be a number".to_owned())?;
                config.slow_bank_delay = Duration::from_millis(ms);
            }
            "--settlement-days" => {
                config.settlement_days = value()?
                    .parse()
                    .map_err(|_| "--settlement-days must be an integer".to_owned())?;
            }
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(config)
}

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
        Ok(c) => c,
        Err(msg) => {
            if msg.is_empty() {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<SandboxConfig, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn args() {
        let c = parse(&[
            "--port",
            "8080",
            "--secret-key=k",
            "--slow-bank-delay-ms",
            "10",
            "--settlement-days",
            "2",
        ]);
        let c = c.unwrap_or_default();
        assert_eq!(c.port, 8080);
        assert_eq!(c.secret_key, "k");
        assert_eq!(c.slow_bank_delay, Duration::from_millis(10));
        assert_eq!(c.settlement_days, 2);
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
    }
}
