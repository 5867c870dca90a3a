//! `v1/transaction/check`: the status of one payment, by `xact_id` or `reference_no`,
//! as `transactions.check` (no such payment is an error) and as
//! `transactions.lookup` (no such payment is an answer: it did not happen),
//! the one call that settles an `unknown_outcome`.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{echoed_reference, not_found};
use crate::endpoint::{Endpoint, RetryPolicy, WireOptions};
use crate::error::{Error, ErrorKind};
use crate::models::TransactionRecord;
use crate::spec::{CheckDeclared, Doc, Spec, WireDeclared};
use crate::wire::Reader;
use crate::wire::FromAnswer;

/// The status of one payment; the way to learn what happened after a timeout.
///
/// A declined transaction is returned (`is_succeed` false), not raised. No
/// such payment is an `api` error with `result_code` 12.
#[derive(Doc)]
pub struct Check;

/// Identify the payment by `xact_id` or `reference_no`.
#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params, at_least_one = ["xact_id", "reference_no"])]
pub struct CheckParams {
    #[spec(not_blank, max_len = 100)]
    pub xact_id: Option<String>,
    /// Your order number: Paynet answers with the order's latest successful
    /// transaction, else its latest attempt.
    #[spec(not_blank, max_len = 50)]
    pub reference_no: Option<String>,
}

impl Endpoint for Check {
    const NAME: &'static str = "transactions.check";
    const PATH: &'static str = "v1/transaction/check";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    type Params = CheckParams;
    /// A declined transaction is returned, not raised: this is a status query.
    type Output = TransactionRecord;

    fn from_wire(p: &CheckParams, body: &Map<String, Value>) -> Result<TransactionRecord, Error> {
        p.read(body)
    }
}

impl CheckParams {
    /// An error can carry both a `reference_no` and an `xact_id` (a capture
    /// by reference names the pre-auth too). The reference is the caller's
    /// own order number, the one Paynet deduplicates on, so a lookup asks by
    /// it when it can: Paynet answers with the order's latest successful
    /// transaction, else its latest attempt.
    fn by_reference_first(&self) -> CheckParams {
        match &self.reference_no {
            Some(_) => CheckParams { xact_id: None, reference_no: self.reference_no.clone() },
            None => self.clone(),
        }
    }

    /// The row asked for; a row about another payment is not believed.
    pub(crate) fn read(&self, body: &Map<String, Value>) -> Result<TransactionRecord, Error> {
        let rows = match body.get("Data").or_else(|| body.get("data")) {
            Some(Value::Array(rows)) => rows,
            None | Some(Value::Null) => return Err(not_found(body)),
            Some(_) => return Err(Error::new(ErrorKind::Protocol, "Paynet returned a `Data` that is not a list")),
        };
        let (mut tx, echoed) = match rows.first() {
            Some(row) => {
                let row = super::data_row(row)?;
                (TransactionRecord::from_wire(row)?, echoed_reference(row))
            }
            None => return Err(not_found(body)),
        };
        if let (Some(asked), Some(got)) = (self.xact_id.as_deref(), tx.xact_id.as_deref())
            && asked != got
        {
            return Err(Error::new(ErrorKind::Protocol, "Paynet answered about another xact_id than the one asked for: the answer is not believed"));
        }
        if let (None, Some(sent), Some(echoed)) = (&self.xact_id, self.reference_no.as_deref(), echoed.as_deref())
            && sent != echoed
        {
            return Err(Error::new(
                ErrorKind::Protocol,
                format!("Paynet answered about reference_no {echoed:?}, not the {sent:?} that was asked for: the answer is not believed"),
            ));
        }
        if let (None, Some(sent), None) = (&self.xact_id, self.reference_no.as_deref(), echoed.as_deref()) {
            // A row that echoes only `agent_reference` (which `add_info` may
            // have changed) is still the one Paynet matched on the order's
            // reference_no: the result names that order, not the note.
            tx.reference_no = Some(sent.to_owned());
        }
        Ok(tx)
    }
}

/// What became of a call: the transaction as Paynet has it, or none when
/// Paynet has none (the call did not happen).
///
/// Give the `reference_no` or `xact_id` an error carried (`unknown_outcome`,
/// `timeout`). By reference Paynet answers with the order's latest
/// successful transaction, else its latest attempt. A declined one is
/// returned, not raised. A capture shows as its pre-auth: settle a capture's
/// unknown outcome by repeating it (a pre-auth is captured at most once).
#[derive(Doc)]
pub struct Lookup;

impl Endpoint for Lookup {
    const NAME: &'static str = "transactions.lookup";
    const PATH: &'static str = "v1/transaction/check";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    type Params = CheckParams;
    /// `None`: Paynet has no such transaction, so the call it was made for
    /// did not happen. A declined one is returned, not raised.
    type Output = Option<TransactionRecord>;

    /// Checked as given (a blank `xact_id` is refused even beside a
    /// reference), then sent by reference first.
    fn to_wire(p: &CheckParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        Ok(p.by_reference_first().to_wire_declared(options))
    }

    /// Settling an unknown outcome on "it did not happen" needs an answer
    /// that says so (a `Data` list, or code 12): an empty `{}` from a proxy
    /// must not read as "no such payment".
    fn from_wire(p: &CheckParams, body: &Map<String, Value>) -> Result<Option<TransactionRecord>, Error> {
        let lists = matches!(body.get("Data").or_else(|| body.get("data")), Some(Value::Array(_)));
        let says_no_data = Reader::new(body).int(&["code", "result_code"]).ok().flatten() == Some(NO_DATA);
        if !lists && !says_no_data {
            return Err(Error::new(ErrorKind::Protocol, "Paynet's answer to a lookup neither lists the transaction nor says there is none"));
        }
        p.by_reference_first().read(body).map(Some)
    }

    /// "No data" is believed from a 2xx answer or a 404 only: a 429 or a
    /// 5xx that happens to say code 12 says the server could not answer,
    /// not that the payment did not happen.
    fn recover(_: &CheckParams, error: Error) -> Result<Option<TransactionRecord>, Error> {
        if error.kind == ErrorKind::Api && error.result_code == Some(NO_DATA) && matches!(error.http_status, None | Some(404)) {
            return Ok(None);
        }
        Err(error)
    }
}

/// Paynet's `no_data_error` result code.
pub(crate) const NO_DATA: i64 = 12;
