//! HTTP routing, the cross-cutting layers (request counting, fault injection, auth) and
//! helpers shared by the endpoint handlers.

mod admin;
pub mod agent;
pub mod bank_page;
mod capture;
mod card_storage;
mod capture_reversal;
mod charge;
mod check;
mod detail;
mod inject;
mod listing;
mod lookup;
pub mod membership;
pub mod paylink;
pub mod paylink_page;
pub mod payment;
mod payment_list;
pub mod paynetjs;
mod preauth_reversal;
pub mod ratio;
mod receipt_otp;
mod responses;
pub mod reversal;
mod services;
pub mod subscription;
pub mod subscription_page;
pub mod tds;
mod transaction_list;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use serde::Serialize;

use crate::Shared;
use crate::ledger::CardData;
use crate::wire::{ApiError, ApiResult, Fields, rc};

pub const ADMIN_PREFIX: &str = "/__sandbox/";
/// Files a browser loads (Paynet.js): neither API requests nor faulted.
pub const PUBLIC_PREFIX: &str = "/public/";

pub fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/v2/transaction/payment", post(payment::payment))
        .route("/v2/transaction/tds_initial", post(tds::tds_initial))
        .route("/v2/transaction/tds_charge", post(tds::tds_charge))
        .route("/v1/mailorder/create", post(paylink::create))
        .route("/v1/mailorder/detail", post(paylink::detail))
        .route("/v1/mailorder/list", post(paylink::list))
        .route("/v1/mailorder/status_update", post(paylink::status_update))
        .route(
            "/v2/agent/create_end_user_receipt_otp",
            post(receipt_otp::create),
        )
        .route("/v1/transaction/charge", post(charge::charge))
        .route("/v1/transaction/capture", post(capture::capture))
        .route("/v1/transaction/check", post(check::check))
        .route(
            "/v1/transaction/preauth_reversal",
            post(preauth_reversal::preauth_reversal),
        )
        .route(
            "/v1/transaction/payment_list",
            post(payment_list::payment_list),
        )
        .route(
            "/v1/transaction/reversed_request",
            post(reversal::reversed_request),
        )
        .route(
            "/v1/transaction/reversal_list",
            post(reversal::reversal_list),
        )
        .route(
            "/v1/transaction/capture_reversal",
            post(capture_reversal::capture_reversal),
        )
        .route("/v1/transaction/detail", post(detail::detail))
        .route("/v1/transaction/list", post(transaction_list::list))
        .route(
            "/v1/transaction/mark_transferred",
            post(services::mark_transferred),
        )
        .route("/v1/transaction/add_info", post(services::add_info))
        .route("/v1/transaction/slip", post(services::slip))
        .route(
            "/v1/transaction/upload",
            post(services::upload).layer(DefaultBodyLimit::max(services::UPLOAD_BODY_LIMIT)),
        )
        .route(
            "/v1/transaction/escrow_status_update",
            post(services::escrow_status_update),
        )
        .route("/v1/card/save", post(card_storage::save))
        .route("/v1/card/list", post(card_storage::list))
        .route("/v1/card/delete", post(card_storage::delete))
        .route("/v1/card/desc_update", post(card_storage::desc_update))
        .route("/v1/card/send_otp", post(card_storage::send_otp))
        .route("/v1/card/check_otp", post(card_storage::check_otp))
        .route("/v1/ratio/Get", post(ratio::get))
        .route("/v1/ratio/set_type", post(ratio::set_type))
        .route("/v1/ratio/delete_type", post(ratio::delete_type))
        .route("/v1/ratio/define", post(ratio::define))
        .route("/v1/agent/autologin", post(agent::autologin))
        .route("/v1/agent/login", post(agent::login))
        .route("/v1/agent/check_agent", post(agent::check_agent))
        .route("/v1/agent/limit_info", post(agent::limit_info))
        .route("/v1/agent/check_integration_info", post(agent::check_integration_info))
        .merge(subscription_routes())
        .route("/v1/membership/formdata_insert", post(membership::insert))
        .route("/v1/membership/formdata_get", post(membership::get))
        .route("/v1/membership/formtypes_and_doctypes", post(membership::doc_types))
        .route("/v1/membership/formtypes_and_doctypes_all", post(membership::doc_types_all))
        // Inside auth: only an authenticated request bills what came due.
        .route_layer(middleware::from_fn_with_state(Arc::clone(&shared), bill_new_days))
        // route_layer: unknown paths fall through to the 404 without an auth check.
        .route_layer(middleware::from_fn_with_state(Arc::clone(&shared), auth));
    let admin = Router::new()
        .route("/__sandbox/stats", get(admin::stats))
        .route("/__sandbox/ledger", get(admin::ledger))
        .route(
            "/__sandbox/faults",
            post(admin::faults).get(admin::fault_stats),
        )
        .route("/__sandbox/seed", post(admin::seed))
        .route(agent::GATE_PATH, get(agent::gate))
        // The publishable key's service authenticates itself (header or body).
        .route("/v1/ratio/Get_public", post(ratio::get_public))
        .route("/__sandbox/clock", get(admin::clock).post(admin::set_clock))
        .route("/__sandbox/reversals", get(reversal::admin_list))
        .route("/__sandbox/reversals/{reversal_id}", post(reversal::review))
        .route(
            &format!("{}{{token}}", services::SLIP_PREFIX),
            get(services::slip_page),
        )
        .route("/__sandbox/confirmations", get(admin::confirmations))
        .route(
            paynetjs::SESSION_PATH,
            post(paynetjs::session)
                .options(paynetjs::preflight)
                .layer(middleware::from_fn(paynetjs::cors)),
        )
        .route(
            "/__sandbox/bank/3d/{session_id}",
            get(bank_page::show).post(bank_page::submit),
        )
        .route(
            "/__sandbox/paylink/{token}",
            get(paylink_page::show).post(paylink_page::submit),
        )
        .route("/__sandbox/paylink/{token}/expire", post(paylink::expire))
        .route(
            "/__sandbox/subscription/{token}",
            get(subscription_page::show).post(subscription_page::submit),
        )
        .route(
            "/__sandbox/subscription/{token}/return",
            post(subscription_page::bank_return),
        )
        .route(paynetjs::SCRIPT_PATH, get(paynetjs::script));
    api.merge(admin)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&shared),
            count_and_faults,
        ))
        .with_state(shared)
}

