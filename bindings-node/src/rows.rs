//! A tabular result's rows → columns that `lib/convert.js` makes the row
//! objects from: the values `output.rs` would write as JSON (camelCase names,
//! money as exact text or numbers, rates as numbers, a datetime's text and
//! its instant for its `Date`), without text for V8 to parse again.
//!
//! Per column, one tag per row (null, text, number, true, false); the text of
//! every value as one JS string and where each value ends (in UTF-16 units,
//! as JS slices); numbers in a `Float64Array`. A column whose text repeats (a
//! bank, a card type, a due date) sends its few distinct values once and a
//! code per row, so those rows share one JS string per value instead of one
//! string each.
//!
//! The rows are core's typed rows, read by their cells (`paynet_core::cells`,
//! a column per row-model field): nothing here is per endpoint. A nested value in a
//! row (a ratio table's instalments) goes as the JSON `output.rs` writes, which
//! the wrapper parses as it parses any result.

use std::collections::HashMap;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use paynet_core::cells::{Cell, Cells, RowList, each_cell};
use paynet_core::columnar::Shape;

use crate::output;

const NULL: u8 = 0;
const TEXT: u8 = 1;
const NUMBER: u8 = 2;
const TRUE: u8 = 3;
const FALSE: u8 = 4;
/// The text is `output.rs`'s `[value,dates]` JSON of a nested value.
const JSON: u8 = 5;

/// A column keeps codes into its distinct values while it has at most this
/// many; past it, its values go one per row.
const DISTINCT: usize = 1024;

#[napi(object, object_from_js = false)]
pub struct RowColumns {
    pub count: u32,
    pub columns: Vec<RowColumn>,
}

/// One field of every row (`lib/convert.js` `rowsFromColumns` reads it).
#[napi(object, object_from_js = false)]
pub struct RowColumn {
    /// The field's JS name.
    pub name: String,
    /// A datetime: the row gets `name` (a `Date` of the instant in
    /// `numbers`, ms since the epoch) and `nameRaw` (the text).
    pub datetime: bool,
    /// Per row: 0 null, 1 text, 2 number, 3 true, 4 false, 5 JSON.
    pub tags: Uint8Array,
    #[napi(ts_type = "string")]
    pub text: JsText,
    /// Without `codes`: row `i`'s text is `text.slice(ends[i], ends[i + 1])`.
    /// With `codes`: distinct value `k` is `text.slice(ends[k], ends[k + 1])`.
    pub ends: Uint32Array,
    /// Per row, its distinct value.
    pub codes: Option<Uint32Array>,
    /// Per row, its number (where the tag says number).
    pub numbers: Option<Float64Array>,
}

/// UTF-8 text made a JS string: a one-byte string with a plain copy when it
/// is ASCII, UTF-16 otherwise.
pub struct JsText {
    bytes: Vec<u8>,
    ascii: bool,
}

impl TypeName for JsText {
    fn type_name() -> &'static str {
        "string"
    }
    fn value_type() -> ValueType {
        ValueType::String
    }
}

impl ToNapiValue for JsText {
    unsafe fn to_napi_value(env: napi::sys::napi_env, val: Self) -> Result<napi::sys::napi_value> {
        let mut out = std::ptr::null_mut();
        // SAFETY: `env` is valid for this call (the trait's contract); each
        // pointer and length describe a buffer that outlives the call.
        let status = unsafe {
            if val.ascii {
                napi::sys::napi_create_string_latin1(env, val.bytes.as_ptr().cast(), val.bytes.len() as isize, &mut out)
            } else {
                let units: Vec<u16> = String::from_utf8_lossy(&val.bytes).encode_utf16().collect();
                napi::sys::napi_create_string_utf16(env, units.as_ptr(), units.len() as isize, &mut out)
            }
        };
        napi::check_status!(status, "could not create the rows' text")?;
        Ok(out)
    }
}

