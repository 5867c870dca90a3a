//! The card issuer's 3D Secure page at `post_url`: the browser's page, no Paynet auth.
//! The customer types the SMS code (or cancels); the bank then sends the browser back to
//! the shop's `return_url` with an auto-submitting form.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::tds::{TdsFailure, TdsSession, TdsState, is_pre_auth};
use crate::Shared;
use crate::ledger;
use crate::money;
use crate::pages::{self, escape};

pub const PATH_PREFIX: &str = "/__sandbox/bank/3d/";
/// The code the sandbox's bank "sends by SMS".
pub const OTP_OK: &str = "123456";
/// A code the bank answers with a timeout.
pub const OTP_BANK_TIMEOUT: &str = "000000";
pub const OTP_TRIES: u8 = 3;
/// A card whose issuer takes no part in 3D Secure.
pub const NOT_ENROLLED_PAN: &str = "4000000000003063";

/// What the customer does on the bank's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BankAction {
    Otp(String),
    Cancel,
}

/// The form the bank's page posts to the shop's `return_url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnPost {
    pub return_url: String,
    /// `session_id`, `token_id`, `reference_no`, `md_status`, and on failure `md_error_message`.
    pub fields: Vec<(String, String)>,
}

pub fn post_url(s: &Shared, session_id: &str) -> String {
    format!("{}{PATH_PREFIX}{session_id}", s.base_url)
}

/// The bank's answer to one visit or submit of its page.
enum Step {
    /// Show the OTP form (again), with the error of the last try if any.
    Ask {
        error: Option<String>,
    },
    Done(ReturnPost),
}

fn return_post(session_id: &str, session: &TdsSession) -> ReturnPost {
    let mut fields = vec![
        ("session_id".to_owned(), session_id.to_owned()),
        ("token_id".to_owned(), session.token_id.clone()),
        (
            "reference_no".to_owned(),
            session.prepared.attempt.reference_no.clone(),
        ),
    ];
    match session.state {
        TdsState::Failed(failure) => {
            fields.push(("md_status".to_owned(), "0".to_owned()));
            fields.push(("md_error_message".to_owned(), failure.message()));
        }
        _ => fields.push(("md_status".to_owned(), "1".to_owned())),
    }
    ReturnPost {
        return_url: session.return_url.clone(),
        fields,
    }
}

/// The bank's decision; `None` action is a visit (GET). Shared by the page and
/// `Sandbox::complete_3d`, so tests without a browser take the same path.
fn step(session_id: &str, session: &mut TdsSession, action: Option<BankAction>) -> Step {
    let TdsState::Pending { tries_left } = session.state else {
        // Finished: a reload posts the same outcome again.
        return Step::Done(return_post(session_id, session));
    };
    if session.prepared.attempt.card.pan == NOT_ENROLLED_PAN {
        session.state = TdsState::Failed(TdsFailure::NotEnrolled);
        return Step::Done(return_post(session_id, session));
    }
    session.state = match action {
        None => return Step::Ask { error: None },
        Some(BankAction::Cancel) => TdsState::Failed(TdsFailure::Cancelled),
        Some(BankAction::Otp(otp)) => match otp.trim() {
            OTP_OK => TdsState::Verified,
            OTP_BANK_TIMEOUT => TdsState::Failed(TdsFailure::BankTimeout),
            _ if tries_left <= 1 => TdsState::Failed(TdsFailure::WrongOtp),
            _ => {
                let tries_left = tries_left - 1;
                session.state = TdsState::Pending { tries_left };
                return Step::Ask {
                    error: Some(format!(
                        "Şifre hatalı. Kalan deneme hakkı: {tries_left} (wrong code, {tries_left} tries left)"
                    )),
                };
            }
        },
    };
    Step::Done(return_post(session_id, session))
}