/// `v1/subscription/*`. The docs index spells the amount update `v1/subcription/...` and
/// one page title says `manuel_charge`: both spellings are served.
fn subscription_routes() -> Router<Arc<Shared>> {
    use subscription as sub;
    Router::new()
        .route("/v1/subscription/create", post(sub::create))
        .route("/v1/subscription/subscription_detail", post(sub::detail))
        .route("/v1/subscription/list", post(sub::list))
        .route("/v1/subscription/status_update", post(sub::status_update))
        .route("/v1/subscription/amount_update", post(sub::amount_update))
        .route("/v1/subcription/amount_update", post(sub::amount_update))
        .route("/v1/subscription/send_again", post(sub::send_again))
        .route("/v1/subscription/card_info_list", post(sub::card_info_list))
        .route("/v1/subscription/card_info_label_update", post(sub::card_info_label_update))
        .route("/v1/subscription/card_info_delete", post(sub::card_info_delete))
        .route("/v1/subscription/card_info_link_to_subscription", post(sub::card_info_link))
        .route("/v1/subscription/create_card_tds_initial", post(sub::create_card_tds_initial))
        .route("/v1/subscription/create_card_tds_confirm", post(sub::create_card_tds_confirm))
        .route("/v1/subscription/card_info_arrange", post(sub::card_info_arrange))
        .route("/v1/subscription/create_invoice", post(sub::create_invoice))
        .route("/v1/subscription/invoice_list", post(sub::invoice_list))
        .route("/v1/subscription/invoices_status_update_all", post(sub::invoices_status_update_all))
        .route("/v1/subscription/invoice_status_update", post(sub::invoice_status_update))
        .route("/v1/subscription/invoice_amount_update", post(sub::invoice_amount_update))
        .route("/v1/subscription/manual_charge", post(sub::manual_charge))
        .route("/v1/subscription/manuel_charge", post(sub::manual_charge))
}

/// Counts API requests and serves injected faults: a `before` fault answers before anything
/// else (auth, ledger) runs; an `after` fault lets the request through and then replaces,
/// holds, cuts or kills its answer (see `inject`).
async fn count_and_faults(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with(ADMIN_PREFIX) || path.starts_with(PUBLIC_PREFIX) {
        return next.run(req).await;
    }
    s.requests.fetch_add(1, Ordering::Relaxed);
    match s.faults.pick(req.uri().path()) {
        Some(rule) => inject::strike(rule, req, next).await,
        None => next.run(req).await,
    }
}

async fn auth(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    if authorized(req.headers(), &s.config.secret_key) {
        next.run(req).await
    } else {
        ApiError::unauthorized().into_response()
    }
}

