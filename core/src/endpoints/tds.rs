//! 3D Secure: `v2/transaction/tds_initial` starts a payment and sends the
//! browser to the bank; `v2/transaction/tds_charge` completes it from what
//! the bank posted back (docs/CHECKOUT.md).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::payment::payment_params;
use super::{checked_answer, transaction_result};
use crate::endpoint::{Endpoint, RetryPolicy, WireOptions};
use crate::error::Error;
use crate::models::Transaction;
use crate::spec::{CheckDeclared, Doc, Spec, WireDeclared};

/// Starts a 3D Secure sale or pre-auth: nothing is charged yet.
///
/// Send the customer's browser to the bank: render `html_content` (a page
/// that submits itself to `post_url`), or redirect to `post_url`. The bank
/// posts back to `return_url`; complete the payment there with
/// `payments.complete_3d`.
#[derive(Doc)]
pub struct CreateThreeDSecure;

payment_params! {
    pub struct CreateThreeDSecureParams {
        /// Where the bank sends the customer back (a POST with `session_id`
        /// and `token_id`): an absolute http(s) URL of your shop.
        #[spec(not_blank, max_len = 256)]
        pub return_url: String,
    }
}

/// What the shop sends the customer's browser to, and the pair that
/// completes the payment.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct ThreeDSecureSession {
    /// The bank's 3D page.
    pub post_url: Option<String>,
    /// A complete HTML page that takes the browser to `post_url`: send it as
    /// the response body.
    pub html_content: Option<String>,
    pub session_id: String,
    pub token_id: String,
    #[spec(free_text)]
    pub message: Option<String>,
}

impl Endpoint for CreateThreeDSecure {
    const NAME: &'static str = "payments.create_3d";
    const PATH: &'static str = "v2/transaction/tds_initial";
    /// Moves no money, but a resent start makes a second session: not sent twice.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = Some("nothing was charged ({}): start a new 3D payment");
    type Params = CreateThreeDSecureParams;
    type Output = ThreeDSecureSession;

    fn to_wire(p: &CreateThreeDSecureParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        if !(p.return_url.starts_with("https://") || p.return_url.starts_with("http://")) {
            return Err(Error::invalid("return_url", "must be an absolute http(s) URL of your shop"));
        }
        p.payment_body(options)
    }

    fn from_wire(_: &CreateThreeDSecureParams, body: &Map<String, Value>) -> Result<ThreeDSecureSession, Error> {
        // Clients take code 100 ("earlier successful") as success here too (§2.2).
        let session: ThreeDSecureSession = if crate::wire::Reader::new(body).int(&["code"])? == Some(crate::models::CODE_REPLAYED) {
            crate::wire::FromAnswer::from_wire(body)?
        } else {
            checked_answer(body)?
        };
        if session.post_url.is_none() && session.html_content.is_none() {
            return Err(Error::new(crate::error::ErrorKind::Protocol, "Paynet's answer has neither `post_url` nor `html_content`"));
        }
        Ok(session)
    }
}

/// Completes a 3D Secure payment from what the bank posted to `return_url`.
///
/// Pass the post as your framework gives it (Django `request.POST`, Flask
/// `request.form`, a FastAPI form, Express `req.body`): only `session_id`
/// and `token_id` are read, and the posted status is not trusted: Paynet's
/// answer decides. A failed or cancelled 3D is a `three_d_secure_failed`
/// error, a bank decline `card_declined`. Repeating it is safe: the same
/// pair never charges twice (`replayed` is true). Pass the order's
/// `reference_no` too, from your own records: Paynet's answer must be about it.
#[derive(Doc)]
pub struct CompleteThreeDSecure;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct CompleteThreeDSecureParams {
    /// From the bank's post to `return_url` (or `payments.create_3d`).
    #[spec(not_blank, max_len = 100)]
    pub session_id: String,
    #[spec(not_blank, max_len = 100)]
    pub token_id: String,
    /// The order this return is for, as your shop knows it (never from the
    /// post): an answer about another order is refused, so a customer cannot
    /// complete one order with another's cheaper payment. Not sent.
    #[spec(not_blank, max_len = 50)]
    pub reference_no: Option<String>,
}

impl Endpoint for CompleteThreeDSecure {
    const NAME: &'static str = "payments.complete_3d";
    const PATH: &'static str = "v2/transaction/tds_charge";
    /// Paynet answers a repeated pair with the first result (code 100).
    const RETRY: RetryPolicy = RetryPolicy::Deduplicated;
    type Params = CompleteThreeDSecureParams;
    type Output = Transaction;

    /// The pair only: `reference_no` is what the answer is checked against.
    fn to_wire(p: &CompleteThreeDSecureParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        let mut body = p.to_wire_declared(options);
        body.remove("reference_no");
        Ok(body)
    }

    fn from_wire(p: &CompleteThreeDSecureParams, body: &Map<String, Value>) -> Result<Transaction, Error> {
        transaction_result(body, p.reference_no.as_deref(), Self::RETRY)
    }
}
