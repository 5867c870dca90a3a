//! The browser side of Paynet.js: the script a shop page loads, and the cross-origin
//! session call it makes with the publishable key.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::charge::new_session;
use super::{authorized, json_ok, unwrap_response};
use crate::Shared;
use crate::wire::{ApiError, ApiResult, Fields, parse_object};

pub const SCRIPT_PATH: &str = "/public/js/paynet.min.js";
pub const SESSION_PATH: &str = "/__sandbox/paynetjs/session";
const SCRIPT: &str = include_str!("../assets/paynet.min.js");

pub async fn script() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/javascript; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SCRIPT,
    )
        .into_response()
}

/// The shop's page and the sandbox are different origins: every answer of the session
/// endpoint, errors included, lets that page's script read it.
pub async fn cors(req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let mut response = if req.method() == Method::OPTIONS {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(req).await
    };
    if let Some(origin) = origin {
        let h = response.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("POST, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type, authorization"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
    response
}

/// Answered by [`cors`]; routed so OPTIONS is not a 405.
pub async fn preflight() -> StatusCode {
    StatusCode::NO_CONTENT
}

pub async fn session(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let answer = parse_object(&body).and_then(|map| {
        let f = Fields::new(&map);
        authorize(&s, Some(&headers), &f)?;
        new_session(&s, &f)
    });
    unwrap_response(answer.map(|(session_id, token_id)| {
        json_ok(&serde_json::json!({ "session_id": session_id, "token_id": token_id }))
    }))
}

/// The publishable key in the body (`publishable_key`, what the script sends) or in
/// `Authorization: Basic` (the publishable or the secret key). A request naming no key
/// is the sandbox's original keyless form and still accepted; a wrong key is a 401.
fn authorize(s: &Shared, headers: Option<&HeaderMap>, f: &Fields<'_>) -> ApiResult<()> {
    if let Some(key) = f.string("publishable_key", 200)? {
        return if key == s.publishable_key {
            Ok(())
        } else {
            Err(ApiError::unauthorized())
        };
    }
    match headers {
        Some(h) if h.contains_key(header::AUTHORIZATION) => {
            if authorized(h, &s.publishable_key) || authorized(h, &s.config.secret_key) {
                Ok(())
            } else {
                Err(ApiError::unauthorized())
            }
        }
        _ => Ok(()),
    }
}

pub fn session_in_process(
    s: &Shared,
    request: &serde_json::Value,
) -> Result<serde_json::Value, String> {
    let map = request
        .as_object()
        .ok_or("the Paynet.js session request must be a JSON object")?;
    let f = Fields::new(map);
    authorize(s, None, &f)
        .and_then(|()| new_session(s, &f))
        .map(|(session_id, token_id)| {
            serde_json::json!({ "session_id": session_id, "token_id": token_id })
        })
        .map_err(|e| e.message)
}
