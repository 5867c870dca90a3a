//! The PayLink payer's page (`url` of `v1/mailorder/create`): no Paynet auth, it is the
//! browser's. Paying charges the card like a payment, marks the link paid, posts the
//! confirmation to the shop and sends the browser on.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::paylink::{LinkStatus, PAGE_PREFIX, PayLink};
use super::payment::{self, Attempt, Prepared, bank_step, decide, ratio};
use super::read_card;
use crate::Shared;
use crate::ledger::{self, Claim, Entry, XactType};
use crate::money::{self, Tl};
use crate::outbound;
use crate::pages::{self, escape};
use crate::util;
use crate::wire::Fields;

/// What paying a link did.
struct Paid {
    xact_id: String,
    is_succeed: bool,
    /// Where the browser goes next; `None`: the page shows the decline and lets the payer retry.
    redirect: Option<String>,
    message: String,
}

enum PayError {
    Unknown,
    Unavailable(&'static str),
    /// The card data is not usable (the message names the field).
    Invalid(String),
}

impl PayError {
    fn message(&self, token: &str) -> String {
        match self {
            PayError::Unknown => format!("no PayLink {token:?}"),
            PayError::Unavailable(why) => (*why).to_owned(),
            PayError::Invalid(message) => message.clone(),
        }
    }
}

/// `url` with `xact_id` appended to its query, before any fragment.
fn with_xact_id(url: &str, xact_id: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let sep = if base.ends_with('?') || base.ends_with('&') {
        ""
    } else if base.contains('?') {
        "&"
    } else {
        "?"
    };
    // xact ids are letters, digits, `_` and `*`: nothing to percent-encode.
    let mut out = format!("{base}{sep}xact_id={xact_id}");
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

fn outcome(s: &Shared, link: &PayLink, e: &Entry) -> Paid {
    let redirect = if e.is_succeed {
        let target = link.succeed_url.clone().unwrap_or_else(|| link.url(s));
        Some(with_xact_id(&target, &e.xact_id))
    } else {
        link.error_url.clone()
    };
    Paid {
        xact_id: e.xact_id.clone(),
        is_succeed: e.is_succeed,
        redirect,
        message: match e.decline {
            Some(d) if !e.is_succeed => format!(
                "Ödeme başarısız: {} (payment declined)",
                d.bank_error_message
            ),
            _ => "Ödeme başarılı (payment succeeded)".to_owned(),
        },
    }
}

/// The §4.5 confirmation body (`referance_no` and `netAmount` spelt as Paynet does).
fn confirmation_body(e: &Entry) -> Vec<u8> {
    json!({
        "referance_no": e.reference_no,
        "xact_id": e.xact_id,
        "xact_date": util::iso_7(&e.date),
        "agent_id": e.agent_id,
        "bank_id": e.bank.id,
        "instalment": e.instalment,
        "card_holder": e.card_holder,
        "card_number": e.card_masked,
        "amount": Tl(e.split.amount),
        "netAmount": Tl(e.split.net),
        "comission": Tl(e.split.commission),
        "comission_tax": Tl(e.split.tax),
        "currency": "TRY",
        "authorization_code": e.authorization_code(),
        "order_id": e.order_id(),
        "is_succeed": e.is_succeed,
    })
    .to_string()
    .into_bytes()
}

/// Charges the link's amount as a sale under the link's `reference_no`. Keyed on the
/// reference like `payment`, so a double submit of the page charges once.
async fn pay(s: Arc<Shared>, token: String, card: Map<String, Value>) -> Result<Paid, PayError> {
    let attempt = {
        let l = ledger::lock(&s.ledger);
        let link = l.links.by_token(&token).ok_or(PayError::Unknown)?;
        if let Some(why) = link.unavailable(s.clock.now()) {
            return Err(PayError::Unavailable(why));
        }
        let card = read_card(&Fields::new(&card)).map_err(|e| PayError::Invalid(e.message))?;
        let ratio_bp = ratio(0).map_err(|e| PayError::Invalid(e.message))?;
        Attempt {
            card,
            xact_type: XactType::Sale,
            transaction_type: 1,
            split: money::split(link.amount, ratio_bp, link.addcomission_to_amount),
            ratio_bp,
            instalment: 0,
            reference_no: link.reference_no.clone(),
            description: link.note.clone(),
            email: link.email.clone(),
            phone: link.phone.clone(),
            agent_id: link.agent_id.clone(),
            ratio_code: String::new(),
            is_tds: false,
            user_id: "PaynetLink",
            company_amount: None,
            is_escrow: false,
        }
    };
    let reference_no = attempt.reference_no.clone();
    let reservation = match ledger::claim(&s.ledger, format!("ref:{reference_no}"), |l| {
        l.successful_by_reference(&reference_no).map(|e| e.id)
    })
    .await
    {
        Claim::Replay(e) => {
            let mut l = ledger::lock(&s.ledger);
            let link = l.links.by_token_mut(&token).ok_or(PayError::Unknown)?;
            link.status = LinkStatus::Paid;
            link.paid_by = Some(e.id);
            return Ok(outcome(&s, link, &e));
        }
        Claim::Owner(r) => r,
    };
    // It may have been made passive while this request waited for the reference.
    if let Some(why) = ledger::lock(&s.ledger)
        .links
        .by_token(&token)
        .and_then(|link| link.unavailable(s.clock.now()))
    {
        return Err(PayError::Unavailable(why));
    }

    let behaviour = decide(&s, &attempt.card);
    bank_step(&s, behaviour).await;

    let mut l = ledger::lock(&s.ledger);
    let entry = payment::record(&s, &mut l, Prepared::plain(attempt), behaviour).clone();
    let link = l.links.by_token_mut(&token).ok_or(PayError::Unknown)?;
    if entry.is_succeed {
        link.status = LinkStatus::Paid;
        link.paid_by = Some(entry.id);
    }
    let paid = outcome(&s, link, &entry);
    let confirmation_url = link.confirmation_url.clone();
    reservation.release_in(&mut l);
    drop(l);
    if let Some(url) = confirmation_url {
        outbound::spawn_delivery(
            &s,
            outbound::Log::Confirmations,
            url,
            entry.reference_no.clone(),
            entry.xact_id.clone(),
            confirmation_body(&entry),
        );
    }
    Ok(paid)
}

/// The last path segment of a page's URL (or the token itself).
pub(crate) fn token_of(url_or_token: &str) -> &str {
    let path = url_or_token.split(['?', '#']).next().unwrap_or_default();
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

pub async fn pay_in_process(
    s: &Arc<Shared>,
    url_or_token: &str,
    card: &Value,
) -> Result<Value, String> {
    let token = token_of(url_or_token);
    let card = card
        .as_object()
        .ok_or("card must be a JSON object: card_holder, pan, month, year, cvc")?;
    let paid = pay(Arc::clone(s), token.to_owned(), card.clone())
        .await
        .map_err(|e| e.message(token))?;
    Ok(json!({ "xact_id": paid.xact_id, "is_succeed": paid.is_succeed, "redirect": paid.redirect }))
}

pub async fn show(State(s): State<Arc<Shared>>, Path(token): Path<String>) -> Response {
    let l = ledger::lock(&s.ledger);
    match l.links.by_token(&token) {
        None => not_found(&token),
        Some(link) => match link.unavailable(s.clock.now()) {
            Some(why) => unavailable_page(StatusCode::OK, why),
            None => pay_page(StatusCode::OK, link, None),
        },
    }
}

pub async fn submit(
    State(s): State<Arc<Shared>>,
    Path(token): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let card: Map<String, Value> = form
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    // Detached like every money-moving step: a payer who closes the tab is still charged
    // once, and the link is still marked.
    let paid = match tokio::spawn(pay(Arc::clone(&s), token.clone(), card)).await {
        Ok(paid) => paid,
        Err(e) => {
            tracing::error!(error = %e, "PayLink payment task failed");
            return unavailable_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sandbox hatası (sandbox error)",
            );
        }
    };
    match paid {
        Ok(Paid {
            redirect: Some(to), ..
        }) => (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response(),
        Ok(Paid { message, .. }) => with_link(&s, &token, StatusCode::OK, &message),
        Err(PayError::Unknown) => not_found(&token),
        Err(PayError::Unavailable(why)) => unavailable_page(StatusCode::CONFLICT, why),
        Err(PayError::Invalid(message)) => with_link(&s, &token, StatusCode::BAD_REQUEST, &message),
    }
}

/// The payment form again, with `error` above it.
fn with_link(s: &Shared, token: &str, status: StatusCode, error: &str) -> Response {
    let l = ledger::lock(&s.ledger);
    match l.links.by_token(token) {
        Some(link) => pay_page(status, link, Some(error)),
        None => not_found(token),
    }
}

fn not_found(token: &str) -> Response {
    let body = format!(
        "<h1>Ödeme linki</h1>\n<p class=\"error\" id=\"status\">Ödeme linki bulunamadı (no such PayLink): {}</p>\n",
        escape(token)
    );
    pages::html(
        StatusCode::NOT_FOUND,
        pages::document("Paynet ödeme linki", &body),
    )
}

fn unavailable_page(status: StatusCode, why: &str) -> Response {
    let body = format!(
        "<h1>Ödeme linki</h1>\n<p id=\"status\">{}</p>\n",
        escape(why)
    );
    pages::html(status, pages::document("Paynet ödeme linki", &body))
}

fn pay_page(status: StatusCode, link: &PayLink, error: Option<&str>) -> Response {
    let charged = money::split(
        link.amount,
        ratio(0).unwrap_or_default(),
        link.addcomission_to_amount,
    )
    .amount;
    let error = error
        .map(|e| {
            format!(
                "<p class=\"error\" id=\"paylink-error\">{}</p>\n",
                escape(e)
            )
        })
        .unwrap_or_default();
    let input = |id: &str, name: &str, label: &str, extra: &str| {
        format!(
            "<label for=\"{id}\">{label}</label>\n<input id=\"{id}\" name=\"{name}\" {extra}>\n"
        )
    };
    let body = format!(
        "<h1>Ödeme (payment)</h1>\n\
         <dl>\n\
         <dt>Alıcı (payer)</dt><dd id=\"paylink-name\">{name}</dd>\n\
         <dt>Tutar (amount)</dt><dd id=\"paylink-amount\">{amount} TRY</dd>\n\
         <dt>Açıklama (note)</dt><dd id=\"paylink-note\">{note}</dd>\n\
         </dl>\n{error}\
         <form id=\"paylink-form\" method=\"post\" action=\"{action}\">\n{holder}{pan}{month}{year}{cvc}\
         <button type=\"submit\" id=\"paylink-pay\">Öde (Pay)</button>\n</form>\n",
        name = escape(&link.name_surname),
        amount = money::format_tl(charged, 2),
        note = escape(&link.note),
        action = escape(&format!("{PAGE_PREFIX}{}", link.token)),
        holder = input(
            "paylink-card-holder",
            "card_holder",
            "Kart sahibi (card holder)",
            "autocomplete=\"cc-name\""
        ),
        pan = input(
            "paylink-pan",
            "pan",
            "Kart numarası (card number)",
            "autocomplete=\"cc-number\" inputmode=\"numeric\""
        ),
        month = input(
            "paylink-month",
            "month",
            "Ay (month)",
            "autocomplete=\"cc-exp-month\" inputmode=\"numeric\" maxlength=\"2\""
        ),
        year = input(
            "paylink-year",
            "year",
            "Yıl (year)",
            "autocomplete=\"cc-exp-year\" inputmode=\"numeric\" maxlength=\"4\""
        ),
        cvc = input(
            "paylink-cvc",
            "cvc",
            "CVC",
            "autocomplete=\"cc-csc\" inputmode=\"numeric\" maxlength=\"4\""
        ),
    );
    pages::html(status, pages::document("Paynet ödeme linki", &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xact_id_is_appended_to_the_query() {
        assert_eq!(
            with_xact_id("https://s.example/ok", "xk_1"),
            "https://s.example/ok?xact_id=xk_1"
        );
        assert_eq!(
            with_xact_id("https://s.example/ok?o=5", "xk_1"),
            "https://s.example/ok?o=5&xact_id=xk_1"
        );
        assert_eq!(
            with_xact_id("https://s.example/ok?", "xk_1"),
            "https://s.example/ok?xact_id=xk_1"
        );
        assert_eq!(
            with_xact_id("https://s.example/ok#top", "xk_1"),
            "https://s.example/ok?xact_id=xk_1#top"
        );
    }

    #[test]
    fn tokens_from_urls() {
        assert_eq!(token_of("abc"), "abc");
        assert_eq!(
            token_of("http://127.0.0.1:9/__sandbox/paylink/abc?x=1"),
            "abc"
        );
    }
}
