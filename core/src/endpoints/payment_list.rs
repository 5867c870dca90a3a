//! `v1/transaction/payment_list`: the settlement report for one due date.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use chrono::{NaiveDate, Utc};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::endpoint::{AnswerReader, Deadline, Endpoint, RetryPolicy};
use crate::error::{Error, ErrorKind};
use crate::row_batches::{value_end, RowBatches};
use crate::models::{PaymentReport, PaymentReportRow};
use crate::spec::{Doc, Spec};
use crate::wire::{istanbul, RawObject, Reader, RowLayout};
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

    fn reader(p: &PaymentListParams) -> Option<Box<dyn AnswerReader<PaymentReport> + '_>> {
        Some(Box::new(ReportReader::new(p)))
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
        let mut layout = RowLayout::default();
        while let Some(row) = seq.next_element::<RawObject<'de>>()? {
            let row = layout.fit(&row).map_err(|key| self.envelope.fail(duplicate_key(key)))?;
            rows.push(PaymentReportRow::from_wire(&row).map_err(|e| self.envelope.fail(e))?);
            if rows.len().is_multiple_of(ROWS_PER_DEADLINE_CHECK) {
                self.envelope.deadline.check().map_err(|e| self.envelope.fail(e))?;
            }
        }
        Ok(rows)
    }
}

/// A report read while it arrives: each row of the `Data` list is typed as
/// soon as it is complete, so reading overlaps the transfer. Whatever the
/// reader does not expect (another shape, a row it cannot read) makes it
/// step aside, and `finish` reads the whole body as `decode` does, errors
/// included: this is only ever a faster way to the same result.
struct ReportReader<'p> {
    params: &'p PaymentListParams,
    /// Where reading resumes: everything before it is read.
    at: usize,
    state: Reading,
    rows: RowBatches<PaymentReportRow>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Reading {
    /// Before the top-level `{`.
    Start,
    /// At a member of the top-level object (or its `,` or `}`).
    Envelope,
    /// In the rows list that starts at `list`; `after_row`: a row was just read.
    Rows { list: usize, after_row: bool, after_comma: bool },
    /// The rows list is `list..end` of the body.
    Read { list: usize, end: usize },
    /// Left to `decode`.
    Aside,
}

/// The most of the body that may wait, unread, for the rest of a value.
const MAX_PENDING: usize = 1 << 20;

/// What one step of reading found.
enum Step {
    Went,
    NeedMore,
}

