//! The Paynet.js flow: the browser script's session (card data in, `session_id` +
//! `token_id` out; served by `paynetjs`), `v1/transaction/charge` finishes the payment.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::payment::{
    Attempt, COMPANY_CODE, bank_step, decide, make_entry, ratio, transaction_type, truncated_body,
};
use super::responses::charge_response;
use super::{json_ok, read_card, run_detached};
use crate::Shared;
use crate::cards::Behaviour;
use crate::ledger::{self, Claim, JsSession, SessionResult, XactType};
use crate::money;
use crate::wire::{ApiError, ApiResult, Fields, parse_object, rc};

/// The `data-*` values a Paynet.js form was started with; charge must repeat them.
struct FormData {
    add_comission_amount: bool,
    ratio_code: String,
    installments: String,
    no_instalment: bool,
    tds_required: bool,
}

fn form_data(f: &Fields<'_>) -> ApiResult<FormData> {
    Ok(FormData {
        add_comission_amount: f.bool("add_comission_amount")?.unwrap_or(false),
        ratio_code: f.string("ratio_code", 8)?.unwrap_or_default(),
        installments: f.string("installments", 100)?.unwrap_or_default(),
        no_instalment: f.bool("no_instalment")?.unwrap_or(false),
        tds_required: f.bool("tds_required")?.unwrap_or(false),
    })
}

/// A Paynet.js session for the card and `data-*` values; `(session_id, token_id)`.
pub fn new_session(s: &Shared, f: &Fields<'_>) -> ApiResult<(String, String)> {
    let amount = f
        .amount_x100("amount")?
        .ok_or_else(|| crate::wire::required("amount"))?;
    let form = form_data(f)?;
    let instalment = f.int("instalment")?.unwrap_or(0);
    ratio(instalment)?;
    if form.no_instalment && instalment != 0 {
        return Err(ApiError::invalid(
            "no_instalment true iken taksit seçilemez (no_instalment forbids instalments)",
        ));
    }
    if !form.installments.is_empty()
        && instalment != 0
        && !form
            .installments
            .split(',')
            .any(|t| t.trim().parse::<i64>().ok() == Some(instalment))
    {
        return Err(ApiError::invalid(
            "instalment, installments listesinde yok (instalment is not among the allowed installments)",
        ));
    }
    // The saved-card variant of the form (paynetj `check_card_bin`): a `card_hash` and
    // its `card_owner_id` instead of the card.
    let card = match f.string("card_hash", 100)? {
        Some(hash) => {
            let owner = f.string("card_owner_id", 100)?;
            let l = ledger::lock(&s.ledger);
            super::card_storage::resolve(&l.vault, &hash, owner.as_deref())?.card_data()
        }
        None => read_card(f)?,
    };
    let session_id = format!("js_{}", s.rng.token(48));
    let token_id = s.rng.guid().to_uppercase();
    let session = JsSession {
        token_id: token_id.clone(),
        amount,
        add_comission_amount: form.add_comission_amount,
        ratio_code: form.ratio_code,
        installments: form.installments,
        no_instalment: form.no_instalment,
        tds_required: form.tds_required,
        instalment,
        card,
        result: None,
    };
    ledger::lock(&s.ledger)
        .sessions
        .insert(session_id.clone(), session);
    Ok((session_id, token_id))
}

pub async fn charge(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    match prepare(&s, &body) {
        Ok(prepared) => run_detached(execute(s, prepared)).await,
        Err(e) => e.into_response(),
    }
}

/// A charge whose request matched its Paynet.js session.
struct Prepared {
    session_id: String,
    session: JsSession,
    amount: i64,
    xact_type: XactType,
    transaction_type: u8,
    reference_no: String,
    is_escrow: bool,
}

fn unmatched(field: &str) -> ApiError {
    ApiError::invalid_rc(
        rc::PAYNETJ_UNMATCH_TRAN,
        format!(
            "{field} ödeme formunun başlatıldığı değerle eşleşmiyor \
             ({field} does not match the value the Paynet.js form was started with)"
        ),
    )
}

