//! Core errors → JS. An async napi function can only reject with a
//! `Status`-coded error, so every error carries its data in the message:
//! `PAYNET:` + a JSON envelope, which `lib/errors.js` turns into the
//! matching `PaynetError` subclass.

use std::panic::{AssertUnwindSafe, catch_unwind};

use napi::{Error as NapiError, Status};
use paynet_core::Error as CoreError;
use serde_json::json;

pub const ENVELOPE_PREFIX: &str = "PAYNET:";

pub fn to_napi(e: CoreError) -> NapiError {
    let envelope = json!({
        "kind": e.kind.as_str(),
        "message": e.message,
        "field": e.field,
        "httpStatus": e.http_status,
        "resultCode": e.result_code,
        "errorType": e.error_type,
        "paynetErrorId": e.paynet_error_id,
        "bankErrorCode": e.bank_error_code,
        "bankMessage": e.bank_message,
        "transaction": e.transaction,
        "referenceNo": e.reference_no,
        "xactId": e.xact_id,
        "bodySnippet": e.body_snippet,
        "cause": e.cause,
    });
    NapiError::new(
        Status::GenericFailure,
        format!("{ENVELOPE_PREFIX}{envelope}"),
    )
}

/// Runs a synchronous export so that a panic becomes an `internal` error
/// instead of aborting Node. (napi's own `catch_unwind` attribute needs an
/// `UnwindSafe` receiver, which the HTTP client inside `NativeClient` is not;
/// nothing is shared mutably across the boundary, so asserting it is sound.)
pub fn guard<T>(f: impl FnOnce() -> Result<T, CoreError>) -> napi::Result<T> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| {
            Err(CoreError::internal(
                "paynet hit an internal error (a bug); please report it",
            ))
        })
        .map_err(to_napi)
}