/// The rows of `result` (a result of the tabular `method`) as columns. A
/// long result's rows are split in as many runs as there are cores (up to
/// `MAX_WORKERS`), each made columns on its own thread, then joined in order.
pub fn columns(method: &str, result: &dyn Cells, money_as_number: bool) -> std::result::Result<RowColumns, paynet_core::Error> {
    let shape = paynet_core::columnar::shape(method).ok_or_else(|| paynet_core::Error::invalid("method", format!("`{method}` returns no rows")))?;
    let rows = paynet_core::columnar::rows_of(shape, result)?;
    let count = rows.len();
    let workers = std::thread::available_parallelism().map_or(1, usize::from).min(MAX_WORKERS).min(count / MIN_ROWS_PER_WORKER).max(1);
    let run = |worker: usize| run_of(shape, rows, money_as_number, count * worker / workers..count * (worker + 1) / workers);
    let runs: Vec<std::result::Result<Columns, paynet_core::Error>> = if workers == 1 {
        vec![run(0)]
    } else {
        std::thread::scope(|scope| {
            // A run whose thread cannot be made is done here.
            let handles: Vec<_> = (0..workers).map(|worker| std::thread::Builder::new().spawn_scoped(scope, move || run(worker)).map_err(|_| worker)).collect();
            handles
                .into_iter()
                .map(|h| match h {
                    Ok(h) => h.join().unwrap_or_else(|_| Err(paynet_core::Error::internal("a thread making the rows' columns panicked"))),
                    Err(worker) => run(worker),
                })
                .collect()
        })
    };
    let mut runs = runs.into_iter();
    let mut sink = runs.next().expect("at least one run")?;
    for run in runs {
        sink.append(run?);
    }
    Ok(RowColumns { count: sink.rows as u32, columns: sink.columns.into_iter().map(Column::finish).collect() })
}

/// Threads one result's columns are made on.
const MAX_WORKERS: usize = 4;

/// Fewer rows than this per thread are not worth a thread.
const MIN_ROWS_PER_WORKER: usize = 8192;

/// The rows in `range` as columns.
fn run_of(shape: &Shape, rows: &dyn RowList, money_as_number: bool, range: std::ops::Range<usize>) -> std::result::Result<Columns, paynet_core::Error> {
    let mut sink = Columns {
        money_as_number,
        rows: 0,
        columns: shape.field_names().iter().enumerate().map(|(j, name)| Column::new(name, shape.is_datetime(j))).collect(),
        buf: String::new(),
    };
    for index in range {
        sink.push(rows.row(index)).map_err(|why| paynet_core::Error::internal(format!("could not make the rows' columns: {why}")))?;
    }
    Ok(sink)
}

struct Columns {
    money_as_number: bool,
    rows: usize,
    /// One per row-model field, in declaration order.
    columns: Vec<Column>,
    /// Scratch text for money, dates and rates.
    buf: String,
}

impl Columns {
    fn push(&mut self, row: &dyn Cells) -> std::result::Result<(), String> {
        let Columns { money_as_number, columns, buf, .. } = self;
        let cells = each_cell(row, |index, cell| match columns.get_mut(index) {
            Some(column) => column.put(cell, *money_as_number, buf).map_err(|why| format!("`{}`: {why}", column.key)),
            None => Ok(()),
        })?;
        if cells != columns.len() {
            return Err(format!("a row of {cells} fields where its model has {}", columns.len()));
        }
        self.rows += 1;
        Ok(())
    }

    /// The rows of `other` (the same fields) after these.
    fn append(&mut self, other: Columns) {
        for (mine, theirs) in self.columns.iter_mut().zip(other.columns) {
            mine.append(theirs);
        }
        self.rows += other.rows;
    }
}

enum Text {
    /// Codes into `entries`, the distinct values so far.
    Distinct { index: HashMap<Box<str>, u32>, entries: Vec<Box<str>>, codes: Vec<u32> },
    /// Every row's text, one after the other; `ends` has one more entry than rows.
    PerRow { bytes: Vec<u8>, ends: Vec<u32> },
}

