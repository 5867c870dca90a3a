//! `v1/transaction/payment_list`: the settlement report for one due date.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use arrow_array::RecordBatch;
use chrono::{NaiveDate, Utc};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::endpoint::{AnswerReader, Deadline, Endpoint, RetryPolicy};
use crate::error::{Error, ErrorKind, SNIPPET_BYTES};
use crate::columnar::{AnswerColumns, Unpushed};
use crate::row_batches::{each_row, RowBatches, Unread, BATCH_ROWS};
use crate::value_end::value_end;
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
        let envelope = parse(body, deadline)?;
        let r = Reader::new(&envelope.rest);
        Ok(PaymentReport {
            date: p.date,
            total: r.int(&["total"])?,
            total_count: r.int(&["total_count"])?,
            rows: envelope.rows,
            columns: None,
        })
    }

    fn reader(p: &PaymentListParams, columns: bool) -> Option<Box<dyn AnswerReader<PaymentReport> + '_>> {
        Some(Box::new(ReportReader::new(p, columns)))
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
            columns: None,
        })
    }
}

/// The body as JSON, its rows typed: every error but those of the
/// envelope's fields, which `decode` reads after the whole body.
fn parse(body: &[u8], deadline: &Deadline) -> Result<Envelope, Error> {
    let failure = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(body);
    de.deserialize_map(EnvelopeVisitor { deadline, failure: &failure })
        .and_then(|envelope| de.end().map(|()| envelope))
        .map_err(|e| failure.take().unwrap_or_else(|| unreadable(&e, body)))
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

/// What serde could not read, as a protocol error. A value of the wrong
/// type is named without where it is (` at line 1 column 52`): a report
/// read as it streams reads parts of the body apart, and an error must not
/// depend on how the body was read; the body's start rides along as the
/// error's snippet.
fn unreadable(e: &serde_json::Error, body: &[u8]) -> Error {
    if e.classify() != serde_json::error::Category::Data {
        return Error::protocol("Paynet's answer is not a JSON object", body);
    }
    let message = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    Error::new(ErrorKind::Protocol, message.strip_suffix(&position).unwrap_or(&message))
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
            let typed = layout.fit(&row, |row| PaymentReportRow::from_wire(row)).map_err(|key| self.envelope.fail(duplicate_key(key)))?;
            rows.push(typed.map_err(|e| self.envelope.fail(e))?);
            if rows.len().is_multiple_of(ROWS_PER_DEADLINE_CHECK) {
                self.envelope.deadline.check().map_err(|e| self.envelope.fail(e))?;
            }
        }
        Ok(rows)
    }
}

/// A report read while it arrives: each row of the `Data` list is copied
/// out and typed (on other threads) as soon as it is complete, so reading
/// overlaps the transfer, and the body is never kept whole: only its part
/// before the rows, its part after them and its first bytes (an error's
/// snippet) are. What the reader does not expect (another shape, a row it
/// cannot read) is read by `decode` from what is kept, joined so that the
/// result, or the error, is the one `decode` gives for the whole body: this
/// is only ever a faster way to the same result.
struct ReportReader<'p> {
    params: &'p PaymentListParams,
    /// Where reading resumes in the body not yet let go of.
    at: usize,
    state: Reading,
    rows: Rows,
    /// The body before its rows list, once the list is found.
    before_rows: Vec<u8>,
    /// The body's first `SNIPPET_BYTES`, taken before anything is let go of.
    head: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Reading {
    /// Before the top-level `{`.
    Start,
    /// At a member of the top-level object (or its `,` or `}`).
    Envelope,
    /// In the rows list; `after_row`: a row was just read.
    Rows { after_row: bool, after_comma: bool },
    /// The rows list ended: what is kept from here is the body after it.
    Read,
    /// Left to `decode` before anything was let go of: the whole body is kept.
    Aside,
    /// Left to `decode` at `at`, inside the rows list as it stood there:
    /// the body from `at` on is kept.
    AsideInRows { after_row: bool, after_comma: bool },
    /// A row did not read: what follows cannot change the outcome.
    RowFailed,
}

