//! `/__sandbox/*`: test and benchmark helpers. No auth, not counted as API requests.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate};
use serde::Serialize;

use super::payment_list::parse_date;
use super::{json_ok, unwrap_response};
use crate::Shared;
use crate::faults::{FaultPlan, FaultRule};
use crate::ledger;
use crate::money::{Ratio, Tl};
use crate::seed::{self, DemoSpec, MAX_SEED, SeedSpec};
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

pub async fn seed(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(run_seed(&s, &body))
}

/// `{"count", "date"}` (sales due on `date`) or `{"count", "from", "to", "seed"}` (sales
/// made over those days), with an optional `amount`.
fn run_seed(s: &Shared, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    if f.bool("demo")?.unwrap_or(false) {
        return run_seed_demo(s, &f);
    }
    let count = f
        .int("count")?
        .ok_or_else(|| crate::wire::required("count"))?;
    let count = usize::try_from(count)
        .ok()
        .filter(|c| (1..=MAX_SEED).contains(c))
        .ok_or_else(|| ApiError::invalid(format!("count must be between 1 and {MAX_SEED}")))?;
    let day = |name: &str| -> ApiResult<Option<NaiveDate>> {
        f.string(name, 32)?
            .map(|d| parse_date(name, &d))
            .transpose()
    };
    let (from, to) = match (day("date")?, day("from")?, day("to")?) {
        // A due date: the sales were made settlement_days before it.
        (Some(due), None, None) => {
            let made = due - chrono::Duration::days(s.config.settlement_days);
            (made, made)
        }
        (None, Some(from), to) => (from, to.unwrap_or(from)),
        (None, None, None) => (s.clock.today(), s.clock.today()),
        _ => {
            return Err(ApiError::invalid(
                "send date (a due date) or from/to (days of the sales), not both",
            ));
        }
    };
    let seed = f.int("seed")?.unwrap_or(0);
    let spec = SeedSpec {
        count,
        from,
        to,
        amount: f.amount_tl("amount")?.unwrap_or(10_000),
        // Any integer is a seed; negative ones keep their bits.
        seed: seed as u64,
    };
    let report = seed::seed(s, &spec).map_err(ApiError::invalid)?;
    Ok(json_ok(&serde_json::json!({
        "inserted": report.inserted,
        "first_id": report.first_id,
        "last_id": report.last_id,
        "from": report.from.to_string(),
        "to": report.to.to_string(),
        "date": (report.to + chrono::Duration::days(s.config.settlement_days)).to_string(),
    })))
}

/// `{"demo": true, "from", "to", "per_day", "seed"}`: a realistic stretch of traffic
/// (`seed::seed_demo`); `to` defaults to `from`, `per_day` to 40.
fn run_seed_demo(s: &Shared, f: &Fields<'_>) -> ApiResult<Response> {
    let day = |name: &str| -> ApiResult<Option<NaiveDate>> { f.string(name, 32)?.map(|d| parse_date(name, &d)).transpose() };
    let from = day("from")?.ok_or_else(|| crate::wire::required("from"))?;
    let spec = DemoSpec {
        from,
        to: day("to")?.unwrap_or(from),
        per_day: usize::try_from(f.int("per_day")?.unwrap_or(40)).map_err(|_| ApiError::invalid("per_day must be positive"))?,
        seed: f.int("seed")?.unwrap_or(0) as u64,
    };
    let report = seed::seed_demo(s, &spec).map_err(ApiError::invalid)?;
    Ok(json_ok(&serde_json::json!({
        "inserted": report.inserted,
        "first_id": report.first_id,
        "last_id": report.last_id,
        "from": report.from.to_string(),
        "to": report.to.to_string(),
    })))
}

/// `GET /__sandbox/clock`.
pub async fn clock(State(s): State<Arc<Shared>>) -> Response {
    clock_answer(&s)
}

fn clock_answer(s: &Shared) -> Response {
    json_ok(&serde_json::json!({ "now": s.clock.now().to_rfc3339() }))
}

/// `POST /__sandbox/clock` with `{"set": "<RFC 3339>"}`, or `{"advance_days": n}` and / or
/// `{"advance_seconds": n}` (≥ 0); answers the new time like `GET`.
pub async fn set_clock(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(run_set_clock(&s, &body))
}

fn run_set_clock(s: &Shared, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    let set = f.string("set", 64)?;
    let days = f.int("advance_days")?;
    let seconds = f.int("advance_seconds")?;
    match (set, days, seconds) {
        (Some(at), None, None) => {
            let at = DateTime::parse_from_rfc3339(&at).map_err(|e| {
                ApiError::invalid(format!(
                    "set must be an RFC 3339 time like 2026-03-01T10:00:00+03:00: {e}"
                ))
            })?;
            s.clock.set(&at).map_err(ApiError::invalid)?;
        }
        (None, None, None) => {
            return Err(ApiError::invalid(
                "send set, or advance_days and/or advance_seconds",
            ));
        }
        (None, days, seconds) => {
            let (days, seconds) = (days.unwrap_or(0), seconds.unwrap_or(0));
            if days < 0 || seconds < 0 {
                return Err(ApiError::invalid(
                    "the clock only advances: advance_days and advance_seconds must be >= 0 \
                     (use set to go back)",
                ));
            }
            let by = chrono::Duration::try_days(days)
                .zip(chrono::Duration::try_seconds(seconds))
                .and_then(|(d, s)| d.checked_add(&s))
                .ok_or_else(|| ApiError::invalid("the clock cannot move that far"))?;
            s.clock.advance(by).map_err(ApiError::invalid)?;
        }
        (Some(_), _, _) => {
            return Err(ApiError::invalid("send set or advance_*, not both"));
        }
    }
    // Subscriptions bill what came due while the clock moved.
    crate::handlers::subscription::bill_due(s);
    Ok(clock_answer(s))
}
