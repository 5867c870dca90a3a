//! `v1/transaction/list`: the transactions of a range of days, reversals as rows of their
//! own, ordered by `xact_date` then id, one page at a time.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;

use super::listing::{Page, date_range};
use super::reversal::reversed;
use super::{json_ok, unwrap_response};
use crate::Shared;
use crate::ledger::{self, Entry, Ledger};
use crate::money::Tl;
use crate::util;
use crate::wire::{ApiResult, Fields, parse_object};

#[derive(Serialize)]
struct ListRow<'a> {
    xact_id: &'a str,
    xact_date: String,
    reference_no: &'a str,
    xact_type: &'a str,
    is_succeed: bool,
    amount: Tl,
    net_amount: Tl,
    comission: Tl,
    comission_tax: Tl,
    currency: &'a str,
    instalment: i64,
    bank_id: &'a str,
    bank_name: &'a str,
    card_no: &'a str,
    card_holder: &'a str,
    card_type: &'a str,
    authorization_code: String,
    reference_code: String,
    order_id: String,
    agent_id: &'a str,
    is_transferred: bool,
    reversed: bool,
    pos_type: u8,
}

fn row<'a>(l: &'a Ledger, e: &'a Entry) -> ListRow<'a> {
    ListRow {
        xact_id: &e.xact_id,
        xact_date: util::iso_7(&e.date),
        reference_no: &e.reference_no,
        xact_type: e.xact_type.code(),
        is_succeed: e.is_succeed,
        amount: Tl(e.split.amount),
        net_amount: Tl(e.split.net),
        comission: Tl(e.split.commission),
        comission_tax: Tl(e.split.tax),
        currency: "TRY",
        instalment: e.instalment,
        bank_id: e.bank.id,
        bank_name: e.bank.name,
        card_no: &e.card_masked,
        card_holder: &e.card_holder,
        card_type: "cc",
        authorization_code: e.authorization_code(),
        reference_code: e.reference_code(),
        order_id: e.order_id(),
        agent_id: &e.agent_id,
        is_transferred: e.after.transfer.is_some(),
        reversed: reversed(l, e).reversed,
        pos_type: 5,
    }
}

pub async fn list(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(run(&s, &body))
}

fn run(s: &Shared, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    let days = date_range(&f)?;
    let agent_id = f.string("agent_id", 10)?;
    let bank_id = f.string("bank_id", 4)?;
    let user_id = f.string("user_id", 100)?;
    let show_unsucceed = f.bool("show_unsucceed")?.unwrap_or(false);
    let untransferred = f.bool("untransferred")?.unwrap_or(false);
    let page = Page::read(&f)?;

    let l = ledger::lock(&s.ledger);
    let mut matching: Vec<&Entry> = l
        .entries()
        .iter()
        .filter(|e| days.contains(&e.date.date_naive()))
        .filter(|e| show_unsucceed || e.is_succeed)
        .filter(|e| !untransferred || e.after.transfer.is_none())
        .filter(|e| agent_id.as_ref().is_none_or(|a| *a == e.agent_id))
        .filter(|e| bank_id.as_ref().is_none_or(|b| b == e.bank.id))
        .filter(|e| user_id.as_ref().is_none_or(|u| u == e.user_id))
        .collect();
    // The ledger is in id order; only a clock set back (or seeded days) breaks date order.
    matching.sort_by_key(|e| (e.date, e.id));
    // What the listed transactions moved: charges minus what was paid back.
    let total_amount = matching
        .iter()
        .filter(|e| e.is_succeed)
        .map(|e| e.signed_amount())
        .sum();
    let mut answer = page.answer("transaction_list", &matching, |e| row(&l, e));
    answer.total_amount = Some(Tl(total_amount));
    Ok(json_ok(&answer))
}