/// `session_id` from itself or from a `post_url`.
fn session_id_of(session: &str) -> &str {
    let path = session.split(['?', '#']).next().unwrap_or_default();
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

fn unknown_session(session_id: &str) -> String {
    format!("no 3D session {session_id:?}")
}

pub fn complete(s: &Shared, session: &str, action: BankAction) -> Result<ReturnPost, String> {
    let session_id = session_id_of(session);
    let mut l = ledger::lock(&s.ledger);
    let tds = l
        .tds
        .get_mut(session_id)
        .ok_or_else(|| unknown_session(session_id))?;
    match step(session_id, tds, Some(action)) {
        Step::Done(post) => Ok(post),
        Step::Ask { error } => Err(error.unwrap_or_default()),
    }
}

pub async fn show(State(s): State<Arc<Shared>>, Path(session_id): Path<String>) -> Response {
    page(&s, &session_id, None)
}

pub async fn submit(
    State(s): State<Arc<Shared>>,
    Path(session_id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let action = if form.get("action").map(String::as_str) == Some("cancel") {
        BankAction::Cancel
    } else {
        BankAction::Otp(form.get("otp").cloned().unwrap_or_default())
    };
    page(&s, &session_id, Some(action))
}

fn page(s: &Shared, session_id: &str, action: Option<BankAction>) -> Response {
    let mut l = ledger::lock(&s.ledger);
    let Some(tds) = l.tds.get_mut(session_id) else {
        let body = format!(
            "<h1>3D Secure</h1>\n<p class=\"error\">Oturum bulunamadı (no such 3D session): {}</p>\n",
            escape(session_id)
        );
        return pages::html(StatusCode::NOT_FOUND, pages::document("3D Secure", &body));
    };
    match step(session_id, tds, action) {
        Step::Ask { error } => {
            pages::html(StatusCode::OK, otp_page(session_id, tds, error.as_deref()))
        }
        Step::Done(post) => {
            let message = match tds.state {
                TdsState::Failed(failure) => failure.message(),
                _ => "Doğrulama başarılı, mağazaya dönülüyor (verified, returning to the shop)"
                    .to_owned(),
            };
            pages::html(
                StatusCode::OK,
                pages::auto_submit("post", &post.return_url, &post.fields, &message),
            )
        }
    }
}

fn otp_page(session_id: &str, tds: &TdsSession, error: Option<&str>) -> String {
    let a = &tds.prepared.attempt;
    let tries_left = match tds.state {
        TdsState::Pending { tries_left } => tries_left,
        _ => 0,
    };
    let kind = if is_pre_auth(tds) {
        "Ön provizyon (pre-authorisation)"
    } else {
        "Satış (sale)"
    };
    let merchant = if tds.domain.is_empty() {
        &tds.return_url
    } else {
        &tds.domain
    };
    let error = error
        .map(|e| format!("<p class=\"error\" id=\"otp-error\">{}</p>\n", escape(e)))
        .unwrap_or_default();
    let body = format!(
        "<h1>3D Secure doğrulama</h1>\n\
         <p class=\"note\">Sandbox Bank: bu sayfa Paynet sandbox'ının test bankasıdır (a test bank).</p>\n\
         <dl>\n\
         <dt>İşyeri (merchant)</dt><dd id=\"merchant\">{merchant}</dd>\n\
         <dt>Tutar (amount)</dt><dd id=\"amount\">{amount} TRY</dd>\n\
         <dt>İşlem (transaction)</dt><dd id=\"kind\">{kind}</dd>\n\
         <dt>Kart (card)</dt><dd id=\"card\">{card}</dd>\n\
         <dt>Kart sahibi (holder)</dt><dd id=\"holder\">{holder}</dd>\n\
         </dl>\n{error}\
         <form id=\"bank-3d\" method=\"post\" action=\"{action}\">\n\
         <label for=\"otp\">SMS şifresi (one-time code)</label>\n\
         <input id=\"otp\" name=\"otp\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"6\" autofocus>\n\
         <p class=\"note\" id=\"tries\">Kalan deneme hakkı (tries left): {tries_left}</p>\n\
         <button type=\"submit\" id=\"confirm\" name=\"action\" value=\"confirm\">Onayla (Confirm)</button>\n\
         <button type=\"submit\" id=\"cancel\" name=\"action\" value=\"cancel\">İptal (Cancel)</button>\n\
         </form>\n\
         <p class=\"note\">Test: {OTP_OK} doğru şifre (verified), {OTP_BANK_TIMEOUT} banka zaman aşımı (bank timeout).</p>\n",
        merchant = escape(merchant),
        amount = money::format_tl(a.split.amount, 2),
        card = escape(&crate::cards::mask(&a.card.pan)),
        holder = escape(&a.card.card_holder),
        action = escape(&format!("{PATH_PREFIX}{session_id}")),
    );
    pages::document("3D Secure", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_from_urls() {
        assert_eq!(session_id_of("js_abc"), "js_abc");
        assert_eq!(
            session_id_of("http://127.0.0.1:1/__sandbox/bank/3d/js_abc?x=1"),
            "js_abc"
        );
        assert_eq!(session_id_of("/__sandbox/bank/3d/js_abc/"), "js_abc");
    }

    #[test]
    fn not_enrolled_card_is_luhn_valid() {
        assert!(crate::cards::luhn_valid(NOT_ENROLLED_PAN));
    }
}
