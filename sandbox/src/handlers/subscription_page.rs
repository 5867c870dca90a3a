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

/// The card form: checks the card and the consent, then sends the browser to the bank.
pub async fn submit(
    State(s): State<Arc<Shared>>,
    Path(token): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let consent = matches!(form.get("consent").map(String::as_str), Some("on" | "true" | "1" | "yes"));
    let card: Map<String, Value> = form.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    let mut l = ledger::lock(&s.ledger);
    let Some(sub) = l.subscriptions.by_token(&token).cloned() else {
        return message_page(StatusCode::NOT_FOUND, "Düzenli ödeme bulunamadı (no such subscription)");
    };
    if let Some(why) = unusable(&sub) {
        return message_page(StatusCode::CONFLICT, why);
    }
    if !consent {
        return form_page(StatusCode::BAD_REQUEST, &sub, Some("Düzenli ödeme şartlarını onaylayın (consent is required)"));
    }
    let card = match read_card(&Fields::new(&card)) {
        Ok(card) => card,
        Err(e) => return form_page(StatusCode::BAD_REQUEST, &sub, Some(&e.message)),
    };
    if super::is_expired(&s, card.month, card.year) {
        return form_page(StatusCode::BAD_REQUEST, &sub, Some("Kartın son kullanma tarihi geçmiş (the card has expired)"));
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
    (StatusCode::SEE_OTHER, [(header::LOCATION, bank_page::post_url(&s, &session_id))]).into_response()
}

/// Where the bank's page posts back: a verified card joins the subscription.
pub async fn bank_return(
    State(s): State<Arc<Shared>>,
    Path(token): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let session_id = form.get("session_id").cloned().unwrap_or_default();
    let activated = {
        let mut l = ledger::lock(&s.ledger);
        let Some(session) = l.tds.get(&session_id) else {
            return message_page(StatusCode::NOT_FOUND, "3D oturumu bulunamadı (no such 3D session)");
        };
        let verified = session.state == TdsState::Verified && session.return_url.ends_with(&format!("{token}/return"));
        if !verified {
            let why = match session.state {
                TdsState::Failed(failure) => failure.message(),
                _ => "3D doğrulama tamamlanmadı (3D Secure is not complete)".to_owned(),
            };
            return message_page(StatusCode::OK, &why);
        }
        let Some(session) = l.tds.remove(&session_id) else {
            return message_page(StatusCode::NOT_FOUND, "3D oturumu bulunamadı (no such 3D session)");
        };
        let card_id = l.subscriptions.new_card_id();
        let Some(sub) = l.subscriptions.by_token_mut(&token) else {
            return message_page(StatusCode::NOT_FOUND, "Düzenli ödeme bulunamadı (no such subscription)");
        };
        let order_no = sub.cards.iter().map(|c| c.order_no).max().unwrap_or(0) + 1;
        let masked = crate::cards::mask(&session.prepared.attempt.card.pan);
        sub.cards.push(SubCard { card_id, card: session.prepared.attempt.card, label: masked.clone(), order_no });
        if sub.status == SubStatus::Waiting {
            sub.status = SubStatus::Active;
        }
        sub.plan_invoices(&s);
        format!("Kart kaydedildi: {masked}. {} (card saved, subscription active)", describe_plan(sub))
    };
    bill_due(&s);
    message_page(StatusCode::OK, &activated)
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
