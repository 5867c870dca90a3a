//! Serving an injected fault: the answer a fired [`FaultRule`] gives instead of (`before`)
//! or in place of (`after`) the real one.

use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::conn::{ConnHandle, Kill};
use crate::faults::{FaultKind, FaultRule, FaultWhen};
use crate::wire::{ApiError, rc};

/// The most of a request body an `echo` fault buffers (more is echoed as empty).
const ECHO_LIMIT: usize = 16 * 1024 * 1024;

/// Runs the request through `next` as `rule` says and answers with the fault.
pub async fn strike(rule: FaultRule, req: Request, next: Next) -> Response {
    let conn = req
        .extensions()
        .get::<ConnectInfo<ConnHandle>>()
        .map(|c| c.0.clone());
    let (req, echo) = if rule.kind == FaultKind::Echo {
        let (req, page) = echo_page(req).await;
        (req, Some(page))
    } else {
        (req, None)
    };
    let real = match rule.when {
        FaultWhen::Before if rule.kind == FaultKind::Delay => {
            sleep_ms(rule.delay_ms).await;
            return next.run(req).await;
        }
        FaultWhen::Before => {
            if matches!(rule.kind, FaultKind::Reset | FaultKind::Close) {
                // Read the request to its end, as a front proxy would: unread bytes would
                // turn the clean close into a reset.
                let _ = to_bytes(req.into_body(), ECHO_LIMIT).await;
            }
            None
        }
        // The handler (and with it the ledger) finishes first; money-moving steps run
        // detached, so they commit whatever happens to the connection afterwards.
        FaultWhen::After => Some(next.run(req).await),
    };
    answer(&rule, real, conn, echo).await
}

async fn answer(
    rule: &FaultRule,
    real: Option<Response>,
    conn: Option<ConnHandle>,
    echo: Option<String>,
) -> Response {
    let status = rule
        .effective_status()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::BAD_GATEWAY);
    let mut resp = match rule.kind {
        FaultKind::Reset | FaultKind::Close => {
            let Some(conn) = conn else {
                return no_listener(rule);
            };
            conn.kill(if rule.kind == FaultKind::Reset {
                Kill::Reset
            } else {
                Kill::Close
            });
            // Never sent: the connection dies on its first byte.
            return real.unwrap_or_else(|| StatusCode::BAD_GATEWAY.into_response());
        }
        FaultKind::Delay => {
            sleep_ms(rule.delay_ms).await;
            return real.unwrap_or_else(|| StatusCode::BAD_GATEWAY.into_response());
        }
        FaultKind::Truncate => {
            let Some(conn) = conn else {
                return no_listener(rule);
            };
            let Some(real) = real else {
                return no_listener(rule);
            };
            let (mut parts, body) = real.into_parts();
            let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
            conn.kill(Kill::Truncate {
                keep: body.len() / 2,
            });
            return Response::from_parts(parts, Body::from(body));
        }
        FaultKind::Status => ApiError::new(
            status,
            "api_error",
            rc::SERVER_ERROR,
            "Sandbox: enjekte edilmiş hata (injected fault)",
        )
        .into_response(),
        FaultKind::Redirect => {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = status;
            if let Some(loc) = rule
                .location
                .as_deref()
                .and_then(|l| HeaderValue::from_str(l).ok())
            {
                r.headers_mut().insert(header::LOCATION, loc);
            }
            r.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(0));
            r
        }
        FaultKind::Replace => (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            rule.body.clone().unwrap_or_default(),
        )
            .into_response(),
        FaultKind::Echo => (
            status,
            [(header::CONTENT_TYPE, "text/html")],
            echo.unwrap_or_default(),
        )
            .into_response(),
    };
    if let Some(secs) = rule.retry_after {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

async fn sleep_ms(ms: Option<u64>) {
    tokio::time::sleep(Duration::from_millis(ms.unwrap_or(0))).await;
}

/// Only when the router is served without the sandbox's listener (never by `Sandbox`).
fn no_listener(rule: &FaultRule) -> Response {
    tracing::warn!(kind = %rule.kind, "fault needs the sandbox's own listener; answering 502");
    ApiError::new(
        StatusCode::BAD_GATEWAY,
        "api_error",
        rc::SERVER_ERROR,
        "Sandbox: enjekte edilmiş hata (injected fault)",
    )
    .into_response()
}

/// What a broken proxy sends back: the request line, every header as received and the
/// body, in an HTML-ish 502 page. Returns the request rebuilt for the handler.
async fn echo_page(req: Request) -> (Request, String) {
    let (parts, body) = req.into_parts();
    let body = to_bytes(body, ECHO_LIMIT)
        .await
        .unwrap_or_else(|_| Bytes::new());
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut page = format!(
        "<html><head><title>502 Bad Gateway</title></head><body>\n\
         <h1>502 Bad Gateway</h1>\n<p>The upstream server sent an invalid answer to:</p>\n<pre>\n\
         {} {target} {:?}\n",
        parts.method, parts.version
    );
    for (name, value) in &parts.headers {
        page.push_str(name.as_str());
        page.push_str(": ");
        page.push_str(&String::from_utf8_lossy(value.as_bytes()));
        page.push('\n');
    }
    page.push('\n');
    page.push_str(&String::from_utf8_lossy(&body));
    page.push_str("\n</pre>\n<hr><center>nginx</center>\n</body></html>\n");
    (Request::from_parts(parts, Body::from(body)), page)
}