impl<'p> ReportReader<'p> {
    fn new(params: &'p PaymentListParams) -> ReportReader<'p> {
        ReportReader { params, at: 0, state: Reading::Start, rows: RowBatches::new(report_row) }
    }

    /// The next byte that is not JSON whitespace, from `at` (a form feed is
    /// no JSON whitespace: not skipped, it makes the reader step aside).
    fn peek(body: &[u8], at: &mut usize) -> Option<u8> {
        *at = crate::flat_object::skip_space(body, *at);
        body.get(*at).copied()
    }

    /// One JSON value of type `T` at `at`: the value and where it ends;
    /// `Ok(None)` when the body so far ends inside it. A value still
    /// incomplete is read again from its start as each chunk arrives: one
    /// longer than `MAX_PENDING` (no report row is) is left to `decode`
    /// rather than read over and over.
    fn value<'b, T: Deserialize<'b>>(body: &'b [u8], at: usize) -> Result<Option<(T, usize)>, ()> {
        let incomplete = || if body.len() - at > MAX_PENDING { Err(()) } else { Ok(None) };
        // Read up to the last delimiter only: a number or literal cut short
        // by the end of a chunk (`100.`) would be a syntax error, while one
        // cut anywhere else (in a string, between tokens) is "more to come".
        let Some(cut) = body.iter().rposition(|b| matches!(b, b'"' | b',' | b':' | b'}' | b']')) else { return incomplete() };
        if cut < at {
            return incomplete();
        }
        let mut values = serde_json::Deserializer::from_slice(&body[at..=cut]).into_iter::<T>();
        match values.next() {
            Some(Ok(value)) => Ok(Some((value, at + values.byte_offset()))),
            Some(Err(e)) if e.is_eof() => incomplete(),
            None => incomplete(),
            Some(Err(_)) => Err(()),
        }
    }

    fn step(&mut self, body: &[u8]) -> Result<Step, ()> {
        let mut at = self.at;
        let Some(next) = Self::peek(body, &mut at) else { return Ok(Step::NeedMore) };
        match self.state {
            Reading::Start => {
                if next != b'{' {
                    return Err(());
                }
                self.state = Reading::Envelope;
                at += 1;
            }
            Reading::Envelope => {
                if next == b',' {
                    self.at = at + 1;
                    return Ok(Step::Went);
                }
                if next != b'"' {
                    // `}`: the object ended without rows; anything else is not JSON.
                    return Err(());
                }
                let Some((key, after_key)) = Self::value::<Cow<'_, str>>(body, at)? else { return Ok(Step::NeedMore) };
                at = after_key;
                let Some(colon) = Self::peek(body, &mut at) else { return Ok(Step::NeedMore) };
                if colon != b':' {
                    return Err(());
                }
                at += 1;
                let Some(first) = Self::peek(body, &mut at) else { return Ok(Step::NeedMore) };
                if (key == "Data" || key == "data") && first == b'[' {
                    self.state = Reading::Rows { list: at, after_row: false, after_comma: false };
                    at += 1;
                } else {
                    let Some((IgnoredAny, end)) = Self::value::<IgnoredAny>(body, at)? else { return Ok(Step::NeedMore) };
                    at = end;
                }
            }
            Reading::Rows { list, after_row, after_comma } => match next {
                b',' if after_row => {
                    self.state = Reading::Rows { list, after_row: false, after_comma: true };
                    at += 1;
                }
                b']' if !after_comma => {
                    self.state = Reading::Read { list, end: at + 1 };
                    at += 1;
                }
                b'{' if !after_row => {
                    let Some(end) = value_end(body, at) else {
                        return if body.len() - at > MAX_PENDING { Err(()) } else { Ok(Step::NeedMore) };
                    };
                    self.rows.push(body, at, end)?;
                    self.state = Reading::Rows { list, after_row: true, after_comma: false };
                    at = end;
                }
                _ => return Err(()),
            },
            Reading::Read { .. } | Reading::Aside => return Ok(Step::NeedMore),
        }
        self.at = at;
        Ok(Step::Went)
    }
}

impl AnswerReader<PaymentReport> for ReportReader<'_> {
    fn arrived(&mut self, body: &[u8]) {
        loop {
            match self.step(body) {
                Ok(Step::Went) => {}
                Ok(Step::NeedMore) => return,
                Err(()) => {
                    self.state = Reading::Aside;
                    self.rows = RowBatches::new(report_row);
                    return;
                }
            }
        }
    }

    fn finish(self: Box<Self>, body: &[u8], deadline: &Deadline) -> Result<PaymentReport, Error> {
        let Reading::Read { list, end } = self.state else {
            return PaymentList::decode(self.params, body, deadline);
        };
        // The rest of the answer, read as `decode` reads it, with `null` where
        // the rows were: its envelope, a repeated `Data`, trailing bytes. An
        // error is the whole body's (its message and snippet), never this splice's.
        let rest = [&body[..list], b"null", &body[end..]].concat();
        match (PaymentList::decode(self.params, &rest, deadline), self.rows.finish(body)) {
            (Ok(report), Ok(rows)) => Ok(PaymentReport { rows, ..report }),
            _ => PaymentList::decode(self.params, body, deadline),
        }
    }
}

