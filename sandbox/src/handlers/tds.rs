//! 3D Secure: `v2/transaction/tds_initial` opens a session and sends the browser to the
//! bank's page (`bank_page`); `v2/transaction/tds_charge` charges once the bank verified
//! the customer.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::bank_page;
use super::payment::{self, Prepared, bank_step, decide, truncated_body};
use super::responses::{MSG_OK, tds_charge_response};
use super::{json_ok, run_detached, unwrap_response};
use crate::Shared;
use crate::cards::Behaviour;
use crate::ledger::{self, Claim, XactType};
use crate::money::Tl;
use crate::pages;
use crate::wire::{ApiError, ApiResult, Fields, parse_object, rc};

/// One 3D payment between `tds_initial` and `tds_charge`.
pub struct TdsSession {
    pub token_id: String,
    /// The validated payment, charged as is by `tds_charge`.
    pub prepared: Prepared,
    pub return_url: String,
    pub domain: String,
    pub state: TdsState,
    /// The entry `tds_charge` recorded: a success, or the bank's decline.
    pub charged: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TdsState {
    /// The customer is on the bank's page.
    Pending {
        tries_left: u8,
    },
    Verified,
    Failed(TdsFailure),
}

/// Why the bank did not verify the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TdsFailure {
    WrongOtp,
    BankTimeout,
    Cancelled,
    NotEnrolled,
}

impl TdsFailure {
    /// The reason's name, as CHECKOUT.md's test table spells it; ends every message.
    pub fn code(self) -> &'static str {
        match self {
            TdsFailure::WrongOtp => "wrong_otp",
            TdsFailure::BankTimeout => "bank_timeout",
            TdsFailure::Cancelled => "cancelled",
            TdsFailure::NotEnrolled => "not_enrolled",
        }
    }

    pub fn message(self) -> String {
        let text = match self {
            TdsFailure::WrongOtp => {
                "3D doğrulama başarısız: şifre 3 kez hatalı girildi (the OTP was wrong three times)"
            }
            TdsFailure::BankTimeout => {
                "3D doğrulama başarısız: banka zaman aşımı (the bank timed out)"
            }
            TdsFailure::Cancelled => {
                "3D doğrulama başarısız: müşteri işlemi iptal etti (the customer cancelled)"
            }
            TdsFailure::NotEnrolled => {
                "3D doğrulama başarısız: kart 3D Secure'a kayıtlı değil (the card is not enrolled in 3D Secure)"
            }
        };
        format!("{text} [{}]", self.code())
    }
}

#[derive(Serialize)]
struct InitialResponse<'a> {
    object_name: &'a str,
    code: i32,
    message: &'a str,
    post_url: &'a str,
    html_content: &'a str,
    session_id: &'a str,
    token_id: &'a str,
}

pub async fn tds_initial(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(initial(&s, &body))
}

fn duplicate_reference() -> ApiError {
    ApiError::invalid_rc(
        rc::DUPLICATE_DATA,
        "Bu reference_no ile daha önce başarılı bir ödeme yapılmış \
         (reference_no already has a successful payment)",
    )
}

fn initial(s: &Shared, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    let mut prepared = payment::prepare(s, &f)?;
    let return_url = f
        .http_url("return_url", 256)?
        .ok_or_else(|| crate::wire::required("return_url"))?;
    let domain = f.string("domain", 256)?.unwrap_or_default();
    f.string("agent_reference_no", 50)?;
    prepared.attempt.is_tds = true;

    let session_id = format!("js_{}", s.rng.token(48));
    let token_id = s.rng.guid().to_uppercase();
    {
        let mut l = ledger::lock(&s.ledger);
        if l.successful_by_reference(&prepared.attempt.reference_no)
            .is_some()
        {
            return Err(duplicate_reference());
        }
        l.tds.insert(
            session_id.clone(),
            TdsSession {
                token_id: token_id.clone(),
                prepared,
                return_url,
                domain,
                state: TdsState::Pending {
                    tries_left: bank_page::OTP_TRIES,
                },
                charged: None,
            },
        );
    }
    let post_url = bank_page::post_url(s, &session_id);
    let html_content = pages::auto_submit(
        "get",
        &post_url,
        &[],
        "Bankanızın 3D Secure sayfasına yönlendiriliyorsunuz (redirecting to your bank's 3D Secure page)",
    );
    Ok(json_ok(&InitialResponse {
        object_name: "tds_initial",
        code: 0,
        message: MSG_OK,
        post_url: &post_url,
        html_content: &html_content,
        session_id: &session_id,
        token_id: &token_id,
    }))
}

/// A `tds_charge` whose session and token matched.
struct ChargeRequest {
    session_id: String,
    reference_no: String,
}

fn no_session() -> ApiError {
    ApiError::invalid_rc(
        rc::PAYNETJ_NO_SESSION,
        "3D oturumu bulunamadı (no 3D session for this session_id and token_id)",
    )
}

