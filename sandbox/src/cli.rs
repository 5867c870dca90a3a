//! The command line of the sandbox program, one parser for every way it is
//! started: the `paynet-sandbox` binary, Python's `paynet-sandbox` console
//! script and `npx paynet-sandbox` (both through their binding).

use std::net::IpAddr;
use std::time::Duration;

use crate::SandboxConfig;

pub const USAGE: &str = "usage: paynet-sandbox [--host ADDR] [--port N] [--public-url URL] [--secret-key K] \
[--slow-bank-delay-ms N] [--settlement-days N] [--auto-approve-reversals] [--require-card-otp]

Serves a local Paynet until interrupted. Prints `LISTENING url=...` once ready.
  --host ADDR               listen address (default 127.0.0.1; 0.0.0.0 in a container)
  --port N                  port (default 0: a free one)
  --public-url URL          the URL clients use, when not the listen address
                            (pages and links the sandbox hands out start with it)
  --secret-key K            the key clients must send (default sck_sandbox_0000000000000000)
  --slow-bank-delay-ms N    how long the slow-bank test card takes (default 3000)
  --settlement-days N       days from a sale to its payout date (default 0)
  --auto-approve-reversals  approve refund and cancel requests at once
  --require-card-otp        a card save needs a verified card OTP (v1/card/send_otp, check_otp)";

/// The config the arguments ask for, `None` for `--help`, or what is wrong
/// with them. Both `--flag value` and `--flag=value`.
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<SandboxConfig>, String> {
    let mut config = SandboxConfig::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--host" => config.host = value()?.parse::<IpAddr>().map_err(|_| "--host must be an IP address".to_owned())?,
            "--port" => config.port = value()?.parse().map_err(|_| "--port must be 0-65535".to_owned())?,
            "--public-url" => {
                let url = value()?;
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err("--public-url must be an http(s) URL".to_owned());
                }
                config.public_url = Some(url);
            }
            "--secret-key" => {
                let key = value()?;
                if key.is_empty() {
                    return Err("--secret-key must not be empty".to_owned());
                }
                config.secret_key = key;
            }
            "--slow-bank-delay-ms" => {
                let ms: u64 = value()?.parse().map_err(|_| "--slow-bank-delay-ms must be a number".to_owned())?;
                config.slow_bank_delay = Duration::from_millis(ms);
            }
            "--settlement-days" => {
                config.settlement_days = value()?.parse().map_err(|_| "--settlement-days must be an integer".to_owned())?
            }
            "--auto-approve-reversals" if inline.is_none() => config.auto_approve_reversals = true,
            "--require-card-otp" if inline.is_none() => config.require_card_otp = true,
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(Some(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<SandboxConfig>, String> {
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
            "--host=0.0.0.0",
            "--public-url",
            "http://paynet-sandbox:8080",
            "--auto-approve-reversals",
        ]);
        let c = c.ok().flatten().unwrap_or_default();
        assert_eq!(c.port, 8080);
        assert_eq!(c.secret_key, "k");
        assert_eq!(c.slow_bank_delay, Duration::from_millis(10));
        assert_eq!(c.settlement_days, 2);
        assert_eq!(c.host.to_string(), "0.0.0.0");
        assert_eq!(c.public_url.as_deref(), Some("http://paynet-sandbox:8080"));
        assert!(c.auto_approve_reversals);
        assert!(matches!(parse(&["--help"]), Ok(None)));
        for bad in [&["--port"][..], &["--bogus"], &["--host", "localhost"], &["--public-url", "ftp://x"], &["--auto-approve-reversals=1"]] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
