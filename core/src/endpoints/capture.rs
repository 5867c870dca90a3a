//! `v1/transaction/capture`: settle a pre-auth, fully or in part.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::transaction_result;
use crate::endpoint::{Endpoint, RetryPolicy};
use crate::error::Error;
use crate::models::Transaction;
use crate::money::Money;
use crate::spec::{Doc, Spec};

/// Settles a pre-auth, identified by one of `xact_id`, `xact` or `reference_no`.
///
/// Without `amount`, the whole pre-authorised amount.
#[derive(Doc)]
pub struct Capture;

/// Identify the pre-auth by one of `xact_id`, `xact` (the plain id) or `reference_no`.
#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params, at_least_one = ["xact_id", "xact", "reference_no"])]
pub struct CaptureParams {
    /// The pre-auth's `xact_id`.
    #[spec(not_blank, max_len = 100)]
    pub xact_id: Option<String>,
    /// The pre-auth's plain numeric id (`id` in results).
    #[spec(wire_text)]
    pub xact: Option<i64>,
    /// The pre-auth's `reference_no`.
    #[spec(not_blank, max_len = 50)]
    pub reference_no: Option<String>,
    /// Absent: the whole pre-authorised amount.
    #[spec(money = "kurus", positive)]
    pub amount: Option<Money>,
}

impl Endpoint for Capture {
    const NAME: &'static str = "payments.capture";
    const PATH: &'static str = "v1/transaction/capture";
    /// A pre-auth can be captured once, so a resent capture cannot take money
    /// twice; but a partial capture's second answer would be an error that
    /// hides the first one's success. Treat it like any unsafe call.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    type Params = CaptureParams;
    type Output = Transaction;

    fn from_wire(p: &CaptureParams, body: &Map<String, Value>) -> Result<Transaction, Error> {
        transaction_result(body, p.reference_no.as_deref(), Self::RETRY)
    }
}