/// Subscriptions bill the days begun since they last billed (`subscription::bill_new_days`).
async fn bill_new_days(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    subscription::bill_new_days(&s);
    next.run(req).await
}

/// Paynet's scheme is `Basic <secret_key>` with the raw key, not base64(user:pass).
fn authorized(headers: &HeaderMap, key: &str) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let value = value.trim();
    match value.split_once(' ') {
        Some((scheme, given)) => scheme.eq_ignore_ascii_case("basic") && given.trim() == key,
        None => false,
    }
}

async fn not_found(req: Request) -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "api_error",
        rc::NOT_IMPLEMENTED,
        format!("Servis bulunamadı (no such service): {}", req.uri().path()),
    )
    .into_response()
}

async fn method_not_allowed(req: Request) -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "api_error",
        rc::NOT_IMPLEMENTED,
        format!(
            "{} desteklenmiyor; Paynet servisleri POST ile çağrılır (use POST)",
            req.method()
        ),
    )
    .into_response()
}

/// A 200 JSON answer. Serialization of our own response structs cannot fail in practice,
/// but a failure becomes a 500 in Paynet's shape rather than a panic.
pub fn json_ok<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => json_bytes(body),
        Err(e) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "api_error",
            rc::SERVER_ERROR,
            e.to_string(),
        )
        .into_response(),
    }
}

pub fn json_bytes(body: Vec<u8>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

/// A JSON answer sent as its chunks arrive on `chunks` (chunked transfer encoding).
pub fn json_stream(chunks: tokio::sync::mpsc::UnboundedReceiver<String>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        axum::body::Body::from_stream(Chunks(chunks)),
    )
        .into_response()
}

struct Chunks(tokio::sync::mpsc::UnboundedReceiver<String>);

impl futures_core::Stream for Chunks {
    type Item = Result<axum::body::Bytes, std::convert::Infallible>;

    fn poll_next(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx).map(|chunk| chunk.map(|c| Ok(axum::body::Bytes::from(c))))
    }
}

/// Runs a money-moving step on its own task and waits for it. Dropping the handler (the
/// client hung up) does not cancel the task, so the ledger never loses an attempt that
/// reached the bank.
pub async fn run_detached<F>(work: F) -> Response
where
    F: Future<Output = ApiResult<Response>> + Send + 'static,
{
    match tokio::spawn(work).await {
        Ok(r) => unwrap_response(r),
        Err(e) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "api_error",
            rc::SERVER_ERROR,
            e.to_string(),
        )
        .into_response(),
    }
}

pub fn unwrap_response(r: ApiResult<Response>) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

/// Reads and checks `pan`, `month`, `year`, `cvc`, `card_holder`. Only Luhn failures use
/// result code 18 (wrongcarddata); malformed expiry/CVC are plain 400/11 naming the field.
pub fn read_card(f: &Fields<'_>) -> ApiResult<CardData> {
    let raw_pan = f.required_string("pan", 32)?;
    let pan: String = raw_pan
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    if !crate::cards::luhn_valid(&pan) {
        return Err(ApiError::invalid_rc(
            rc::WRONG_CARD_DATA,
            "pan geçersiz: kart numarası hatalı (invalid card number: pan fails the Luhn check)",
        ));
    }
    let month = f
        .int("month")?
        .ok_or_else(|| crate::wire::required("month"))?;
    if !(1..=12).contains(&month) {
        return Err(ApiError::invalid(
            "month 1 ile 12 arasında olmalı (month must be 1-12)",
        ));
    }
    let year = f
        .int("year")?
        .ok_or_else(|| crate::wire::required("year"))?;
    if !(1000..=9999).contains(&year) {
        return Err(ApiError::invalid(
            "year 4 haneli olmalı, örn. 2030 (year must have 4 digits)",
        ));
    }
    let cvc = f.required_string("cvc", 8)?;
    if !(3..=4).contains(&cvc.len()) || !cvc.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid(
            "cvc 3 veya 4 haneli olmalı (cvc must be 3 or 4 digits)",
        ));
    }
    let card_holder = f.required_string("card_holder", 50)?;
    Ok(CardData {
        pan,
        month: month as u32,
        year: year as i32,
        card_holder,
    })
}

/// A card expires at the end of its month, by the sandbox clock.
pub fn is_expired(s: &Shared, month: u32, year: i32) -> bool {
    let today = s.clock.today();
    (year, month) < (today.year(), today.month())
}
