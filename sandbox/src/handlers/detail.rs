//! `v1/transaction/detail`: one transaction with what happened to it after the sale.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;

use super::payment_list::COMPANY_NAME;
use super::responses::{CheckRow, MSG_OK, check_row};
use super::reversal::reversed;
use super::{json_ok, lookup, unwrap_response};
use crate::Shared;
use crate::ledger;
use crate::money::Tl;
use crate::wire::{ApiResult, Fields, parse_object};

/// `check`'s row and the after-sale fields (AFTER-SALE.md).
#[derive(Serialize)]
struct DetailRow<'a> {
    #[serde(flatten)]
    check: CheckRow<'a>,
    reversed_xact_id: Option<&'a str>,
    refunded_amount: Tl,
    company_amount: Tl,
    agent_amount: Tl,
    xact_type: &'a str,
    xact_type_desc: &'a str,
    agent_name: &'a str,
    company_name: &'a str,
    is_transferred: bool,
    document_no: Option<&'a str>,
    /// Sandbox additions: whether the payment is held in escrow, and its status (1
    /// waiting, 2 approved, 3 rejected); `null` when not escrowed.
    is_escrow: bool,
    escrow_status: Option<u8>,
}

#[derive(Serialize)]
struct DetailResponse<'a> {
    object_name: &'a str,
    code: i32,
    message: &'a str,
    #[serde(rename = "Data")]
    data: [DetailRow<'a>; 1],
}

pub async fn detail(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(run(&s, &body))
}

fn run(s: &Shared, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    let l = ledger::lock(&s.ledger);
    let e = lookup::transaction(&l, &f)?;
    let state = reversed(&l, e);
    let company_amount = e.company_amount.unwrap_or(e.split.amount);
    Ok(json_ok(&DetailResponse {
        object_name: "transaction_detail",
        code: 0,
        message: MSG_OK,
        data: [DetailRow {
            check: check_row(e, state.reversed),
            reversed_xact_id: state.reversed_xact_id,
            refunded_amount: Tl(state.refunded),
            company_amount: Tl(company_amount),
            agent_amount: Tl(e.split.amount - company_amount),
            xact_type: e.xact_type.code(),
            xact_type_desc: e.xact_type.description(),
            agent_name: COMPANY_NAME,
            company_name: COMPANY_NAME,
            is_transferred: e.after.transfer.is_some(),
            document_no: e
                .after
                .transfer
                .as_ref()
                .and_then(|t| t.document_no.as_deref()),
            is_escrow: e.after.escrow.is_some(),
            escrow_status: e.after.escrow.map(|status| status as u8),
        }],
    }))
}