pub async fn tds_charge(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    match charge_request(&s, &body) {
        Ok(req) => run_detached(charge(s, req)).await,
        Err(e) => e.into_response(),
    }
}

fn charge_request(s: &Shared, body: &[u8]) -> ApiResult<ChargeRequest> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    let session_id = f.required_string("session_id", 100)?;
    let token_id = f.required_string("token_id", 100)?;
    // Clients send it; the session's own type (from tds_initial) is what is charged.
    payment::transaction_type(&f, Some(1))?;
    let l = ledger::lock(&s.ledger);
    let session = l
        .tds
        .get(&session_id)
        .filter(|t| t.token_id.eq_ignore_ascii_case(&token_id))
        .ok_or_else(no_session)?;
    Ok(ChargeRequest {
        reference_no: session.prepared.attempt.reference_no.clone(),
        session_id,
    })
}

/// Keyed on the reference like `payment`, so a 3D charge and a plain payment of the same
/// order never both succeed; detached for the same reason as payments.
async fn charge(s: Arc<Shared>, req: ChargeRequest) -> ApiResult<Response> {
    let key = format!("ref:{}", req.reference_no);
    let reservation = match ledger::claim(&s.ledger, key, |l| {
        let id = l.tds.get(&req.session_id)?.charged?;
        l.get(id).filter(|e| e.is_succeed).map(|e| e.id)
    })
    .await
    {
        Claim::Replay(e) => return Ok(json_ok(&tds_charge_response(&e, true))),
        Claim::Owner(r) => r,
    };
    let (prepared, hold) = {
        let mut l = ledger::lock(&s.ledger);
        let session = l.tds.get(&req.session_id).ok_or_else(no_session)?;
        if let Some(entry) = session.charged.and_then(|id| l.get(id)) {
            // The bank declined it: the same answer again, nothing new is charged.
            return Ok(json_ok(&tds_charge_response(entry, false)));
        }
        match session.state {
            TdsState::Pending { .. } => {
                return Err(ApiError::invalid_rc(
                    rc::PAYNETJ_3D_ERROR,
                    "3D doğrulama henüz tamamlanmadı (3D Secure is not finished: the customer is still on the bank page)",
                ));
            }
            TdsState::Failed(failure) => return Ok(json_ok(&failure_response(session, failure))),
            TdsState::Verified => {}
        }
        if l.successful_by_reference(&req.reference_no).is_some() {
            return Err(duplicate_reference());
        }
        let prepared = session.prepared.clone();
        let hold = super::agent::hold_limit(&mut l, &prepared.attempt)?;
        (prepared, hold)
    };

    let behaviour = decide(&s, &prepared.attempt.card);
    bank_step(&s, behaviour).await;

    let mut l = ledger::lock(&s.ledger);
    let entry = payment::record(&s, &mut l, prepared, behaviour);
    let id = entry.id;
    let response = if behaviour == Behaviour::Malformed {
        truncated_body(entry)
    } else {
        json_ok(&tds_charge_response(entry, false))
    };
    if let Some(session) = l.tds.get_mut(&req.session_id) {
        session.charged = Some(id);
    }
    hold.release_in(&mut l);
    reservation.release_in(&mut l);
    Ok(response)
}

/// `tds_charge` after a failed 3D step: a transaction-shaped answer with nothing charged
/// (no ledger entry, so no `xact_id`).
#[derive(Serialize)]
struct FailureResponse<'a> {
    xact_id: &'a str,
    transaction_type: u8,
    pos_type: u8,
    is_tds: bool,
    md_status: i32,
    md_error_message: String,
    instalment: i64,
    card_no_masked: String,
    card_holder: &'a str,
    amount: Tl,
    currency: &'a str,
    is_succeed: bool,
    paynet_error_id: String,
    paynet_error_message: String,
    reference_no: &'a str,
    agent_reference_no: &'a str,
    object_name: &'a str,
    code: i32,
    message: &'a str,
}

fn failure_response(session: &TdsSession, failure: TdsFailure) -> FailureResponse<'_> {
    let a = &session.prepared.attempt;
    FailureResponse {
        xact_id: "",
        transaction_type: a.transaction_type,
        pos_type: 5,
        is_tds: true,
        md_status: 0,
        md_error_message: failure.message(),
        instalment: a.instalment,
        card_no_masked: crate::cards::mask(&a.card.pan),
        card_holder: &a.card.card_holder,
        amount: Tl(a.split.amount),
        currency: "TRY",
        is_succeed: false,
        paynet_error_id: rc::PAYNETJ_3D_ERROR.to_string(),
        paynet_error_message: failure.message(),
        reference_no: &a.reference_no,
        agent_reference_no: &a.reference_no,
        object_name: "transaction",
        code: rc::PAYNETJ_3D_ERROR,
        message: "3D doğrulama başarısız (3D Secure failed)",
    }
}

/// A pre-auth made through 3D: used by the bank page to show what is being authorised.
pub fn is_pre_auth(session: &TdsSession) -> bool {
    session.prepared.attempt.xact_type == XactType::PreAuth
}