/// The most of the body that may wait, unread, for the rest of a value.
const MAX_PENDING: usize = 1 << 20;

/// What one step of reading found.
enum Step {
    Went,
    NeedMore,
}

impl<'p> ReportReader<'p> {
    fn new(params: &'p PaymentListParams, columns: bool) -> ReportReader<'p> {
        let rows = match crate::columnar::shape(PaymentList::NAME) {
            Some(shape) if columns => Rows::Columns(shape, RowBatches::new(column_batch, COLUMN_BATCH_ROWS)),
            _ => Rows::Typed(RowBatches::new(typed_batch, BATCH_ROWS)),
        };
        ReportReader { params, at: 0, state: Reading::Start, rows, before_rows: Vec::new(), head: None }
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

    /// One step through `pending`, the body not let go of.
    fn step(&mut self, pending: &[u8]) -> Result<Step, ()> {
        let mut at = self.at;
        let Some(next) = Self::peek(pending, &mut at) else { return Ok(Step::NeedMore) };
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
                let Some((key, after_key)) = Self::value::<Cow<'_, str>>(pending, at)? else { return Ok(Step::NeedMore) };
                at = after_key;
                let Some(colon) = Self::peek(pending, &mut at) else { return Ok(Step::NeedMore) };
                if colon != b':' {
                    return Err(());
                }
                at += 1;
                let Some(first) = Self::peek(pending, &mut at) else { return Ok(Step::NeedMore) };
                if (key == "Data" || key == "data") && first == b'[' {
                    // Nothing is let go of before the rows: `pending` is the body so far.
                    self.before_rows = pending[..at].to_vec();
                    self.state = Reading::Rows { after_row: false, after_comma: false };
                    at += 1;
                } else {
                    let Some((IgnoredAny, end)) = Self::value::<IgnoredAny>(pending, at)? else { return Ok(Step::NeedMore) };
                    at = end;
                }
            }
            Reading::Rows { after_row, after_comma } => match next {
                b',' if after_row => {
                    self.state = Reading::Rows { after_row: false, after_comma: true };
                    at += 1;
                }
                b']' if !after_comma => {
                    self.state = Reading::Read;
                    at += 1;
                }
                b'{' if !after_row => {
                    let Some(end) = value_end(pending, at) else {
                        return if pending.len() - at > MAX_PENDING { Err(()) } else { Ok(Step::NeedMore) };
                    };
                    if self.rows.push(&pending[at..end]).is_err() {
                        self.state = Reading::RowFailed;
                        return Ok(Step::NeedMore);
                    }
                    self.state = Reading::Rows { after_row: true, after_comma: false };
                    at = end;
                }
                _ => return Err(()),
            },
            Reading::Read | Reading::Aside | Reading::AsideInRows { .. } | Reading::RowFailed => return Ok(Step::NeedMore),
        }
        self.at = at;
        Ok(Step::Went)
    }

    /// How much of `pending` the reader is done with.
    fn done_with(&self, pending: &[u8]) -> usize {
        match self.state {
            Reading::Start | Reading::Envelope | Reading::Aside => 0,
            Reading::Rows { .. } | Reading::Read | Reading::AsideInRows { .. } => self.at,
            Reading::RowFailed => pending.len(),
        }
    }
}

