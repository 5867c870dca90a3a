//! `/__sandbox/*`: test and benchmark helpers. No auth, not counted as API requests.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveTime;
use serde::Serialize;

use super::payment::COMPANY_CODE;
use super::payment_list::parse_date;
use super::{json_ok, unwrap_response};
use crate::Shared;
use crate::cards;
use crate::faults::{FaultPlan, FaultRule};
use crate::ledger::{self, CardStorage, Entry, FIRST_ID, XactType};
use crate::money::{self, Ratio, Tl};
use crate::util;
use crate::wire::{ApiError, ApiResult, Fields, parse_object};

pub async fn stats(State(s): State<Arc<Shared>>) -> Response {
    let st = s.stats();
    json_ok(&serde_json::json!({ "requests": st.requests, "ledger_entries": st.ledger_entries }))
}

/// Every `confirmation_url` delivery attempt, oldest first.
pub async fn confirmations(State(s): State<Arc<Shared>>) -> Response {
    let list = crate::lock(&s.confirmations);
    json_ok(&serde_json::json!({ "confirmations": *list, "count": list.len() }))
}

/// A ledger entry as the admin view shows it: masked PAN only.
#[derive(Serialize)]
struct LedgerRow<'a> {
    id: u64,
    xact_id: &'a str,
    xact_type: &'a str,
    transaction_type: u8,
    xact_date: String,
    due_date: String,
    is_succeed: bool,
    bank_error_id: &'a str,
    reference_no: &'a str,
    amount: Tl,
    net_amount: Tl,
    comission: Tl,
    comission_tax: Tl,
    ratio: Ratio,
    instalment: i64,
    bank_id: &'a str,
    card_no_masked: &'a str,
    card_bin: &'a str,
    card_last4: &'a str,
    parent_id: Option<u64>,
    captured_by: Option<u64>,
    card_hash: &'a str,
}

pub async fn ledger(State(s): State<Arc<Shared>>) -> Response {
    let l = ledger::lock(&s.ledger);
    let rows: Vec<LedgerRow<'_>> = l
        .entries()
        .iter()
        .map(|e| {
            let masked = e.card_masked.as_str();
            LedgerRow {
                id: e.id,
                xact_id: &e.xact_id,
                xact_type: e.xact_type.code(),
                transaction_type: e.transaction_type,
                xact_date: util::iso_7(&e.date),
                due_date: e.due_date.format("%Y-%m-%d").to_string(),
                is_succeed: e.is_succeed,
                bank_error_id: e.decline.map(|d| d.bank_error_id).unwrap_or(""),
                reference_no: &e.reference_no,
                amount: Tl(e.split.amount),
                net_amount: Tl(e.split.net),
                comission: Tl(e.split.commission),
                comission_tax: Tl(e.split.tax),
                ratio: Ratio(e.ratio_bp),
                instalment: e.instalment,
                bank_id: e.bank.id,
                card_no_masked: masked,
                card_bin: masked.get(..6).unwrap_or(""),
                card_last4: masked.get(masked.len().saturating_sub(4)..).unwrap_or(""),
                parent_id: e.parent,
                captured_by: e.captured_by,
                card_hash: &e.storage.card_hash,
            }
        })
        .collect();
    json_ok(&serde_json::json!({ "entries": rows, "count": rows.len() }))
}

pub async fn faults(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(set_faults(&s, &body))
}

pub async fn fault_stats(State(s): State<Arc<Shared>>) -> Response {
    json_ok(&s.faults.stats().to_json())
}

/// `{"seed": n, "rules": [...]}` replaces the plan; without `rules` (and `seed`) the body is
/// the legacy `{"fail_next": n, "status": s}`, one `before`/`status` rule for the next n
/// requests. Either form zeroes the counters.
fn set_faults(s: &Shared, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    if map.contains_key("rules") || map.contains_key("seed") {
        let plan = FaultPlan::from_json(&serde_json::Value::Object(map))
            .and_then(|p| p.normalized())
            .map_err(ApiError::invalid)?;
        s.faults.set(plan);
        return Ok(json_ok(&s.faults.stats().to_json()));
    }
    let f = Fields::new(&map);
    let fail_next = f.int("fail_next")?.unwrap_or(1);
    let status = f.int("status")?.unwrap_or(503);
    if fail_next < 0 {
        return Err(ApiError::invalid("fail_next must be >= 0"));
    }
    let status = u16::try_from(status)
        .ok()
        .filter(|c| (400..=599).contains(c) && StatusCode::from_u16(*c).is_ok())
        .ok_or_else(|| ApiError::invalid("status must be an HTTP error status (400-599)"))?;
    let rules = if fail_next == 0 {
        Vec::new()
    } else {
        vec![FaultRule::status(status).before().count(fail_next as u64)]
    };
    let plan = FaultPlan::new(rules)
        .normalized()
        .map_err(ApiError::invalid)?;
    s.faults.set(plan);
    Ok(json_ok(
        &serde_json::json!({ "fail_next": fail_next, "status": status }),
    ))
}

/// Upper bound for one seed call, to keep a typo from eating the machine's memory.
const MAX_SEED: i64 = 2_000_000;

pub async fn seed(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(run_seed(&s, &body))
}

fn run_seed(s: &Shared, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    let count = f
        .int("count")?
        .ok_or_else(|| crate::wire::required("count"))?;
    if !(1..=MAX_SEED).contains(&count) {
        return Err(ApiError::invalid(format!(
            "count must be between 1 and {MAX_SEED}"
        )));
    }
    let due = match f.string("date", 32)? {
        Some(d) => parse_date("date", &d)?,
        None => util::today(),
    };
    let amount = f.amount_tl("amount")?.unwrap_or(10_000);
    let ratio_bp = money::ratio_for(0).unwrap_or(0);
    let split = money::split(amount, ratio_bp, false);
    // Seeded sales happened settlement_days before their due date, at noon Istanbul time.
    let day = due - chrono::Duration::days(s.config.settlement_days);
    let date = day
        .and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default())
        .and_local_timezone(util::istanbul());
    let date = date.single().unwrap_or_else(util::now);
    let pan = "4355084355084358";
    let bank = cards::bank_for(pan);
    let masked = cards::mask(pan);

    let mut l = ledger::lock(&s.ledger);
    l.reserve_capacity(count as usize);
    let first = l.next_id();
    for _ in 0..count {
        let entry = Entry {
            id: l.next_id(),
            xact_id: format!("xk_{}", s.rng.token(40)),
            date,
            due_date: due,
            xact_type: XactType::Sale,
            transaction_type: 1,
            is_succeed: true,
            decline: None,
            split,
            ratio_bp,
            instalment: 0,
            bank,
            card_masked: masked.clone(),
            card_brand: "VISA",
            card_holder: "SANDBOX SEED".to_owned(),
            bank_code: 1000 + s.rng.below(9000) as u16,
            reference_no: String::new(),
            description: String::new(),
            email: None,
            phone: None,
            agent_id: COMPANY_CODE.to_owned(),
            ratio_code: String::new(),
            is_tds: false,
            user_id: "PaynetApi",
            parent: None,
            captured_by: None,
            storage: CardStorage::default(),
        };
        l.push(entry);
    }
    let last = l.next_id() - 1;
    debug_assert!(first >= FIRST_ID);
    Ok(json_ok(&serde_json::json!({
        "inserted": count,
        "first_id": first,
        "last_id": last,
        "date": due.format("%Y-%m-%d").to_string(),
    })))
}
