//! A tabular result's rows → columns that `lib/convert.js` makes the row
//! objects from: the values `output.rs` would write as JSON (camelCase names,
//! money as exact text or numbers, rates as numbers, a datetime's text for its
//! `Date`), without text for V8 to parse again.
//!
//! Per column, one tag per row (null, text, number, true, false); the text of
//! every value as one JS string and where each value ends (in UTF-16 units,
//! as JS slices); numbers in a `Float64Array`. A column whose text repeats (a
//! bank, a card type, a due date) sends its few distinct values once and a
//! code per row, so those rows share one JS string per value instead of one
//! string each.
//!
//! The rows are core's typed rows, read by their own `Serialize` through
//! `columnar::each_row`: nothing here is per endpoint. A nested value in a
//! row (a ratio table's instalments) goes as the JSON `output.rs` writes, which
//! the wrapper parses as it parses any result.

use std::collections::HashMap;
use std::fmt::{self, Display, Write as _};

use napi::bindgen_prelude::*;
use napi_derive::napi;
use paynet_core::kinds::FieldKind;
use serde::ser::{self, Impossible, Serialize, Serializer};

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

/// serde_json's private name for an arbitrary-precision number.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

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
    /// A datetime: the row gets `name` (a `Date`) and `nameRaw` (the text).
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
pub fn columns<T: Serialize + Sync + ?Sized>(method: &str, result: &T, money_as_number: bool) -> std::result::Result<RowColumns, paynet_core::Error> {
    let mut rows = 0_usize;
    paynet_core::columnar::each_row(method, result, &mut |_| {
        rows += 1;
        Ok(())
    })?;
    let workers = std::thread::available_parallelism().map_or(1, usize::from).min(MAX_WORKERS).min(rows / MIN_ROWS_PER_WORKER).max(1);
    let run = |worker: usize| run_of(method, result, money_as_number, rows * worker / workers..rows * (worker + 1) / workers);
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

/// The rows of `result` in `range` as columns.
fn run_of<T: Serialize + ?Sized>(method: &str, result: &T, money_as_number: bool, range: std::ops::Range<usize>) -> std::result::Result<Columns, paynet_core::Error> {
    let mut sink = Columns { money_as_number, rows: 0, columns: Vec::new(), buf: String::new() };
    let mut index = 0;
    paynet_core::columnar::each_row(method, result, &mut |row| {
        index += 1;
        if !range.contains(&(index - 1)) {
            return Ok(());
        }
        Serialize::serialize(row, RowSer { sink: &mut sink, next: 0 }).map_err(|e| e.to_string())?;
        sink.end_row();
        Ok(())
    })?;
    Ok(sink)
}

struct Columns {
    money_as_number: bool,
    rows: usize,
    columns: Vec<Column>,
    /// Scratch text for values serialized with `collect_str`.
    buf: String,
}

impl Columns {
    /// The column of `key`, made (null in every earlier row) on first sight.
    fn column(&mut self, next: usize, key: &'static str) -> usize {
        if self.columns.get(next).is_some_and(|c| c.key == key) {
            return next;
        }
        if let Some(at) = self.columns.iter().position(|c| c.key == key) {
            return at;
        }
        let mut column = Column::new(key);
        for _ in 0..self.rows {
            column.null();
        }
        self.columns.push(column);
        self.columns.len() - 1
    }

    /// A field the row did not serialize is null.
    fn end_row(&mut self) {
        self.rows += 1;
        self.pad();
    }

    fn pad(&mut self) {
        for column in &mut self.columns {
            while column.tags.len() < self.rows {
                column.null();
            }
        }
    }

    /// The rows of `other` after these.
    fn append(&mut self, other: Columns) {
        for column in other.columns {
            let at = self.column(0, column.key);
            self.columns[at].append(column);
        }
        self.rows += other.rows;
        self.pad();
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
    /// Learned from the first value (its kind's name comes even when it is absent).
    datetime: Option<bool>,
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
    fn new(key: &'static str) -> Column {
        Column {
            key,
            datetime: None,
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
        let row = self.tags.len();
        self.tags.push(NUMBER);
        self.no_text();
        if self.numbers.len() < row {
            self.numbers.resize(row, 0.0);
        }
        self.numbers.push(v);
    }

    fn text(&mut self, s: &str) {
        self.tagged_text(TEXT, s);
    }

    fn tagged_text(&mut self, tag: u8, s: &str) {
        self.ascii &= s.is_ascii();
        if let Text::Distinct { index, entries, codes } = &mut self.text {
            if let Some(&code) = index.get(s) {
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
        self.datetime = self.datetime.or(other.datetime);
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
            datetime: self.datetime == Some(true),
            tags: Uint8Array::new(self.tags),
            text: JsText { bytes, ascii: self.ascii },
            ends: Uint32Array::new(ends),
            codes: codes.map(Uint32Array::new),
            numbers,
        }
    }
}

/// Why a row could not become columns: a bug, or a value no row field holds.
#[derive(Debug)]
enum Fail {
    /// A list, map or struct: written as JSON instead.
    Nested,
    Other(String),
}

impl Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fail::Nested => f.write_str("a nested value where a row should be"),
            Fail::Other(why) => f.write_str(why),
        }
    }
}
impl std::error::Error for Fail {}
impl ser::Error for Fail {
    fn custom<T: Display>(msg: T) -> Self {
        Fail::Other(msg.to_string())
    }
}

fn nested<T>() -> std::result::Result<T, Fail> {
    Err(Fail::Nested)
}

/// Sequences, maps and variants with data are `Fail::Nested`: a cell's is
/// written as its JSON (`RowSer::serialize_field`), a row's is refused.
macro_rules! nested_values {
    () => {
        fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, _: &'static str, _: &T) -> std::result::Result<(), Fail> {
            nested()
        }
        fn serialize_seq(self, _: Option<usize>) -> std::result::Result<Self::SerializeSeq, Fail> {
            nested()
        }
        fn serialize_tuple(self, _: usize) -> std::result::Result<Self::SerializeTuple, Fail> {
            nested()
        }
        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> std::result::Result<Self::SerializeTupleStruct, Fail> {
            nested()
        }
        fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> std::result::Result<Self::SerializeTupleVariant, Fail> {
            nested()
        }
        fn serialize_map(self, _: Option<usize>) -> std::result::Result<Self::SerializeMap, Fail> {
            nested()
        }
        fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> std::result::Result<Self::SerializeStructVariant, Fail> {
            nested()
        }
    };
}