impl AnswerReader<PaymentReport> for ReportReader<'_> {
    fn arrived(&mut self, pending: &[u8]) -> usize {
        loop {
            match self.step(pending) {
                Ok(Step::Went) => {}
                Ok(Step::NeedMore) => break,
                Err(()) => {
                    self.state = match self.state {
                        Reading::Rows { after_row, after_comma } => Reading::AsideInRows { after_row, after_comma },
                        _ => Reading::Aside,
                    };
                    break;
                }
            }
        }
        let done = self.done_with(pending);
        if done == 0 {
            return 0;
        }
        if self.head.is_none() {
            // Nothing goes before the snippet's bytes are all there.
            if pending.len() < SNIPPET_BYTES {
                return 0;
            }
            self.head = Some(pending[..SNIPPET_BYTES].to_vec());
        }
        self.at = self.at.saturating_sub(done);
        done
    }

    fn finish(self: Box<Self>, pending: &[u8], deadline: &Deadline) -> Result<PaymentReport, Error> {
        let ReportReader { params, at, state, rows, before_rows, head } = *self;
        // Nothing let go of: `pending` is the whole body.
        let head = head.as_deref().unwrap_or(pending);
        let decode = |text: &[u8]| PaymentList::decode(params, text, deadline).map_err(|e| e.with_body_instead(head));
        let rest = &pending[at.min(pending.len())..];
        // The rest of the answer as `decode` reads it: the envelope with
        // `null` where the rows were, or the rows list resumed where the
        // reader stepped aside (after a stand-in row where the list had one).
        let (tail, stand_ins) = match state {
            Reading::Start | Reading::Envelope | Reading::Aside => return decode(pending),
            Reading::Read => ([&before_rows, b"null".as_slice(), rest].concat(), 0),
            Reading::Rows { after_row, after_comma } | Reading::AsideInRows { after_row, after_comma } => {
                let stand_in: &[u8] = if after_comma { b"{}," } else if after_row { b"{}" } else { b"" };
                ([&before_rows, b"[".as_slice(), stand_in, rest].concat(), usize::from(!stand_in.is_empty()))
            }
            Reading::RowFailed => (Vec::new(), 0),
        };
        let shape = rows.shape();
        match rows.finish() {
            Ok(read) => {
                let report = decode(&tail)?;
                let rest = report.rows.into_iter().skip(stand_ins);
                match (read, shape) {
                    (ReadRows::Typed(mut rows), _) => {
                        rows.extend(rest);
                        Ok(PaymentReport { rows, ..report })
                    }
                    (ReadRows::Columns(read), Some(shape)) => {
                        let mut batches = Vec::with_capacity(read.len() + 1);
                        for batch in read {
                            match batch {
                                ColumnBatch::Built(batch) => batches.push(batch),
                                // The whole answer read: now its table's error.
                                ColumnBatch::Unfit(row) => return Err(row_error(&row, head, Some(shape))),
                            }
                        }
                        // Rows read by `decode` (where the reader stepped aside) join as typed rows do.
                        let rest: Vec<PaymentReportRow> = rest.collect();
                        if !rest.is_empty() || batches.is_empty() {
                            batches.push(crate::columnar::batch_of(shape, &rest).map_err(|e| e.with_body_instead(head))?);
                        }
                        let columns = Some(crate::columnar::Table { schema: shape.schema.clone(), batches });
                        Ok(PaymentReport { rows: Vec::new(), columns, ..report })
                    }
                    (ReadRows::Columns(_), None) => Err(Error::internal("report rows read into columns without a table's shape")),
                }
            }
            Err(Unread::Row(row)) if row.is_empty() => Err(Error::internal("a batch of report rows could not be made into a table")),
            Err(Unread::Row(row)) => {
                // What `decode` finds before the row: the envelope's start as
                // JSON (its fields' values it reads only after every row).
                parse(&[&before_rows, b"null}".as_slice()].concat(), deadline).map_err(|e| e.with_body_instead(head))?;
                Err(row_error(&row, head, shape))
            }
            Err(Unread::Lost) => Err(Error::internal("a batch of report rows was lost while it was typed")),
        }
    }
}

/// The rows as the reader gathers them: typed, or straight into Arrow
/// batches of the table `Shape` (`RequestOptions::columns`).
enum Rows {
    Typed(RowBatches<PaymentReportRow>),
    Columns(&'static crate::columnar::Shape, RowBatches<ColumnBatch>),
}

enum ReadRows {
    Typed(Vec<PaymentReportRow>),
    Columns(Vec<ColumnBatch>),
}

impl Rows {
    fn push(&mut self, row: &[u8]) -> Result<(), ()> {
        match self {
            Rows::Typed(rows) => rows.push(row),
            Rows::Columns(_, batches) => batches.push(row),
        }
    }

