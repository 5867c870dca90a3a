//! `v1/transaction/preauth_reversal`: cancel a pre-auth that was not captured.
//! Once only, never while captured; a reversed pre-auth cannot be captured. The
//! reversal is an `RP` row of the ledger.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;

use super::responses::MSG_OK;
use super::reversal::void_preauth;
use super::{json_ok, lookup, unwrap_response};
use crate::Shared;
use crate::ledger::{self, XactType};
use crate::wire::{ApiError, ApiResult, Fields, parse_object, rc};

#[derive(Serialize)]
struct ReversalResponse<'a> {
    object_name: &'a str,
    code: i32,
    message: &'a str,
}

pub async fn preauth_reversal(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(run(&s, &body))
}

fn run(s: &Shared, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    // Checked and recorded under one lock: two reversals, or a reversal and
    // a capture, cannot both succeed.
    let mut l = ledger::lock(&s.ledger);
    let pre = lookup::by_xact_id(&l, &f)?;
    if pre.xact_type != XactType::PreAuth || !pre.is_succeed {
        return Err(ApiError::invalid_rc(
            rc::WRONG_TRANSACTION_TYPE,
            "Sadece başarılı ön provizyon iptal edilebilir (only a successful pre-auth can be reversed)",
        ));
    }
    if pre.captured_by.is_some() {
        return Err(ApiError::invalid_rc(
            rc::NO_PROCESS,
            "Finansallaştırılmış ön provizyon iptal edilemez (a captured pre-auth cannot be reversed)",
        ));
    }
    if pre.after.voided_by.is_some() {
        return Err(ApiError::invalid_rc(
            rc::NO_PROCESS,
            "Bu ön provizyon daha önce iptal edilmiş (the pre-auth has already been reversed)",
        ));
    }
    let pre_id = pre.id;
    void_preauth(s, &mut l, pre_id);
    Ok(json_ok(&ReversalResponse {
        object_name: "transaction_preauth_reversal",
        code: 0,
        message: MSG_OK,
    }))
}
