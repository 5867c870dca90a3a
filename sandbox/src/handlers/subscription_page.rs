//! The subscription customer's page (`url` of `v1/subscription/create`): no Paynet auth,
//! it is the browser's. The customer enters a card and consents; the card is verified on
//! the bank's 3D page (`bank_page`), which posts back here; the card is then saved to the
//! subscription (after the ones already there) and the subscription becomes active.
//! Visiting the page again later adds another card.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::bank_page;
use super::payment::{Attempt, Prepared, ratio};
use super::read_card;
use super::subscription::{PAGE_PREFIX, SubCard, SubStatus, Subscription, bill_due, describe_plan};
use super::tds::{TdsSession, TdsState};
use crate::Shared;
use crate::ledger::{self, XactType};
use crate::money;
use crate::pages::{self, escape};
use crate::wire::Fields;

const TITLE: &str = "Paynet düzenli ödeme";

fn unusable(sub: &Subscription) -> Option<&'static str> {
    match sub.status {
        SubStatus::Cancelled | SubStatus::Deleted => Some("Bu düzenli ödeme iptal edilmiş (this subscription is cancelled)"),
        _ => None,
    }
}

pub async fn show(State(s): State<Arc<Shared>>, Path(token): Path<String>) -> Response {
    let l = ledger::lock(&s.ledger);
    match l.subscriptions.by_token(&token) {
        None => message_page(StatusCode::NOT_FOUND, "Düzenli ödeme bulunamadı (no such subscription)"),
        Some(sub) => match unusable(sub) {
            Some(why) => message_page(StatusCode::OK, why),
            None => form_page(StatusCode::OK, sub, None),
        },
    }
}

/// Why the page refuses a step: its status, its message, and whether the card form is
/// shown again (a mistake the customer can correct) or only the message.
pub struct Refusal {
    status: StatusCode,
    message: String,
    again: bool,
}

fn refused(status: StatusCode, message: impl Into<String>, again: bool) -> Refusal {
    Refusal { status, message: message.into(), again }
}

/// The card form's step: checks the card and the consent, opens the 3D session; `Ok` is
/// the bank's page (`post_url`).
fn start(s: &Shared, token: &str, consent: bool, card: &Map<String, Value>) -> Result<String, Refusal> {
    let mut l = ledger::lock(&s.ledger);
    let Some(sub) = l.subscriptions.by_token(token).cloned() else {
        return Err(refused(StatusCode::NOT_FOUND, "Düzenli ödeme bulunamadı (no such subscription)", false));
    };
    if let Some(why) = unusable(&sub) {
        return Err(refused(StatusCode::CONFLICT, why, false));
    }
    if !consent {
        return Err(refused(StatusCode::BAD_REQUEST, "Düzenli ödeme şartlarını onaylayın (consent is required)", true));
    }
    let card = read_card(&Fields::new(card)).map_err(|e| refused(StatusCode::BAD_REQUEST, e.message, true))?;
    if super::is_expired(s, card.month, card.year) {
        return Err(refused(StatusCode::BAD_REQUEST, "Kartın son kullanma tarihi geçmiş (the card has expired)", true));
    }
    let ratio_bp = ratio(0).unwrap_or_default();
    let attempt = Attempt {
        card,
        xact_type: XactType::Sale,
        transaction_type: 1,
        split: money::split(sub.amount, ratio_bp, false),
        ratio_bp,
        instalment: 0,
        reference_no: sub.reference_no.clone(),
        description: describe_plan(&sub),
        email: None,
        phone: None,
        agent_id: sub.agent_id.clone(),
        ratio_code: String::new(),
        is_tds: true,
        user_id: "PaynetSubscription",
        company_amount: None,
        is_escrow: false,
    };
    let session_id = format!("js_{}", s.rng.token(24));
    l.tds.insert(
        session_id.clone(),
        TdsSession {
            token_id: s.rng.guid(),
            prepared: Prepared::plain(attempt),
            return_url: format!("{}{PAGE_PREFIX}{token}/return", s.base_url),
            domain: TITLE.to_owned(),
            state: TdsState::Pending { tries_left: bank_page::OTP_TRIES },
            charged: None,
        },
    );
    Ok(bank_page::post_url(s, &session_id))
}

/// The bank's post back: a verified card joins the subscription (after its cards) and a
/// waiting subscription becomes active. `Ok` is the card's id and the page's message.
fn finish(s: &Shared, token: &str, session_id: &str) -> Result<(i64, String), Refusal> {
    let done = {
        let mut l = ledger::lock(&s.ledger);
        let Some(session) = l.tds.get(session_id) else {
            return Err(refused(StatusCode::NOT_FOUND, "3D oturumu bulunamadı (no such 3D session)", false));
        };
        if !session.return_url.ends_with(&format!("{PAGE_PREFIX}{token}/return")) {
            return Err(refused(StatusCode::NOT_FOUND, "3D oturumu bu düzenli ödemenin değil (not this subscription's session)", false));
        }
        match session.state {
            TdsState::Verified => {}
            TdsState::Failed(failure) => return Err(refused(StatusCode::OK, failure.message(), false)),
            TdsState::Pending { .. } => {
                return Err(refused(StatusCode::OK, "3D doğrulama tamamlanmadı (3D Secure is not complete)", false));
            }
        }
        let Some(session) = l.tds.remove(session_id) else {
            return Err(refused(StatusCode::NOT_FOUND, "3D oturumu bulunamadı (no such 3D session)", false));
        };
        let card_id = l.subscriptions.new_card_id();
        let Some(sub) = l.subscriptions.by_token_mut(token) else {
            return Err(refused(StatusCode::NOT_FOUND, "Düzenli ödeme bulunamadı (no such subscription)", false));
        };
        let order_no = sub.cards.iter().map(|c| c.order_no).max().unwrap_or(0) + 1;
        let masked = crate::cards::mask(&session.prepared.attempt.card.pan);
        sub.cards.push(SubCard { card_id, card: session.prepared.attempt.card, label: masked.clone(), order_no });
        if sub.status == SubStatus::Waiting {
            sub.status = SubStatus::Active;
        }
        sub.plan_invoices(s);
        (card_id, format!("Kart kaydedildi: {masked}. {} (card saved, subscription active)", describe_plan(sub)))
    };
    bill_due(s);
    Ok(done)
}

