//! `v1/transaction/capture_reversal`: cancel a capture on its own day. The pre-auth it
//! captured becomes capturable again; a capture with a refund pending or approved, or
//! from an earlier day, is paid back with `reversed_request` instead.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;

use super::responses::{CaptureResponse, capture_response};
use super::reversal::{refused, reversal_row};
use super::{json_ok, lookup, unwrap_response};
use crate::Shared;
use crate::ledger::{self, Entry, XactType};
use crate::wire::{ApiError, ApiResult, Fields, parse_object, rc};

/// The reversal as a transaction object, with the `xact_type` that says what it is.
#[derive(Serialize)]
struct Answer<'a> {
    #[serde(flatten)]
    transaction: CaptureResponse<'a>,
    xact_type: &'a str,
}

pub async fn capture_reversal(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(run(&s, &body))
}

fn run(s: &Shared, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    // Checked and recorded under one lock, like capture: a reversal and a refund request
    // (or a second reversal) cannot both succeed.
    let mut l = ledger::lock(&s.ledger);
    let capture = lookup::by_xact_id(&l, &f)?;
    if capture.xact_type != XactType::Capture {
        return Err(ApiError::invalid_rc(
            rc::WRONG_TRANSACTION_TYPE,
            "Sadece finansallaştırma işlemi iptal edilebilir (only a capture can be reversed)",
        ));
    }
    if capture.after.voided_by.is_some() {
        return Err(refused(
            "Bu finansallaştırma daha önce iptal edilmiş (the capture has already been reversed)",
        ));
    }
    if s.clock.today() > capture.date.date_naive() {
        return Err(refused(
            "Finansallaştırma yalnızca aynı gün iptal edilebilir; sonra reversed_request ile iade edin \
             (a capture is reversed on its own day only; later, refund it with reversed_request)",
        ));
    }
    let (pending, approved) = l.reversals.claimed(capture.id);
    if pending + approved > 0 {
        return Err(refused(
            "İade talebi olan finansallaştırma iptal edilemez \
             (the capture has a pending or approved refund request)",
        ));
    }
    let row = reversal_row(
        s,
        &l,
        capture,
        XactType::CaptureReversal,
        capture.split,
        format!("xk_{}", s.rng.token(40)),
        s.clock.now(),
    );
    let (capture_id, pre_id) = (capture.id, capture.parent);
    let row_id = row.id;
    set(&mut l, Some(capture_id), |e| {
        e.after.voided_by = Some(row_id)
    });
    set(&mut l, pre_id, |e| e.captured_by = None);
    let row = l.push(row);
    Ok(json_ok(&Answer {
        transaction: capture_response(row),
        xact_type: row.xact_type.code(),
    }))
}

fn set(l: &mut ledger::Ledger, id: Option<u64>, change: impl FnOnce(&mut Entry)) {
    if let Some(e) = id.and_then(|id| l.get_mut(id)) {
        change(e);
    }
}
