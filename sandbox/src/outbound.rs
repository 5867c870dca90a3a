//! Posts JSON to the shop, as Paynet does when a PayLink is paid (`confirmation_url`) or
//! a refund request is decided (`succeedUrl`): a minimal HTTP/1.1 client on a raw tokio `TcpStream` (the sandbox takes no
//! HTTP client dependency for one JSON post). Redirects are never followed: a 3xx is a
//! failed delivery, like any other non-2xx answer.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{Shared, lock};

/// The first attempt and up to this many retries.
pub const MAX_RETRIES: u32 = 5;
/// Short on purpose: the whole retry schedule (50 ms doubling) stays under two seconds,
/// so tests can wait for it.
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);
const HTTPS_UNSUPPORTED: &str = "https not supported by the sandbox";

/// Which log a post's attempts go to.
#[derive(Debug, Clone, Copy)]
pub enum Log {
    /// PayLink `confirmation_url` posts ([`crate::Sandbox::confirmations`]).
    Confirmations,
    /// Refund review `succeedUrl` posts ([`crate::Sandbox::reversal_posts`]).
    ReversalPosts,
}

impl Log {
    fn of(self, s: &Shared) -> &std::sync::Mutex<Vec<Confirmation>> {
        match self {
            Log::Confirmations => &s.confirmations,
            Log::ReversalPosts => &s.reversal_posts,
        }
    }
}

/// One delivery attempt of a post to the shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Confirmation {
    pub url: String,
    /// 1 for the first try.
    pub attempt: u32,
    /// The shop's HTTP status, when it answered.
    pub status: Option<u16>,
    /// Why there is no 2xx status: connection error, timeout, unsupported URL.
    pub error: Option<String>,
    pub delivered: bool,
    pub reference_no: String,
    pub xact_id: String,
}

/// Delivers `body` on a detached task of the server's runtime, so the payer's page is
/// answered without waiting for the shop.
pub fn spawn_delivery(
    s: &Arc<Shared>,
    log: Log,
    url: String,
    reference_no: String,
    xact_id: String,
    body: Vec<u8>,
) {
    let shared = Arc::clone(s);
    s.runtime.spawn(async move {
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1..=MAX_RETRIES + 1 {
            let outcome = post_json(&url, &body).await;
            let (status, error, delivered, permanent) = match outcome {
                Ok(code) => (Some(code), None, (200..300).contains(&code), false),
                Err(Failure::Permanent(e)) => (None, Some(e), false, true),
                Err(Failure::Transient(e)) => (None, Some(e), false, false),
            };
            tracing::debug!(%url, attempt, ?status, delivered, ?log, "post to the shop");
            lock(log.of(&shared)).push(Confirmation {
                url: url.clone(),
                attempt,
                status,
                error,
                delivered,
                reference_no: reference_no.clone(),
                xact_id: xact_id.clone(),
            });
            if delivered || permanent {
                return;
            }
            if attempt <= MAX_RETRIES {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
        }
    });
}

enum Failure {
    /// Retrying cannot help (the URL itself is unusable).
    Permanent(String),
    Transient(String),
}

/// Where an `http://` URL points.
#[derive(Debug, PartialEq, Eq)]
struct Target<'a> {
    /// As written, for the `Host` header.
    authority: &'a str,
    host: &'a str,
    port: u16,
    /// The request target: `/path?query`, `/` at least.
    target: String,
}

fn parse_target(url: &str) -> Result<Target<'_>, Failure> {
    let scheme = |p: &str| {
        url.get(..p.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(p))
    };
    if scheme("https://") {
        return Err(Failure::Permanent(HTTPS_UNSUPPORTED.to_owned()));
    }
    if !scheme("http://") {
        return Err(Failure::Permanent(format!("not an http:// URL: {url}")));
    }
    // The fragment never goes on the wire.
    let rest = url[7..].split('#').next().unwrap_or_default();
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(split);
    let bad = || Failure::Permanent(format!("bad host in {url}"));
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or_else(bad)?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        Some(p) => p.parse().map_err(|_| bad())?,
        None => 80,
    };
    if host.is_empty() || authority.contains('@') {
        return Err(bad());
    }
    let target = if tail.starts_with('/') {
        tail.to_owned()
    } else {
        format!("/{tail}")
    };
    Ok(Target {
        authority,
        host,
        port,
        target,
    })
}