    fn shape(&self) -> Option<&'static crate::columnar::Shape> {
        match self {
            Rows::Typed(_) => None,
            Rows::Columns(shape, _) => Some(shape),
        }
    }

    fn finish(self) -> Result<ReadRows, Unread> {
        match self {
            Rows::Typed(rows) => rows.finish().map(ReadRows::Typed),
            Rows::Columns(_, batches) => batches.finish().map(ReadRows::Columns),
        }
    }
}

/// Rows per Arrow batch read straight into columns: enough that a host's
/// cost per batch (apache-arrow's `Data` per column) is nothing, few enough
/// that the last batch, read after the body ends, is short.
const COLUMN_BATCH_ROWS: usize = 8192;

fn typed_batch(text: &[u8], spans: &[(u32, u32)], layout: &mut RowLayout) -> Result<Vec<PaymentReportRow>, Vec<u8>> {
    each_row(text, spans, |row| report_row(row, layout))
}

/// A batch of rows read into columns, or the text of its first row that
/// reads but has a value its column cannot hold: the error `toArrow()` of
/// the typed rows would give, once the whole answer reads (reading goes on
/// past such a row, as `decode` would before `toArrow()`).
enum ColumnBatch {
    Built(RecordBatch),
    Unfit(Vec<u8>),
}

/// One Arrow batch of the rows, each read as `report_row` reads it, or the
/// text of the first that does not read (an empty text: the batch itself
/// could not be made, a bug).
fn column_batch(text: &[u8], spans: &[(u32, u32)], layout: &mut RowLayout) -> Result<Vec<ColumnBatch>, Vec<u8>> {
    let Some(shape) = crate::columnar::shape(PaymentList::NAME) else { return Err(Vec::new()) };
    let mut columns = AnswerColumns::new(shape, spans.len());
    let mut unfit = None;
    each_row(text, spans, |row| {
        if unfit.is_some() {
            // The batch is of no use; whether its later rows read still counts.
            return report_row(row, layout).map(drop);
        }
        let pushed = layout.read(row, |laid_out| columns.push::<PaymentReportRow, _>(&Reader::new(laid_out))).unwrap_or(Err(Unpushed::Unread));
        match pushed {
            Ok(()) => Ok(()),
            Err(Unpushed::Unread) => Err(()),
            Err(Unpushed::Unfit) => {
                unfit = Some(row.to_vec());
                Ok(())
            }
        }
    })?;
    Ok(vec![match unfit {
        Some(row) => ColumnBatch::Unfit(row),
        None => ColumnBatch::Built(columns.finish().map_err(|_| Vec::new())?),
    }])
}

/// One report row from its JSON text, as `decode` reads it.
fn report_row(text: &[u8], layout: &mut RowLayout) -> Result<PaymentReportRow, ()> {
    layout.read(text, |laid_out| PaymentReportRow::from_wire(laid_out).ok()).flatten().ok_or(())
}