/// One row: its struct and each field into its column.
struct RowSer<'c> {
    sink: &'c mut Columns,
    /// The column expected next (fields come in declaration order).
    next: usize,
}

macro_rules! not_a_row {
    ($($method:ident($($ty:ty),*);)*) => {
        $(fn $method(self, $(_: $ty),*) -> std::result::Result<(), Fail> {
            Err(Fail::Other(format!("a row that is not a struct ({})", stringify!($method))))
        })*
    };
}

impl<'c> Serializer for RowSer<'c> {
    type Ok = ();
    type Error = Fail;
    type SerializeSeq = Impossible<(), Fail>;
    type SerializeTuple = Impossible<(), Fail>;
    type SerializeTupleStruct = Impossible<(), Fail>;
    type SerializeTupleVariant = Impossible<(), Fail>;
    type SerializeMap = Impossible<(), Fail>;
    type SerializeStruct = RowSer<'c>;
    type SerializeStructVariant = Impossible<(), Fail>;

    nested_values!();

    not_a_row! {
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32); serialize_i64(i64);
        serialize_u8(u8); serialize_u16(u16); serialize_u32(u32); serialize_u64(u64);
        serialize_f32(f32); serialize_f64(f64); serialize_char(char); serialize_str(&str); serialize_bytes(&[u8]);
        serialize_none(); serialize_unit(); serialize_unit_struct(&'static str);
        serialize_unit_variant(&'static str, u32, &'static str);
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> std::result::Result<(), Fail> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> std::result::Result<(), Fail> {
        value.serialize(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> std::result::Result<RowSer<'c>, Fail> {
        Ok(self)
    }
}

impl ser::SerializeStruct for RowSer<'_> {
    type Ok = ();
    type Error = Fail;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> std::result::Result<(), Fail> {
        let at = self.sink.column(self.next, key);
        self.next = at + 1;
        let money_as_number = self.sink.money_as_number;
        let Columns { columns, buf, .. } = &mut *self.sink;
        let column = &mut columns[at];
        let rows = column.tags.len();
        match value.serialize(Cell { column: &mut *column, buf, money_as_number, number: false, kind: None }) {
            // Refused before anything was written: the value as JSON, with its `Date` paths.
            Err(Fail::Nested) if column.tags.len() == rows => {
                let json = output::to_json(value, money_as_number, 64).map_err(|e| Fail::Other(e.to_string()))?;
                column.tagged_text(JSON, std::str::from_utf8(&json).map_err(|e| Fail::Other(e.to_string()))?);
            }
            written => written?,
        }
        if column.tags.len() != rows + 1 {
            return Err(Fail::Other(format!("`{key}` gave no value")));
        }
        if column.datetime.is_none() {
            column.datetime = Some(false);
        }
        Ok(())
    }
    fn end(self) -> std::result::Result<(), Fail> {
        Ok(())
    }
}

/// One value into its column.
struct Cell<'c> {
    column: &'c mut Column,
    buf: &'c mut String,
    money_as_number: bool,
    /// Money (with `money: 'number'`) or a rate: its text goes as a number.
    number: bool,
    /// The kind the value is under, once its name has been seen.
    kind: Option<FieldKind>,
}

