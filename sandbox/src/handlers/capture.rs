//! `v1/transaction/capture`: capture (finansallaştırma) of a successful pre-auth.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;

use super::responses::capture_response;
use super::{json_ok, lookup, unwrap_response};
use crate::Shared;
use crate::ledger::{self, AfterSale, Entry, XactType};
use crate::money;
use crate::wire::{ApiError, ApiResult, Fields, parse_object, rc};

pub async fn capture(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(run(&s, &body))
}

fn run(s: &Shared, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    let amount = f.amount_x100("amount")?;

    // Check and record under one lock so two concurrent captures cannot both succeed.
    let mut l = ledger::lock(&s.ledger);
    let pre = lookup::transaction(&l, &f)?;
    if pre.xact_type != XactType::PreAuth {
        return Err(ApiError::invalid_rc(
            rc::WRONG_TRANSACTION_TYPE,
            "Sadece ön provizyon işlemleri finansallaştırılabilir (only a pre-auth can be captured)",
        ));
    }
    if !pre.is_succeed {
        return Err(ApiError::invalid_rc(
            rc::NO_PROCESS,
            "Başarısız ön provizyon finansallaştırılamaz (the pre-auth was declined)",
        ));
    }
    if pre.after.voided_by.is_some() {
        return Err(ApiError::invalid_rc(
            rc::NO_PROCESS,
            "İptal edilmiş ön provizyon finansallaştırılamaz (the pre-auth has been reversed)",
        ));
    }
    if pre.captured_by.is_some() {
        return Err(ApiError::invalid_rc(
            rc::NO_PROCESS,
            "Bu ön provizyon daha önce finansallaştırılmış (the pre-auth has already been captured)",
        ));
    }
    let authorised = pre.split.amount;
    let captured = amount.unwrap_or(authorised);
    if captured > authorised {
        return Err(ApiError::invalid(format!(
            "amount ön provizyon tutarından büyük olamaz (over-capture: amount {} exceeds the pre-auth amount {})",
            money::format_tl(captured, 2),
            money::format_tl(authorised, 2),
        )));
    }

    let now = s.clock.now();
    let pre_id = pre.id;
    // The card was charged `captured` in total, so the split starts over from that gross amount.
    let split = money::split(captured, pre.ratio_bp, false);
    let entry = Entry {
        id: l.next_id(),
        xact_id: format!("xk_{}", s.rng.token(40)),
        date: now,
        due_date: now.date_naive() + chrono::Duration::days(s.config.settlement_days),
        xact_type: XactType::Capture,
        transaction_type: 4,
        is_succeed: true,
        decline: None,
        split,
        parent: Some(pre_id),
        captured_by: None,
        is_tds: false,
        storage: Default::default(),
        // An escrowed pre-auth's money is held once captured; nothing else carries over.
        after: AfterSale {
            escrow: pre.after.escrow,
            ..AfterSale::default()
        },
        ..pre.clone()
    };
    let cr_id = entry.id;
    if let Some(pre) = l.get_mut(pre_id) {
        pre.captured_by = Some(cr_id);
    }
    let entry = l.push(entry);
    Ok(json_ok(&capture_response(entry)))
}
