//! `v1/transaction/check`: status of one transaction by `xact_id` or `reference_no`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;

use super::responses::{CheckRow, MSG_OK, check_row};
use super::{json_ok, reversal, unwrap_response};
use crate::Shared;
use crate::ledger;
use crate::wire::{ApiError, ApiResult, Fields, parse_object};

#[derive(Serialize)]
struct CheckResponse<'a> {
    object_name: &'a str,
    code: i32,
    message: &'a str,
    #[serde(rename = "Data")]
    data: [CheckRow<'a>; 1],
}

pub async fn check(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(run(&s, &body))
}

fn run(s: &Shared, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    let xact_id = f.string("xact_id", 100)?;
    let reference_no = f.string("reference_no", 50)?;
    let l = ledger::lock(&s.ledger);
    let entry = match (&xact_id, &reference_no) {
        (Some(x), _) => l.by_xact_id(x),
        // The latest successful attempt for the reference, else its latest attempt.
        (None, Some(r)) => l.by_reference(r),
        (None, None) => {
            return Err(ApiError::invalid(
                "xact_id veya reference_no alanlarından biri zorunludur (xact_id or reference_no is required)",
            ));
        }
    };
    let entry =
        entry.ok_or_else(|| ApiError::not_found_tx("İşlem bulunamadı (transaction not found)"))?;
    Ok(json_ok(&CheckResponse {
        object_name: "transaction_check",
        code: 0,
        message: MSG_OK,
        data: [check_row(entry, reversal::reversed(&l, entry).reversed)],
    }))
}
