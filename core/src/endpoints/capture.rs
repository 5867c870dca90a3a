//! `v1/transaction/capture`: settle a pre-auth, fully or in part.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{insert_opt, transaction_result};
use crate::endpoint::{Endpoint, RetryPolicy, WireOptions};
use crate::error::Error;
use crate::models::Transaction;
use crate::money::Money;
use crate::validate;
use crate::wire::MoneyWire;

pub struct Capture;

/// Identify the pre-auth by one of `xact_id`, `xact` (the plain id) or `reference_no`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureParams {
    pub xact_id: Option<String>,
    pub xact: Option<i64>,
    pub reference_no: Option<String>,
    /// Absent: the whole pre-authorised amount.
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
    type Params = CaptureParams;
    type Output = Transaction;

    /// A pre-auth can be captured once, so a resent capture cannot take money
    /// twice; but a partial capture's second answer would be an error that
    /// hides the first one's success. Treat it like any unsafe call.
    fn retry_policy(_: &CaptureParams) -> RetryPolicy {
        RetryPolicy::OnlyIfNotSent
    }

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