/// One POST; `Ok` is the answer's status code, read from its status line.
async fn post_json(url: &str, body: &[u8]) -> Result<u16, Failure> {
    let t = parse_target(url)?;
    let transient =
        |what: &str, e: &dyn std::fmt::Display| Failure::Transient(format!("{what}: {e}"));
    let mut stream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((t.host, t.port)))
        .await
        .map_err(|e| transient("connect timed out", &e))?
        .map_err(|e| transient("connect failed", &e))?;
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: paynet-sandbox\r\n\
         Content-Type: application/json; charset=utf-8\r\nAccept: */*\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        t.target,
        t.authority,
        body.len()
    );
    let exchange = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body).await?;
        stream.flush().await?;
        read_status_line(&mut stream).await
    };
    let line = tokio::time::timeout(ANSWER_TIMEOUT, exchange)
        .await
        .map_err(|e| transient("no answer", &e))?
        .map_err(|e| transient("exchange failed", &e))?;
    parse_status(&line).ok_or_else(|| Failure::Transient(format!("not an HTTP answer: {line:?}")))
}

/// Reads up to the end of the first line; only the status matters to the sender.
async fn read_status_line(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut buf = Vec::with_capacity(256);
    let mut chunk = [0u8; 256];
    loop {
        if let Some(end) = buf.windows(2).position(|w| w == b"\r\n") {
            buf.truncate(end);
            break;
        }
        if buf.len() > 8 * 1024 {
            break;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// `HTTP/1.1 204 No Content` → 204.
fn parse_status(line: &str) -> Option<u16> {
    let mut parts = line.split(' ');
    let version = parts.next()?;
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    let code = parts.next()?;
    if code.len() != 3 {
        return None;
    }
    code.parse().ok().filter(|c| (100..=599).contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Option<(String, String, u16, String)> {
        parse_target(url)
            .ok()
            .map(|t| (t.authority.to_owned(), t.host.to_owned(), t.port, t.target))
    }

    #[test]
    fn targets() {
        assert_eq!(
            target("http://127.0.0.1:8080/hook?a=1#x"),
            Some((
                "127.0.0.1:8080".into(),
                "127.0.0.1".into(),
                8080,
                "/hook?a=1".into()
            ))
        );
        assert_eq!(
            target("HTTP://shop.example"),
            Some(("shop.example".into(), "shop.example".into(), 80, "/".into()))
        );
        assert_eq!(
            target("http://shop.example?x=1"),
            Some((
                "shop.example".into(),
                "shop.example".into(),
                80,
                "/?x=1".into()
            ))
        );
        assert_eq!(
            target("http://[::1]:9/p"),
            Some(("[::1]:9".into(), "::1".into(), 9, "/p".into()))
        );
        assert!(matches!(
            parse_target("https://shop.example/hook"),
            Err(Failure::Permanent(e)) if e == HTTPS_UNSUPPORTED
        ));
        assert!(parse_target("http://user@shop.example/").is_err());
        assert!(parse_target("http://:80/").is_err());
        assert!(parse_target("ftp://shop.example/").is_err());
    }

    #[test]
    fn status_lines() {
        assert_eq!(parse_status("HTTP/1.1 204 No Content"), Some(204));
        assert_eq!(parse_status("HTTP/1.0 500"), Some(500));
        assert_eq!(parse_status("SSH-2.0-OpenSSH"), None);
        assert_eq!(parse_status("HTTP/1.1 2000 x"), None);
    }
}