impl Cell<'_> {
    fn text(self, s: &str) -> std::result::Result<(), Fail> {
        put(self.column, self.number, s)
    }

    fn number(self, v: f64) -> std::result::Result<(), Fail> {
        self.column.number(v);
        Ok(())
    }
}

/// Text into `column`: as a number where the kind says so (`Number(text)` gives the same double).
fn put(column: &mut Column, number: bool, s: &str) -> std::result::Result<(), Fail> {
    if number {
        let n = s.parse::<f64>().map_err(|_| Fail::Other(format!("`{s}` is not a number")))?;
        column.number(n);
    } else {
        column.text(s);
    }
    Ok(())
}

impl<'c> Serializer for Cell<'c> {
    type Ok = ();
    type Error = Fail;
    type SerializeSeq = Impossible<(), Fail>;
    type SerializeTuple = Impossible<(), Fail>;
    type SerializeTupleStruct = Impossible<(), Fail>;
    type SerializeTupleVariant = Impossible<(), Fail>;
    type SerializeMap = Impossible<(), Fail>;
    type SerializeStruct = NumberToken<'c>;
    type SerializeStructVariant = Impossible<(), Fail>;

    nested_values!();

    fn serialize_bool(self, v: bool) -> std::result::Result<(), Fail> {
        self.column.flag(v);
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> std::result::Result<(), Fail> {
        self.number(v.into())
    }
    fn serialize_i16(self, v: i16) -> std::result::Result<(), Fail> {
        self.number(v.into())
    }
    fn serialize_i32(self, v: i32) -> std::result::Result<(), Fail> {
        self.number(v.into())
    }
    /// As `JSON.parse` reads the integer: the nearest double.
    fn serialize_i64(self, v: i64) -> std::result::Result<(), Fail> {
        self.number(v as f64)
    }
    fn serialize_u8(self, v: u8) -> std::result::Result<(), Fail> {
        self.number(v.into())
    }
    fn serialize_u16(self, v: u16) -> std::result::Result<(), Fail> {
        self.number(v.into())
    }
    fn serialize_u32(self, v: u32) -> std::result::Result<(), Fail> {
        self.number(v.into())
    }
    fn serialize_u64(self, v: u64) -> std::result::Result<(), Fail> {
        self.number(v as f64)
    }
    fn serialize_f32(self, v: f32) -> std::result::Result<(), Fail> {
        self.number(v.into())
    }
    fn serialize_f64(self, v: f64) -> std::result::Result<(), Fail> {
        self.number(v)
    }
    fn serialize_char(self, v: char) -> std::result::Result<(), Fail> {
        self.text(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> std::result::Result<(), Fail> {
        self.text(v)
    }
    fn collect_str<T: Display + ?Sized>(self, value: &T) -> std::result::Result<(), Fail> {
        let Cell { column, buf, number, .. } = self;
        buf.clear();
        let _ = write!(buf, "{value}");
        put(column, number, buf)
    }
    fn serialize_bytes(self, _: &[u8]) -> std::result::Result<(), Fail> {
        nested()
    }
    fn serialize_none(self) -> std::result::Result<(), Fail> {
        self.column.null();
        Ok(())
    }
    fn serialize_unit(self) -> std::result::Result<(), Fail> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> std::result::Result<(), Fail> {
        self.serialize_none()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> std::result::Result<(), Fail> {
        value.serialize(self)
    }
    /// A value under its kind's name, as `output.rs` reads it.
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> std::result::Result<(), Fail> {
        let Some(kind) = FieldKind::from_tag(name) else { return value.serialize(self) };
        let datetime = kind == FieldKind::DateTime;
        if self.kind.is_none() && *self.column.datetime.get_or_insert(datetime) != datetime {
            return Err(Fail::Other(format!("`{}` held a datetime and a value of another kind", self.column.key)));
        }
        let number = match kind {
            FieldKind::Money => self.money_as_number,
            FieldKind::Ratio => true,
            FieldKind::DateTime | FieldKind::Date => false,
        };
        value.serialize(Cell { kind: Some(kind), number, ..self })
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> std::result::Result<(), Fail> {
        self.text(variant)
    }
    /// Only serde_json's arbitrary-precision number: a JSON number, so a JS number.
    fn serialize_struct(self, name: &'static str, _: usize) -> std::result::Result<NumberToken<'c>, Fail> {
        if name == NUMBER_TOKEN { Ok(NumberToken(Cell { number: true, ..self })) } else { nested() }
    }
}

/// serde_json's number token: its one field is the number's text.
struct NumberToken<'c>(Cell<'c>);

impl ser::SerializeStruct for NumberToken<'_> {
    type Ok = ();
    type Error = Fail;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, _: &'static str, value: &T) -> std::result::Result<(), Fail> {
        let Cell { column, buf, money_as_number, kind, .. } = &mut self.0;
        value.serialize(Cell { column, buf, money_as_number: *money_as_number, number: true, kind: *kind })
    }
    fn end(self) -> std::result::Result<(), Fail> {
        Ok(())
    }
}
