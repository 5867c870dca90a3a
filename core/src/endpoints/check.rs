//! `v1/transaction/check`: the status of one payment, by `xact_id` or `reference_no`.
//! The way to learn what happened after a timeout.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{insert_opt, not_found};
use crate::endpoint::{Endpoint, RetryPolicy, WireOptions};
use crate::error::{Error, ErrorKind};
use crate::models::Transaction;
use crate::validate;

pub struct Check;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckParams {
    pub xact_id: Option<String>,
    pub reference_no: Option<String>,
}

impl Endpoint for Check {
    const NAME: &'static str = "transactions.check";
    const PATH: &'static str = "v1/transaction/check";
    type Params = CheckParams;
    /// A declined transaction is returned, not raised: this is a status query.
    type Output = Transaction;

    fn retry_policy(_: &CheckParams) -> RetryPolicy {
        RetryPolicy::Safe
    }

    fn reference_no(p: &CheckParams) -> Option<&str> {
        p.reference_no.as_deref()
    }

    fn to_wire(p: &CheckParams, _: &WireOptions) -> Result<Map<String, Value>, Error> {
        validate::optional_id("xact_id", p.xact_id.as_ref(), 100)?;
        validate::optional_id("reference_no", p.reference_no.as_ref(), 50)?;
        validate::at_least_one(&[("xact_id", p.xact_id.is_some()), ("reference_no", p.reference_no.is_some())])?;
        let mut body = Map::new();
        insert_opt(&mut body, "xact_id", p.xact_id.clone());
        insert_opt(&mut body, "reference_no", p.reference_no.clone());
        Ok(body)
    }

    fn from_wire(_: &CheckParams, body: &Map<String, Value>) -> Result<Transaction, Error> {
        let rows = match body.get("Data").or_else(|| body.get("data")) {
            Some(Value::Array(rows)) => rows,
            None | Some(Value::Null) => return Err(not_found(body)),
            Some(_) => return Err(Error::new(ErrorKind::Protocol, "Paynet returned a `Data` that is not a list")),
        };
        match rows.first() {
            Some(Value::Object(row)) => Transaction::from_wire(row),
            Some(_) => Err(Error::new(ErrorKind::Protocol, "Paynet returned a `Data` row that is not an object")),
            None => Err(not_found(body)),
        }
    }
}
