//! `v1/transaction/payment_list`: the settlement report for one due date.

use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::endpoint::{Endpoint, RetryPolicy, WireOptions};
use crate::error::{Error, ErrorKind};
use crate::models::{PaymentReport, PaymentReportRow};
use crate::wire::{istanbul, Reader};

pub struct PaymentList;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentListParams {
    /// `yyyy-MM-dd`; absent means today in Istanbul, as Paynet does. Resolved
    /// once, when the parameters are read, so request and report agree.
    #[serde(default = "today")]
    pub date: NaiveDate,
}

fn today() -> NaiveDate {
    Utc::now().with_timezone(&istanbul()).date_naive()
}

impl Endpoint for PaymentList {
    const NAME: &'static str = "reports.payment_list";
    const PATH: &'static str = "v1/transaction/payment_list";
    type Params = PaymentListParams;
    type Output = PaymentReport;

    fn retry_policy(_: &PaymentListParams) -> RetryPolicy {
        RetryPolicy::Safe
    }

    /// The date is always sent, so the report's date never depends on
    /// Paynet's clock agreeing with ours.
    fn to_wire(p: &PaymentListParams, _: &WireOptions) -> Result<Map<String, Value>, Error> {
        let mut body = Map::new();
        body.insert("date".into(), p.date.format("%Y-%m-%d").to_string().into());
        Ok(body)
    }

    fn from_wire(p: &PaymentListParams, body: &Map<String, Value>) -> Result<PaymentReport, Error> {
        let r = Reader::new(body);
        let rows = match body.get("Data").or_else(|| body.get("data")) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(rows)) => rows
                .iter()
                .map(|row| match row {
                    Value::Object(obj) => PaymentReportRow::from_wire(obj),
                    _ => Err(Error::new(ErrorKind::Protocol, "Paynet returned a report row that is not an object")),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(Error::new(ErrorKind::Protocol, "Paynet returned a `Data` that is not a list")),
        };
        Ok(PaymentReport {
            date: p.date,
            total: r.int(&["total"])?,
            total_count: r.int(&["total_count"])?,
            rows,
        })
    }
}
