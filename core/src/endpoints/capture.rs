//! `v1/transaction/capture`: settle a pre-auth, fully or in part.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{insert_opt, transaction_result};
use crate::endpoint::{Endpoint, RetryPolicy, WireOptions};
use crate::error::Error;
use crate::models::Transaction;
use crate::money::Money;
use crate::spec::{Doc, Spec};
use crate::validate;
use crate::wire::MoneyWire;

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
    pub xact: Option<i64>,
    /// The pre-auth's `reference_no`.
    #[spec(not_blank, max_len = 50)]
    pub reference_no: Option<String>,
    /// Absent: the whole pre-authorised amount.
    #[spec(money = "kurus", positive)]
    pub amount: Option<Money>,
}

impl CaptureParams {
    fn validate(&self) -> Result<(), Error> {
        validate::optional_id("xact_id", self.xact_id.as_ref(), 100)?;
        validate::optional_id("reference_no", self.reference_no.as_ref(), 50)?;
        validate::at_least_one(&[
            ("xact_id", self.xact_id.is_some()),
            ("xact", self.xact.is_some()),
            ("reference_no", self.reference_no.is_some()),
        ])?;
        if let Some(amount) = self.amount {
            validate::positive("amount", amount)?;
        }
        Ok(())
    }
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

    fn reference_no(p: &CaptureParams) -> Option<&str> {
        p.reference_no.as_deref()
    }

    fn xact_id(p: &CaptureParams) -> Option<&str> {
        p.xact_id.as_deref()
    }

    fn to_wire(p: &CaptureParams, _: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.validate()?;
        let mut body = Map::new();
        insert_opt(&mut body, "xact_id", p.xact_id.clone());
        insert_opt(&mut body, "xact", p.xact.map(|x| x.to_string()));
        insert_opt(&mut body, "reference_no", p.reference_no.clone());
        insert_opt(&mut body, "amount", p.amount.map(|m| MoneyWire::KurusString.encode(m)));
        Ok(body)
    }

    fn from_wire(p: &CaptureParams, body: &Map<String, Value>) -> Result<Transaction, Error> {
        transaction_result(body, p.reference_no.as_deref())
    }
}