fn prepare(s: &Shared, body: &[u8]) -> ApiResult<Prepared> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    let session_id = f.required_string("session_id", 100)?;
    let token_id = f.required_string("token_id", 100)?;
    let amount = f
        .amount_x100("amount")?
        .ok_or_else(|| crate::wire::required("amount"))?;
    let (xact_type, tt) = transaction_type(&f, None)?;
    let form = form_data(&f)?;
    let reference_no = f.string("reference_no", 50)?.unwrap_or_default();
    let is_escrow = f.bool("is_escrow")?.unwrap_or(false);
    f.string("agent_customer_name", 100)?;
    if let Some(iban) = f.string("iban", 34)?
        && (iban.len() != 26 || !iban.starts_with("TR"))
    {
        return Err(ApiError::invalid(
            "iban TR ile başlayan 26 karakter olmalı (iban must be 26 characters starting with TR)",
        ));
    }

    let session = {
        let l = ledger::lock(&s.ledger);
        let session = l
            .sessions
            .get(&session_id)
            .filter(|js| js.token_id.eq_ignore_ascii_case(&token_id));
        let session = session.ok_or_else(|| {
            ApiError::invalid_rc(
                rc::PAYNETJ_NO_SESSION,
                "Paynet.js oturumu bulunamadı (no Paynet.js session for this session_id and token_id)",
            )
        })?;
        session.clone()
    };
    if amount != session.amount {
        return Err(unmatched("amount"));
    }
    if form.add_comission_amount != session.add_comission_amount {
        return Err(unmatched("add_comission_amount"));
    }
    if form.ratio_code != session.ratio_code {
        return Err(unmatched("ratio_code"));
    }
    if form.installments != session.installments {
        return Err(unmatched("installments"));
    }
    if form.no_instalment != session.no_instalment {
        return Err(unmatched("no_instalment"));
    }
    if form.tds_required != session.tds_required {
        return Err(unmatched("tds_required"));
    }
    Ok(Prepared {
        session_id,
        session,
        amount,
        xact_type,
        transaction_type: tt,
        reference_no,
        is_escrow,
    })
}

/// Detached from the request for the same reason as payments: a disconnect must not undo
/// a charge that reached the bank.
async fn execute(s: Arc<Shared>, p: Prepared) -> ApiResult<Response> {
    let Prepared {
        session_id,
        session,
        amount,
        xact_type,
        transaction_type: tt,
        reference_no,
        is_escrow,
    } = p;
    let key = format!("js:{session_id}");
    let reservation = match ledger::claim(&s.ledger, key, |l| {
        match l.sessions.get(&session_id)?.result? {
            SessionResult::Succeeded(id) => Some(id),
            SessionResult::Declined => None,
        }
    })
    .await
    {
        Claim::Replay(e) => return Ok(json_ok(&charge_response(&e, true))),
        Claim::Owner(r) => r,
    };
    // A declined token cannot be retried: the browser has to start a new session.
    if let Some(SessionResult::Declined) = ledger::lock(&s.ledger)
        .sessions
        .get(&session_id)
        .and_then(|js| js.result)
    {
        return Err(ApiError::invalid_rc(
            rc::PAYNETJ_USED_SESSION,
            "Bu Paynet.js oturumu kullanılmış (this Paynet.js session has already been used)",
        ));
    }

    let ratio_bp = super::ratio::payment_ratio(&s, &session.card.pan, &session.ratio_code, session.instalment)?;
    let behaviour = decide(&s, &session.card);
    bank_step(&s, behaviour).await;

    let attempt = Attempt {
        split: money::split(amount, ratio_bp, session.add_comission_amount),
        card: session.card,
        xact_type,
        transaction_type: tt,
        ratio_bp,
        instalment: session.instalment,
        reference_no,
        description: String::new(),
        email: None,
        phone: None,
        agent_id: COMPANY_CODE.to_owned(),
        ratio_code: session.ratio_code,
        is_tds: session.tds_required,
        user_id: "PaynetJ",
        company_amount: None,
        is_escrow,
    };
    let mut l = ledger::lock(&s.ledger);
    let entry = make_entry(&s, &l, attempt, behaviour);
    let result = if entry.is_succeed {
        SessionResult::Succeeded(entry.id)
    } else {
        SessionResult::Declined
    };
    let entry = l.push(entry);
    let response = if behaviour == Behaviour::Malformed {
        truncated_body(entry)
    } else {
        json_ok(&charge_response(entry, false))
    };
    if let Some(js) = l.sessions.get_mut(&session_id) {
        js.result = Some(result);
    }
    reservation.release_in(&mut l);
    Ok(response)
}
