//! `v1/transaction/payment_list`: the settlement report for one due date.

use std::cell::RefCell;
use std::fmt;

use chrono::{NaiveDate, Utc};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::endpoint::{Deadline, Endpoint, RetryPolicy};
use crate::error::{Error, ErrorKind};
use crate::models::{PaymentReport, PaymentReportRow};
use crate::spec::{Doc, Spec};
use crate::wire::{istanbul, RawObject, Reader};
use crate::wire::FromAnswer;

/// What Paynet pays out on `date` (default: today in Istanbul).
#[derive(Doc)]
pub struct PaymentList;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct PaymentListParams {
    /// `yyyy-MM-dd`; absent means today in Istanbul, as Paynet does. Resolved
    /// once, when the parameters are read, so request and report agree.
    // Always sent, so the report's date never depends on Paynet's clock
    // agreeing with ours.
    #[serde(default = "today")]
    pub date: NaiveDate,
}

fn today() -> NaiveDate {
    Utc::now().with_timezone(&istanbul()).date_naive()
}

impl Endpoint for PaymentList {
    const NAME: &'static str = "reports.payment_list";
    const PATH: &'static str = "v1/transaction/payment_list";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    const LARGE_ANSWERS: bool = true;
    type Params = PaymentListParams;
    type Output = PaymentReport;

    /// A report can hold hundreds of thousands of rows: each row is read into
    /// its typed form as soon as it is parsed, so the whole body never exists
    /// as a JSON tree next to the result.
    fn decode(p: &PaymentListParams, body: &[u8], deadline: &Deadline) -> Result<PaymentReport, Error> {
        let failure = RefCell::new(None);
        let mut de = serde_json::Deserializer::from_slice(body);
        let envelope = de
            .deserialize_map(EnvelopeVisitor { deadline, failure: &failure })
            .and_then(|envelope| de.end().map(|()| envelope))
            .map_err(|e| match (failure.take(), e.classify()) {
                (Some(failure), _) => failure,
                (None, serde_json::error::Category::Data) => Error::new(ErrorKind::Protocol, e.to_string()),
                (None, _) => Error::protocol("Paynet's answer is not a JSON object", body),
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

/// Reads the envelope; a failure serde cannot carry (a timeout, a
/// protocol error with its own message) is left in `failure`.
struct EnvelopeVisitor<'a> {
    deadline: &'a Deadline,
    failure: &'a RefCell<Option<Error>>,
}

impl EnvelopeVisitor<'_> {
    fn fail<E: de::Error>(&self, error: Error) -> E {
        let message = error.message.clone();
        *self.failure.borrow_mut() = Some(error);
        E::custom(message)
    }
}

impl<'de> Visitor<'de> for EnvelopeVisitor<'_> {
    type Value = Envelope;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope, A::Error> {
        let mut envelope = Envelope { rows: Vec::new(), rest: Map::new() };
        let mut seen_rows = false;
        while let Some(key) = map.next_key::<String>()? {
            let repeated = if key == "Data" || key == "data" {
                envelope.rows = map.next_value_seed(RowsSeed { envelope: &self })?;
                std::mem::replace(&mut seen_rows, true)
            } else {
                let value = map.next_value()?;
                envelope.rest.insert(key.clone(), value).is_some()
            };
            if repeated {
                return Err(self.fail(duplicate_key(&key)));
            }
        }
        Ok(envelope)
    }
}

fn duplicate_key(key: &str) -> Error {
    Error::new(ErrorKind::Protocol, format!("Paynet's answer repeats the key `{key}`: which one counts is anyone's guess, so it is not believed"))
}

/// How many rows are read between two looks at the clock.
const ROWS_PER_DEADLINE_CHECK: usize = 4096;

struct RowsSeed<'v, 'a> {
    envelope: &'v EnvelopeVisitor<'a>,
}

impl<'de> DeserializeSeed<'de> for RowsSeed<'_, '_> {
    type Value = Vec<PaymentReportRow>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RowsSeed<'_, '_> {
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
            if let Some(key) = row.repeated_key() {
                return Err(self.envelope.fail(duplicate_key(key)));
            }
            rows.push(PaymentReportRow::from_wire(&row).map_err(|e| self.envelope.fail(e))?);
            if rows.len().is_multiple_of(ROWS_PER_DEADLINE_CHECK) {
                self.envelope.deadline.check().map_err(|e| self.envelope.fail(e))?;
            }
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
        PaymentList::decode(&params, body.as_bytes(), &Deadline::none())
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
    fn repeated_keys_are_not_believed() {
        for body in [
            r#"{"total":1,"total":2,"Data":[]}"#,
            r#"{"Data":[],"Data":[{"amount":1}]}"#,
            r#"{"Data":[{"amount":1,"xact_id":"a","amount":1000}]}"#,
        ] {
            let e = decode(body).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Protocol, "{body}");
            assert!(e.message.contains("repeats the key"), "{body}: {e}");
        }
    }

    #[test]
    fn a_report_read_past_its_deadline_is_a_timeout() {
        let rows = vec![r#"{"amount":1.5,"xact_id":"x"}"#; ROWS_PER_DEADLINE_CHECK * 2].join(",");
        let body = format!(r#"{{"Data":[{rows}]}}"#);
        let params = PaymentListParams { date: NaiveDate::from_ymd_opt(2020, 2, 5).unwrap() };
        let past = Deadline::at(std::time::Instant::now());
        assert_eq!(PaymentList::decode(&params, body.as_bytes(), &past).unwrap_err().kind, ErrorKind::Timeout);
        assert_eq!(PaymentList::decode(&params, body.as_bytes(), &Deadline::none()).unwrap().rows.len(), ROWS_PER_DEADLINE_CHECK * 2);
    }

    #[test]
    fn unreadable_reports_are_protocol_errors() {
        for body in [r#"{"Data":[1]}"#, r#"{"Data":[{"xact_date":"yesterday"}]}"#, "[]", "{\"Data\":[", "{} trailing"] {
            assert_eq!(decode(body).unwrap_err().kind, ErrorKind::Protocol, "{body}");
        }
    }
}
