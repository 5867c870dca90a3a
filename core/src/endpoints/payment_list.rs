//! `v1/transaction/payment_list`: the settlement report for one due date.

use std::fmt;

use chrono::{NaiveDate, Utc};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::endpoint::{Endpoint, RetryPolicy, WireOptions};
use crate::error::{Error, ErrorKind};
use crate::models::{PaymentReport, PaymentReportRow};
use crate::wire::{istanbul, RawObject, Reader};

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

    /// A report can hold hundreds of thousands of rows: each row is read into
    /// its typed form as soon as it is parsed, so the whole body never exists
    /// as a JSON tree next to the result.
    fn decode(p: &PaymentListParams, body: &[u8]) -> Result<PaymentReport, Error> {
        let mut de = serde_json::Deserializer::from_slice(body);
        let envelope = de
            .deserialize_map(EnvelopeVisitor)
            .and_then(|envelope| de.end().map(|()| envelope))
            .map_err(|e| match e.classify() {
                serde_json::error::Category::Data => Error::new(ErrorKind::Protocol, e.to_string()),
                _ => Error::protocol("Paynet's answer is not a JSON object", body),
            })?;
        let r = Reader::new(&envelope.rest);
        Ok(PaymentReport {
            date: p.date,
            total: r.int(&["total"])?,
            total_count: r.int(&["total_count"])?,
            rows: envelope.rows,
        })
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

/// The report's top level: `Data` rows typed one by one, everything else kept.
struct Envelope {
    rows: Vec<PaymentReportRow>,
    rest: Map<String, Value>,
}

struct EnvelopeVisitor;

impl<'de> Visitor<'de> for EnvelopeVisitor {
    type Value = Envelope;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope, A::Error> {
        let mut envelope = Envelope { rows: Vec::new(), rest: Map::new() };
        while let Some(key) = map.next_key::<String>()? {
            if key == "Data" || key == "data" {
                envelope.rows = map.next_value_seed(RowsSeed)?;
            } else {
                envelope.rest.insert(key, map.next_value()?);
            }
        }
        Ok(envelope)
    }
}

struct RowsSeed;

impl<'de> DeserializeSeed<'de> for RowsSeed {
    type Value = Vec<PaymentReportRow>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(RowsSeed)
    }
}

impl<'de> Visitor<'de> for RowsSeed {
    type Value = Vec<PaymentReportRow>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of report rows")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut rows = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(row) = seq.next_element::<RawObject<'de>>()? {
            rows.push(PaymentReportRow::from_wire(&row).map_err(|e| de::Error::custom(e.message))?);
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn decode(body: &str) -> Result<PaymentReport, Error> {
        let params = PaymentListParams { date: NaiveDate::from_ymd_opt(2020, 2, 5).unwrap() };
        PaymentList::decode(&params, body.as_bytes())
    }

    #[test]
    fn streams_rows_and_keeps_the_envelope() {
        let report = decode(r#"{"total":2,"total_count":"2","Data":[{"amount":1.5},{"amount":"2,25"}],"code":0}"#).unwrap();
        assert_eq!((report.total, report.total_count, report.rows.len()), (Some(2), Some(2), 2));
        assert_eq!(report.rows[1].amount.unwrap().to_string(), "2.25");
        assert!(decode(r#"{"total":0,"Data":null}"#).unwrap().rows.is_empty());
        let row = &decode(r#"{"Data":[{"card_holder":"\u00d6zkan \"Q\"","is_succeed":"True","instalment":"3","card_no":""}]}"#).unwrap().rows[0];
        assert_eq!(row.card_holder.as_deref(), Some("Özkan \"Q\""));
        assert_eq!((row.is_succeed, row.installment, row.card_no_masked.as_deref()), (Some(true), Some(3), None));
    }

    #[test]
    fn unreadable_reports_are_protocol_errors() {
        for body in [r#"{"Data":[1]}"#, r#"{"Data":[{"xact_date":"yesterday"}]}"#, "[]", "{\"Data\":[", "{} trailing"] {
            assert_eq!(decode(body).unwrap_err().kind, ErrorKind::Protocol, "{body}");
        }
    }
}