/// The card form posted: on to the bank's page, or the form again with what is wrong.
pub async fn submit(
    State(s): State<Arc<Shared>>,
    Path(token): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let consent = matches!(form.get("consent").map(String::as_str), Some("on" | "true" | "1" | "yes"));
    let card: Map<String, Value> = form.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    match start(&s, &token, consent, &card) {
        Ok(post_url) => (StatusCode::SEE_OTHER, [(header::LOCATION, post_url)]).into_response(),
        Err(refusal) => refusal_page(&s, &token, refusal),
    }
}

/// Where the bank's page posts back.
pub async fn bank_return(
    State(s): State<Arc<Shared>>,
    Path(token): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let session_id = form.get("session_id").cloned().unwrap_or_default();
    match finish(&s, &token, &session_id) {
        Ok((_, message)) => message_page(StatusCode::OK, &message),
        Err(refusal) => refusal_page(&s, &token, refusal),
    }
}

fn refusal_page(s: &Shared, token: &str, refusal: Refusal) -> Response {
    let l = ledger::lock(&s.ledger);
    match l.subscriptions.by_token(token) {
        Some(sub) if refusal.again => form_page(refusal.status, sub, Some(&refusal.message)),
        _ => message_page(refusal.status, &refusal.message),
    }
}

/// The customer on the page at `url_or_token` (the `url` or its last segment), as a
/// browser would go: `card` (`card_holder`, `pan`, `month`, `year`, `cvc`) and consent,
/// the bank's page with the right code, back. `Ok` is `{"card_id", "message"}`.
pub fn subscribe_in_process(s: &Shared, url_or_token: &str, card: &Value) -> Result<Value, String> {
    let token = super::paylink_page::token_of(url_or_token);
    let card = card.as_object().ok_or("card must be a JSON object: card_holder, pan, month, year, cvc")?;
    let post_url = start(s, token, true, card).map_err(|r| r.message)?;
    bank_page::complete(s, &post_url, bank_page::BankAction::Otp(bank_page::OTP_OK.to_owned()))?;
    let session_id = super::paylink_page::token_of(&post_url);
    let (card_id, message) = finish(s, token, session_id).map_err(|r| r.message)?;
    Ok(serde_json::json!({ "card_id": card_id, "message": message }))
}

fn message_page(status: StatusCode, message: &str) -> Response {
    let body = format!("<h1>Düzenli ödeme</h1>\n<p id=\"status\">{}</p>\n", escape(message));
    pages::html(status, pages::document(TITLE, &body))
}

fn form_page(status: StatusCode, sub: &Subscription, error: Option<&str>) -> Response {
    let error = error
        .map(|e| format!("<p class=\"error\" id=\"subscription-error\">{}</p>\n", escape(e)))
        .unwrap_or_default();
    let input = |id: &str, name: &str, label: &str, extra: &str| {
        format!("<label for=\"{id}\">{label}</label>\n<input id=\"{id}\" name=\"{name}\" {extra}>\n")
    };
    let body = format!(
        "<h1>Düzenli ödeme (subscription)</h1>\n\
         <dl>\n\
         <dt>Müşteri (customer)</dt><dd id=\"subscription-name\">{name}</dd>\n\
         <dt>Plan</dt><dd id=\"subscription-plan\">{plan}</dd>\n\
         <dt>Başlangıç (first charge)</dt><dd id=\"subscription-begin\">{begin}</dd>\n\
         <dt>Kayıtlı kart (cards)</dt><dd id=\"subscription-cards\">{cards}</dd>\n\
         </dl>\n{error}\
         <form id=\"subscription-form\" method=\"post\" action=\"{action}\">\n{holder}{pan}{month}{year}{cvc}\
         <label><input type=\"checkbox\" id=\"subscription-consent\" name=\"consent\" value=\"on\"> \
         Düzenli ödeme şartlarını onaylıyorum (I consent to these charges)</label>\n\
         <button type=\"submit\" id=\"subscription-submit\">Onayla (Confirm)</button>\n</form>\n",
        name = escape(&sub.name_surname),
        plan = escape(&describe_plan(sub)),
        begin = sub.begin_date,
        cards = sub.cards.len(),
        action = escape(&format!("{PAGE_PREFIX}{}", sub.token)),
        holder = input("subscription-card-holder", "card_holder", "Kart sahibi (card holder)", "autocomplete=\"cc-name\""),
        pan = input("subscription-pan", "pan", "Kart numarası (card number)", "autocomplete=\"cc-number\" inputmode=\"numeric\""),
        month = input("subscription-month", "month", "Ay (month)", "inputmode=\"numeric\" maxlength=\"2\""),
        year = input("subscription-year", "year", "Yıl (year)", "inputmode=\"numeric\" maxlength=\"4\""),
        cvc = input("subscription-cvc", "cvc", "CVC", "inputmode=\"numeric\" maxlength=\"4\""),
    );
    pages::html(status, pages::document(TITLE, &body))
}