/// Why a row's text does not read, in `decode`'s words (or, read into the
/// columns of `table`, why it does not fit them, in `toArrow`'s); `head` is
/// the body's start, the error's snippet.
fn row_error(text: &[u8], head: &[u8], table: Option<&'static crate::columnar::Shape>) -> Error {
    let error = match serde_json::from_slice::<RawObject<'_>>(text) {
        Err(e) => unreadable(&e, head),
        Ok(row) => {
            let mut layout = RowLayout::default();
            match layout.fit(&row, |row| PaymentReportRow::from_wire(row)) {
                Err(key) => duplicate_key(key),
                Ok(typed) => match (typed, table) {
                    (Err(e), _) => Some(e),
                    (Ok(typed), Some(shape)) => crate::columnar::batch_of(shape, &vec![typed]).err(),
                    (Ok(_), None) => None,
                }
                .unwrap_or_else(|| Error::internal("a report row did not read once, and read the second time")),
            }
        }
    };
    error.with_body_instead(head)
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

    /// `body` through the reader, arriving `step` bytes at a time, kept as
    /// `attempt` keeps it (only what the reader has not let go of). And
    /// whether its rows were read as they arrived.
    fn read_arriving(body: &str, step: usize) -> (Result<PaymentReport, Error>, bool) {
        let (report, streamed, _) = read_arriving_keeping(body, step, false);
        (report, streamed)
    }

    /// As `read_arriving`, and the most of the body kept at once; `columns`:
    /// the rows read straight into Arrow batches (`RequestOptions::columns`).
    fn read_arriving_keeping(body: &str, step: usize, columns: bool) -> (Result<PaymentReport, Error>, bool, usize) {
        let params = PaymentListParams { date: NaiveDate::from_ymd_opt(2020, 2, 5).unwrap() };
        let mut reader = Box::new(ReportReader::new(&params, columns));
        let mut pending = Vec::new();
        let mut most = 0;
        for chunk in body.as_bytes().chunks(step) {
            pending.extend_from_slice(chunk);
            most = most.max(pending.len());
            let done = reader.arrived(&pending);
            pending.drain(..done);
        }
        let streamed = reader.state == Reading::Read;
        (reader.finish(&pending, &Deadline::none()), streamed, most)
    }

    /// The whole body's error and the streamed one's are one error: kind,
    /// message and snippet.
    fn same_error(a: &Error, b: &Error) -> bool {
        (a.kind, &a.message, &a.body_snippet) == (b.kind, &b.message, &b.body_snippet)
    }

    /// `decode` as a call reads it (a protocol error carries the body's start).
    fn decode_as_called(body: &str) -> Result<PaymentReport, Error> {
        decode(body).map_err(|e| e.with_body(body.as_bytes()))
    }

    /// A report's table in one batch, however its batches were cut: what
    /// `toArrow` gives of its typed rows, or of the columns it was read into.
    fn one_table(report: &PaymentReport) -> Result<RecordBatch, Error> {
        let table = crate::columnar::Table::build(PaymentList::NAME, &[report])?;
        Ok(arrow_select::concat::concat_batches(&table.schema, &table.batches).unwrap())
    }

    /// `arriving`, read with `columns` or not, is what `whole` (decode's)
    /// is: read into columns, its table is the one `toArrow` makes of
    /// decode's rows (or its rows are typed where `decode` read them all).
    fn assert_same(whole: &Result<PaymentReport, Error>, arriving: &Result<PaymentReport, Error>, columns: bool, what: &str) {
        match (whole, arriving) {
            (Ok(a), Ok(b)) if columns => {
                assert_eq!((a.date, a.total, a.total_count), (b.date, b.total, b.total_count), "{what}");
                match (one_table(a), one_table(b)) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "{what}"),
                    (Err(a), Err(b)) => assert!(same_error(&a, &b), "{what}: {a:?} / {b:?}"),
                    (a, b) => panic!("{what}: toArrow of decode's rows {a:?}, read into columns {b:?}"),
                }
            }
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{what}"),
            (Err(a), Err(b)) => assert!(same_error(a, b), "{what}: decode {a:?}, read as it arrived {b:?}"),
            _ => panic!("{what}: decode {whole:?}, read as it arrived {arriving:?}"),
        }
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
            // The first failure in the body's order is the one said.
            r#"{"total":"abc","Data":[{"xact_date":"yesterday"}]}"#.to_owned(),
            r#"{"total":1,"total":2,"Data":[{"xact_date":"yesterday"}]}"#.to_owned(),
            r#"{"total":"abc","Data":[{"amount":1}],"total_count":[1}"#.to_owned(),
            r#"{"Data":[{"amount":1},{"amount":"x"},1]}"#.to_owned(),
            r#"{"Data":[{"amount":1}]} trailing"#.to_owned(),
            r#"{"Data":[{"amount":1}]"#.to_owned(),
            "[]".to_owned(),
            "{\"Data\":[".to_owned(),
        ];
        for (i, body) in bodies.iter().enumerate() {
            let whole = decode_as_called(body);
            for (step, columns) in [1, 2, 3, 7, 64, body.len()].into_iter().flat_map(|step| [(step, false), (step, true)]) {
                let (arriving, streamed, _) = read_arriving_keeping(body, step, columns);
                if [0, 1, 2, 3, 5].contains(&i) {
                    assert!(streamed, "{body} in steps of {step}: its rows were not read as they arrived");
                    let report = arriving.as_ref().unwrap();
                    assert_eq!(report.columns.is_some(), columns, "{body} in steps of {step}");
                    assert!(report.rows.is_empty() || !columns, "{body} in steps of {step}: typed rows beside the table");
                }
                assert_same(&whole, &arriving, columns, &format!("{body} in steps of {step}, columns {columns}"));
            }
        }
        assert_eq!(read_arriving(&bodies[0], 5).0.unwrap().rows.len(), 40);
        // Long enough for its rows to be typed on other threads; one bad row
        // anywhere gives decode's error.
        let row = |i: usize| format!(r#"{{"amount":{i}.25,"xact_id":"x-{i}","instalment":{},"card_holder":"A \"{i}\" }}"}}"#, i % 12);
        // More than one Arrow batch's rows (COLUMN_BATCH_ROWS) when read into columns.
        let rows: Vec<String> = (0..9_000).map(row).collect();
        for bad in [None, Some(0), Some(2_500), Some(8_999)] {
            let mut rows = rows.clone();
            if let Some(bad) = bad {
                rows[bad] = r#"{"xact_date":"yesterday"}"#.to_owned();
            }
            let body = format!(r#"{{"total":9000,"Data":[{}],"code":0}}"#, rows.join(","));
            let whole = decode_as_called(&body);
            for (step, columns) in [997, 64 << 10, body.len()].into_iter().flat_map(|step| [(step, false), (step, true)]) {
                let (arriving, streamed, most) = read_arriving_keeping(&body, step, columns);
                assert!(streamed || bad.is_some(), "steps of {step}");
                // The body is let go of as its rows are read: at most a
                // chunk and the row it ends in are kept at once.
                if step < body.len() {
                    assert!(most < step + 4 * SNIPPET_BYTES, "steps of {step}: {most} bytes kept at once");
                }
                assert_same(&whole, &arriving, columns, &format!("bad row {bad:?}, steps of {step}, columns {columns}"));
            }
            assert_eq!(whole.is_ok(), bad.is_none());
        }
        // A row longer than MAX_PENDING, first or after rows already let go
        // of: the reader steps aside there, and decode reads on from it.
        let long_row = format!(r#"{{"amount":7,"card_holder":"{}"}}"#, "y".repeat(3 * MAX_PENDING));
        for before in [0, 3_000] {
            let mut list: Vec<String> = rows[..before].to_vec();
            list.push(long_row.clone());
            list.extend(rows[..10].iter().cloned());
            let body = format!("{{\"total\":1,\"Data\":[\n{}\n],\"code\":0}}", list.join(",\n"));
            let (in_columns, _, _) = read_arriving_keeping(&body, 64 << 10, true);
            assert_same(&decode_as_called(&body), &in_columns, true, &format!("columns, {before} rows before the long one"));
            let (arriving, streamed) = read_arriving(&body, 64 << 10);
            assert!(!streamed);
            let arriving = arriving.unwrap();
            assert_eq!(arriving, decode(&body).unwrap(), "{before} rows before the long one");
            assert_eq!((arriving.rows.len(), arriving.rows[before].amount), (before + 11, Some(rust_decimal::Decimal::from(7))));
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

    #[test]
    fn rows_read_into_columns_are_the_columns_of_their_typed_rows() {
        // Every way Paynet writes a value: alternate names, numbers and flags
        // as text, comma decimals, escapes, an unmasked card number, blanks.
        let rows = [
            r#"{"xact_id":"a\"b","xact_date":"15.01.2030 09:00:00","due_date":"2030-01-15T00:00:00","xact_type":"S","is_succeed":true,"amount":100.0000,"ratio":0.0199,"instalment":3,"card_no":"4355081234564358","card_holder":"\u00d6zkan","bank_id":"AXSS","user_id":7}"#,
            r#"{"xact_id":12,"xact_date":"2030-01-15T09:00:00+03:00","is_succeed":"False","amount":"2,25","company_pay_amount":"  ","installment":"4","card_no_masked":"435508******4358","bank_id":true,"order_id":"","agent_name":" x "}"#,
            r#"{}"#,
        ];
        let body = format!(r#"{{"total":3,"Data":[{}]}}"#, rows.join(","));
        let whole = decode_as_called(&body);
        assert_eq!(whole.as_ref().unwrap().rows.len(), 3);
        for step in [1, 5, body.len()] {
            let (arriving, streamed, _) = read_arriving_keeping(&body, step, true);
            assert!(streamed && arriving.as_ref().unwrap().columns.is_some(), "steps of {step}");
            assert_same(&whole, &arriving, true, &format!("steps of {step}"));
        }
        // The card number is masked in the table as in the typed rows.
        let table = one_table(&read_arriving_keeping(&body, 5, true).0.unwrap()).unwrap();
        let cards = table.column_by_name("card_no_masked").unwrap().as_any().downcast_ref::<arrow_array::StringArray>().unwrap().clone();
        assert_eq!(cards.value(0), "435508******4358");
    }

    #[test]
    fn a_value_its_column_cannot_hold_fails_the_call_as_to_arrow_would() {
        let rows: Vec<String> = (0..3_000).map(|i| format!(r#"{{"amount":{i}.25,"xact_id":"x-{i}"}}"#)).collect();
        for bad in [0, 1_500, 2_999] {
            let mut rows = rows.clone();
            rows[bad] = r#"{"amount":1.005,"xact_id":"odd"}"#.to_owned();
            let body = format!(r#"{{"total":3000,"Data":[{}],"code":0}}"#, rows.join(","));
            // Typed, the report reads; its table cannot be made.
            let typed = decode_as_called(&body).unwrap();
            let refused = one_table(&typed).unwrap_err();
            assert!(refused.message.contains("`amount`: 1.005 does not fit"), "{refused:?}");
            for step in [4096, body.len()] {
                let (arriving, _, _) = read_arriving_keeping(&body, step, true);
                let error = arriving.unwrap_err();
                assert_eq!((error.kind, &error.message), (refused.kind, &refused.message), "row {bad}, steps of {step}");
            }
        }
        // An answer that does not read fails as it does without columns,
        // wherever it fails after the row that would not fit.
        let later = rows[..2_000].join(",");
        for body in [
            r#"{"Data":[{"amount":1.005},{"xact_date":"yesterday"}]}"#.to_owned(),
            format!(r#"{{"Data":[{{"amount":1.005}},{later},{{"xact_date":"yesterday"}}]}}"#),
            format!(r#"{{"Data":[{{"amount":1.005}},{later}],"total":"abc"}}"#),
            r#"{"Data":[{"amount":1.005}]} trailing"#.to_owned(),
            r#"{"Data":[{"amount":1.005}],"Data":[]}"#.to_owned(),
        ] {
            let whole = decode_as_called(&body).unwrap_err();
            for step in [1, 4096, body.len()] {
                let (arriving, _, _) = read_arriving_keeping(&body, step, true);
                let error = arriving.unwrap_err();
                assert!(same_error(&whole, &error), "{body} in steps of {step}: decode {whole:?}, read into columns {error:?}");
            }
        }
    }
}