struct Column {
    key: &'static str,
    /// A timestamp field: its text, and its instant in `numbers` (ms since the epoch).
    datetime: bool,
    tags: Vec<u8>,
    text: Text,
    ascii: bool,
    numbers: Vec<f64>,
}

/// UTF-16 units of `s`, what JS indexes strings by.
fn units(s: &str) -> u32 {
    if s.is_ascii() { s.len() as u32 } else { s.encode_utf16().count() as u32 }
}

impl Column {
    fn new(key: &'static str, datetime: bool) -> Column {
        Column {
            key,
            datetime,
            tags: Vec::new(),
            text: Text::Distinct { index: HashMap::new(), entries: Vec::new(), codes: Vec::new() },
            ascii: true,
            numbers: Vec::new(),
        }
    }

    /// A row with no text: its place in the text.
    fn no_text(&mut self) {
        match &mut self.text {
            Text::Distinct { codes, .. } => codes.push(0),
            Text::PerRow { ends, .. } => ends.push(*ends.last().unwrap_or(&0)),
        }
    }

    fn null(&mut self) {
        self.tags.push(NULL);
        self.no_text();
    }

    fn flag(&mut self, v: bool) {
        self.tags.push(if v { TRUE } else { FALSE });
        self.no_text();
    }

    fn number(&mut self, v: f64) {
        self.tags.push(NUMBER);
        self.no_text();
        self.set_number(v);
    }

    /// The last row's number.
    fn set_number(&mut self, v: f64) {
        let row = self.tags.len() - 1;
        if self.numbers.len() < row {
            self.numbers.resize(row, 0.0);
        }
        self.numbers.push(v);
    }

    /// One row's value, as `output.rs` writes it: money as text (or a number
    /// with `money: 'number'`), rates and integers as numbers (`Number(text)`
    /// gives the same double), a timestamp as its text and its instant, a
    /// nested value as its JSON.
    fn put(&mut self, cell: Cell<'_>, money_as_number: bool, buf: &mut String) -> std::result::Result<(), String> {
        match cell {
            Cell::Null => self.null(),
            Cell::Text(s) => self.text(s),
            Cell::Int(v) => self.number(v as f64),
            Cell::Bool(v) => self.flag(v),
            Cell::Money(d) => {
                buf.clear();
                paynet_core::cells::write_decimal(&d, buf);
                if money_as_number { self.number(as_number(buf)?) } else { self.text(buf) }
            }
            Cell::Ratio(d) => {
                buf.clear();
                paynet_core::cells::write_decimal(&d, buf);
                self.number(as_number(buf)?);
            }
            Cell::DateTime(at) if self.datetime => {
                buf.clear();
                // chrono's `Serialize` text (RFC 3339), what `call` gives.
                paynet_core::cells::write_datetime(at, buf);
                self.text(buf);
                self.set_number(at.timestamp_millis() as f64);
            }
            Cell::DateTime(_) => return Err("a timestamp in a field the spec gives another kind".into()),
            Cell::Date(day) => {
                buf.clear();
                paynet_core::cells::write_date(day, buf);
                self.text(buf);
            }
            Cell::Nested(value) => {
                let json = output::to_json(value, money_as_number, 64).map_err(|e| e.to_string())?;
                self.tagged_text(JSON, std::str::from_utf8(&json).map_err(|e| e.to_string())?);
            }
        }
        Ok(())
    }

    fn text(&mut self, s: &str) {
        self.tagged_text(TEXT, s);
    }

    fn tagged_text(&mut self, tag: u8, s: &str) {
        self.ascii &= s.is_ascii();
        if let Text::Distinct { index, entries, codes } = &mut self.text {
            // A value repeated from the row before (a bank, a company) needs no hashing.
            let previous = codes.last().copied().filter(|&code| entries.get(code as usize).is_some_and(|e| **e == *s));
            if let Some(code) = previous.or_else(|| index.get(s).copied()) {
                codes.push(code);
                self.tags.push(tag);
                return;
            }
            if entries.len() < DISTINCT {
                let code = entries.len() as u32;
                index.insert(s.into(), code);
                entries.push(s.into());
                codes.push(code);
                self.tags.push(tag);
                return;
            }
            // Too many distinct values: every row its own text from here on.
            self.spell_out();
        }
        if let Text::PerRow { bytes, ends } = &mut self.text {
            bytes.extend_from_slice(s.as_bytes());
            ends.push(*ends.last().unwrap_or(&0) + units(s));
        }
        self.tags.push(tag);
    }

