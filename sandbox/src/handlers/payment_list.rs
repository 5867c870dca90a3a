//! `v1/transaction/payment_list`: settlement report of one due date (S004). Cancels,
//! refunds and capture reversals are rows of their own with negative amounts, so a day's
//! `company_pay_amount`s add up to what is paid out that day (AFTER-SALE.md).
//!
//! Written by hand instead of through serde: a benchmark lists 100 000 rows of one date,
//! and this keeps that to a single pass with no per-field allocation.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use chrono::{Datelike, NaiveDate, Timelike};

use super::responses::MSG_OK;
use super::{json_bytes, json_stream, unwrap_response};
use crate::Shared;
use crate::ledger::{self, Entry, Ledger};
use crate::money::{push_ratio, push_tl};
use crate::wire::{ApiError, ApiResult, Fields, parse_object};

pub const COMPANY_NAME: &str = "Paynet Sandbox A.Ş.";

pub async fn payment_list(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(run(&s, &body))
}

pub fn parse_date(field: &str, s: &str) -> ApiResult<NaiveDate> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    shaped
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| {
            ApiError::invalid(format!(
                "{field} yyyy-MM-dd formatında olmalı ({field} must be yyyy-MM-dd)"
            ))
        })
}

fn run(s: &Arc<Shared>, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    let date = match f.string("date", 32)? {
        Some(d) => parse_date("date", &d)?,
        None => s.clock.today(),
    };
    let l = ledger::lock(&s.ledger);
    if l.payable_on(date).count() <= ROWS_PER_CHUNK {
        let mut out = String::new();
        write_report(&l, date, &mut |chunk| out.push_str(&chunk));
        return Ok(json_bytes(out.into_bytes()));
    }
    drop(l);
    // A long report goes out in chunks as it is written, the way a body
    // behind a network arrives: a client can read rows while later ones are
    // still on their way. The writer holds the ledger (so the report is one
    // consistent snapshot) on a thread of its own, never a request worker.
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let shared = Arc::clone(s);
    tokio::task::spawn_blocking(move || {
        let l = ledger::lock(&shared.ledger);
        write_report(&l, date, &mut |chunk| {
            let _ = tx.send(chunk);
        });
    });
    Ok(json_stream(rx))
}

/// Rows per chunk of a streamed report (about 370 KB).
const ROWS_PER_CHUNK: usize = 512;

/// The report of `date` in chunks of `ROWS_PER_CHUNK` rows, in order.
fn write_report(l: &Ledger, date: NaiveDate, emit: &mut dyn FnMut(String)) {
    let count = l.payable_on(date).count();
    let capacity = 200 + count.min(ROWS_PER_CHUNK) * 760;
    let mut out = String::with_capacity(capacity);
    let _ = write!(
        out,
        "{{\"total\":{count},\"total_count\":{count},\"object_name\":\"transaction_payment_list\",\
         \"code\":0,\"message\":\"{MSG_OK}\",\"Data\":["
    );
    for (i, e) in l.payable_on(date).enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_row(&mut out, e);
        if (i + 1) % ROWS_PER_CHUNK == 0 {
            emit(std::mem::replace(&mut out, String::with_capacity(capacity)));
        }
    }
    out.push_str("]}");
    emit(out);
}

fn push_row(out: &mut String, e: &Entry) {
    let sign = e.xact_type.money_sign();
    out.push_str("{\"company_code\":\"1001\",\"company_name\":");
    push_str(out, COMPANY_NAME);
    out.push_str(",\"agent_id\":");
    push_str(out, &e.agent_id);
    out.push_str(",\"agent_name\":");
    push_str(out, COMPANY_NAME);
    out.push_str(",\"xact_id\":");
    push_str(out, &e.xact_id);
    let d = e.date;
    out.push_str(",\"xact_date\":\"");
    push_digit_groups(out, &[(d.day(), 2), (d.month(), 2), (d.year() as u32, 4), (d.hour(), 2), (d.minute(), 2), (d.second(), 2)], ".. ::");
    out.push('"');
    out.push_str(",\"bank_id\":");
    push_str(out, e.bank.id);
    out.push_str(",\"bank_name\":");
    push_str(out, e.bank.name);
    out.push_str(",\"card_no\":");
    push_str(out, &e.card_masked);
    out.push_str(",\"card_holder\":");
    push_str(out, &e.card_holder);
    out.push_str(",\"card_type\":");
    push_str(out, e.card_type);
    out.push_str(",\"authorization_code\":");
    push_str(out, &e.authorization_code());
    let _ = write!(
        out,
        ",\"reference_code\":\"ref-{:04}\",\"order_id\":\"order-{:04}\",\"xact_type\":\"{}\",\"is_succeed\":{},\
         \"pos_type\":5,\"instalment\":{},\"plus_installment\":0,\"ratio\":",
        e.bank_code,
        e.bank_code,
        e.xact_type.code(),
        e.is_succeed,
        e.instalment
    );
    push_ratio(out, e.ratio_bp);
    out.push_str(",\"company_cost_ratio\":");
    push_ratio(out, e.ratio_bp);
    out.push_str(",\"user_id\":");
    push_str(out, e.user_id);
    out.push_str(",\"amount\":");
    push_tl(out, sign * e.split.amount, 4);
    let due = e.due_date;
    out.push_str(",\"due_date\":\"");
    push_digit_groups(out, &[(due.year() as u32, 4), (due.month(), 2), (due.day(), 2)], "--");
    out.push_str("T00:00:00\"");
    out.push_str(
        ",\"agent_service_amount\":0.0000,\"agent_pay_amount\":0.0000,\"company_pay_amount\":",
    );
    push_tl(out, sign * e.split.net, 4);
    out.push_str(",\"company_service_amount\":");
    push_tl(out, sign * (e.split.commission + e.split.tax), 4);
    out.push('}');
}

/// Appends each `(n, width)` as at least `width` digits, zero-padded, the
/// next of `separators` between two (chrono's `format` reads its pattern
/// anew for every row).
fn push_digit_groups(out: &mut String, groups: &[(u32, u32)], separators: &str) {
    let mut separators = separators.chars();
    for (i, &(n, width)) in groups.iter().enumerate() {
        if i > 0 {
            out.extend(separators.next());
        }
        if n >= 10u32.pow(width) {
            let _ = write!(out, "{n}");
            continue;
        }
        for place in (0..width).rev() {
            out.push(char::from(b'0' + (n / 10u32.pow(place) % 10) as u8));
        }
    }
}

/// Appends a JSON string literal.
fn push_str(out: &mut String, s: &str) {
    out.push('"');
    if !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_escaping() {
        let mut s = String::new();
        push_str(&mut s, "a\"b\\c\u{1}ş");
        assert_eq!(s, r#""a\"b\\c\u0001ş""#);
    }

    #[test]
    fn digits() {
        let mut s = String::new();
        push_digit_groups(&mut s, &[(7, 2), (2030, 4), (0, 2), (5, 1), (10_000, 4)], ".- /");
        assert_eq!(s, "07.2030-00 5/10000");
    }

    #[test]
    fn dates() {
        assert!(parse_date("date", "2026-11-23").is_ok());
        assert!(parse_date("date", "2026-1-23").is_err());
        assert!(parse_date("date", "23.11.2026").is_err());
        assert!(parse_date("date", "2026-02-30").is_err());
    }
}