/// One report row from its JSON text, as `decode` reads it.
fn report_row(text: &[u8], layout: &mut RowLayout) -> Result<PaymentReportRow, ()> {
    let row = RawObject::read(text).map_err(|_| ())?;
    let row = layout.fit(&row).map_err(|_| ())?;
    PaymentReportRow::from_wire(&row).map_err(|_| ())
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
    fn rows_in_other_orders_are_read_by_name() {
        let report = decode(r#"{"Data":[{"amount":1,"xact_id":"a"},{"amount":1,"xact_id":"a"},{"xact_id":"b","amount":2},{"xact_id":"c"},{"amount":4,"card_no":"4355"}]}"#).unwrap();
        let read: Vec<_> = report.rows.iter().map(|r| (r.xact_id.clone(), r.amount.map(|a| a.to_string()))).collect();
        let s = |v: &str| Some(v.to_owned());
        assert_eq!(read, [(s("a"), s("1")), (s("a"), s("1")), (s("b"), s("2")), (s("c"), None), (None, s("4"))]);
    }

    #[test]
    fn repeated_keys_are_not_believed() {
        for body in [
            r#"{"total":1,"total":2,"Data":[]}"#,
            r#"{"Data":[],"Data":[{"amount":1}]}"#,
            r#"{"Data":[{"amount":1,"xact_id":"a","amount":1000}]}"#,
            r#"{"Data":[{"amount":1,"xact_id":"a"},{"amount":1,"amount":1000}]}"#,
            r#"{"Data":[{"amount":1,"xact_id":"a"},{"amount":1,"xact_id":"a"},{"xact_id":"b","amount":1,"xact_id":"c"}]}"#,
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

    /// `body` through the reader, arriving `step` bytes at a time.
    /// And whether its rows were read as they arrived.
    fn read_arriving(body: &str, step: usize) -> (Result<PaymentReport, Error>, bool) {
        let params = PaymentListParams { date: NaiveDate::from_ymd_opt(2020, 2, 5).unwrap() };
        let mut reader = Box::new(ReportReader::new(&params));
        let bytes = body.as_bytes();
        let mut end = 0;
        while end < bytes.len() {
            end = (end + step).min(bytes.len());
            reader.arrived(&bytes[..end]);
        }
        let streamed = matches!(reader.state, Reading::Read { .. });
        (reader.finish(bytes, &Deadline::none()), streamed)
    }

    #[test]
    fn a_report_read_as_it_arrives_is_the_report_decode_reads() {
        let many = vec![r#"{"amount":100.0000,"xact_id":"x-\"1\"","xact_date":"15.01.2030 09:00:00","instalment":3}"#; 40].join(" ,\n ");
        let bodies = [
            format!(r#"{{"total":40,"total_count":40,"code":0,"message":"Başarılı","Data":[{many}]}}"#),
            format!(r#" {{ "Data" : [ {many} ] , "total" : 40 , "extra" : {{"a":[1,{{"b":"]"}}]}} }} "#),
            r#"{"data":[{"amount":1.5,"nested":{"x":[1,2,{"y":"}"}]}}],"total":1}"#.to_owned(),
            r#"{"total":2,"total_count":"2","Data":[{"amount":1.5},{"amount":"2,25"}],"code":0}"#.to_owned(),
            r#"{"total":0,"Data":null}"#.to_owned(),
            r#"{"total":0,"Data":[]}"#.to_owned(),
            r#"{"code":7,"message":"Yetkisiz"}"#.to_owned(),
            // Refused, by the reader as by decode:
            r#"{"total":1,"total":2,"Data":[]}"#.to_owned(),
            r#"{"Data":[],"Data":[{"amount":1}]}"#.to_owned(),
            r#"{"Data":[{"amount":1}],"data":[]}"#.to_owned(),
            r#"{"Data":[{"amount":1,"xact_id":"a","amount":1000}]}"#.to_owned(),
            r#"{"Data":[{"amount":1},]}"#.to_owned(),
            r#"{"Data":[,{"amount":1}]}"#.to_owned(),
            r#"{"Data":[{"amount":1}{"amount":2}]}"#.to_owned(),
            r#"{"Data":[1]}"#.to_owned(),
            "{\"Data\":[\x0c{\"amount\":1}]}".to_owned(),
            "{\"Data\":[{\"amount\":1}\x0c,{\"amount\":2}]}".to_owned(),
            r#"{"Data":[{"amount":1}],"data":5}"#.to_owned(),
            r#"{"Data":[{"xact_date":"yesterday"}]}"#.to_owned(),
            r#"{"Data":[{"amount":1}]} trailing"#.to_owned(),
            r#"{"Data":[{"amount":1}]"#.to_owned(),
            "[]".to_owned(),
            "{\"Data\":[".to_owned(),
        ];
        for (i, body) in bodies.iter().enumerate() {
            let whole = decode(body);
            for step in [1, 2, 3, 7, 64, body.len()] {
                let (arriving, streamed) = read_arriving(body, step);
                if [0, 1, 2, 3, 5].contains(&i) {
                    assert!(streamed, "{body} in steps of {step}: its rows were not read as they arrived");
                }
                match (&whole, &arriving) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "{body} in steps of {step}"),
                    (Err(a), Err(b)) => assert_eq!((a.kind, &a.message), (b.kind, &b.message), "{body} in steps of {step}"),
                    _ => panic!("{body} in steps of {step}: decode {whole:?}, read as it arrived {arriving:?}"),
                }
            }
        }
        assert_eq!(read_arriving(&bodies[0], 5).0.unwrap().rows.len(), 40);
        // Long enough for its rows to be typed on other threads; one bad row
        // anywhere gives decode's error.
        let row = |i: usize| format!(r#"{{"amount":{i}.25,"xact_id":"x-{i}","instalment":{},"card_holder":"A \"{i}\" }}"}}"#, i % 12);
        let rows: Vec<String> = (0..5_000).map(row).collect();
        for bad in [None, Some(0), Some(2_500), Some(4_999)] {
            let mut rows = rows.clone();
            if let Some(bad) = bad {
                rows[bad] = r#"{"xact_date":"yesterday"}"#.to_owned();
            }
            let body = format!(r#"{{"total":5000,"Data":[{}],"code":0}}"#, rows.join(","));
            let whole = decode(&body);
            for step in [997, 64 << 10, body.len()] {
                let (arriving, streamed) = read_arriving(&body, step);
                assert!(streamed || bad.is_some(), "steps of {step}");
                match (&whole, &arriving) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "steps of {step}"),
                    (Err(a), Err(b)) => assert_eq!((a.kind, &a.message), (b.kind, &b.message), "bad row {bad:?}, steps of {step}"),
                    _ => panic!("bad row {bad:?}, steps of {step}: decode {whole:?}, read as it arrived {arriving:?}"),
                }
            }
            assert_eq!(whole.is_ok(), bad.is_none());
        }
        // A value still incomplete after MAX_PENDING is left to decode, with the same result.
        let long = format!(r#"{{"meta":"{}","Data":[{{"amount":1}}]}}"#, "x".repeat(3 * MAX_PENDING));
        let (arriving, streamed) = read_arriving(&long, 64 << 10);
        assert!(!streamed);
        assert_eq!(arriving.unwrap(), decode(&long).unwrap());
        // Whole in one chunk, it is read like any other.
        let (arriving, streamed) = read_arriving(&long, long.len());
        assert!(streamed);
        assert_eq!(arriving.unwrap(), decode(&long).unwrap());
    }

    #[test]
    fn unreadable_reports_are_protocol_errors() {
        for body in [r#"{"Data":[1]}"#, r#"{"Data":[{"xact_date":"yesterday"}]}"#, "[]", "{\"Data\":[", "{} trailing"] {
            assert_eq!(decode(body).unwrap_err().kind, ErrorKind::Protocol, "{body}");
        }
    }
}