    /// Every row its own text (no codes).
    fn spell_out(&mut self) {
        let Text::Distinct { entries, codes, .. } = &self.text else { return };
        let mut bytes = Vec::new();
        let mut ends = Vec::with_capacity(codes.len() + 1);
        ends.push(0);
        for (tag, &code) in self.tags.iter().zip(codes.iter()) {
            let at = *ends.last().unwrap_or(&0);
            if *tag == TEXT || *tag == JSON {
                let entry = &entries[code as usize];
                bytes.extend_from_slice(entry.as_bytes());
                ends.push(at + units(entry));
            } else {
                ends.push(at);
            }
        }
        self.text = Text::PerRow { bytes, ends };
    }

    /// The rows of `other` (the same field) after these.
    fn append(&mut self, other: Column) {
        let rows = self.tags.len();
        self.ascii &= other.ascii;
        if !other.numbers.is_empty() {
            self.numbers.resize(rows, 0.0);
            self.numbers.extend_from_slice(&other.numbers);
        }
        match other.text {
            Text::PerRow { bytes, ends } => {
                self.spell_out();
                let Text::PerRow { bytes: mine, ends: my_ends } = &mut self.text else { unreachable!("spelled out") };
                let offset = *my_ends.last().unwrap_or(&0);
                mine.extend_from_slice(&bytes);
                my_ends.extend(ends[1..].iter().map(|end| end + offset));
                self.tags.extend_from_slice(&other.tags);
            }
            Text::Distinct { entries, codes, .. } => {
                // Each distinct value is looked up once; its rows reuse its code.
                let mut mine: Vec<Option<u32>> = vec![None; entries.len()];
                for (&tag, &code) in other.tags.iter().zip(&codes) {
                    if tag != TEXT && tag != JSON {
                        self.tags.push(tag);
                        self.no_text();
                        continue;
                    }
                    if let (Some(known), Text::Distinct { codes: my_codes, .. }) = (mine[code as usize], &mut self.text) {
                        my_codes.push(known);
                        self.tags.push(tag);
                        continue;
                    }
                    self.tagged_text(tag, &entries[code as usize]);
                    if let Text::Distinct { codes: my_codes, .. } = &self.text {
                        mine[code as usize] = my_codes.last().copied();
                    }
                }
            }
        }
    }

    fn finish(self) -> RowColumn {
        let rows = self.tags.len();
        let (bytes, ends, codes) = match self.text {
            Text::Distinct { entries, codes, .. } => {
                let mut bytes = Vec::new();
                let mut ends = Vec::with_capacity(entries.len() + 1);
                ends.push(0);
                for entry in &entries {
                    bytes.extend_from_slice(entry.as_bytes());
                    ends.push(ends.last().unwrap_or(&0) + units(entry));
                }
                (bytes, ends, Some(codes))
            }
            Text::PerRow { bytes, ends } => (bytes, ends, None),
        };
        let mut numbers = self.numbers;
        let numbers = if numbers.is_empty() {
            None
        } else {
            numbers.resize(rows, 0.0);
            Some(Float64Array::new(numbers))
        };
        RowColumn {
            name: output::name(self.key).camel.to_owned(),
            datetime: self.datetime,
            tags: Uint8Array::new(self.tags),
            text: JsText { bytes, ascii: self.ascii },
            ends: Uint32Array::new(ends),
            codes: codes.map(Uint32Array::new),
            numbers,
        }
    }
}

/// A decimal's text as the number `JSON.parse` makes of it.
fn as_number(text: &str) -> std::result::Result<f64, String> {
    text.parse::<f64>().map_err(|_| format!("`{text}` is not a number"))
}
