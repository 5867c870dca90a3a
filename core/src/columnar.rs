//! Columnar results: the rows of a report or list result as Arrow record
//! batches, for the bindings to hand out through Arrow's C stream interface
//! (Python) or as an IPC stream (Node).
//!
//! Nothing here is per endpoint. A method's result is tabular when its model
//! has exactly one field that is a list of a model (`PaymentReport::rows`,
//! `TransactionPage::transactions`; the spec's `MethodSpec::rows`); the schema
//! comes from that row model's spec, each column from its field's kind:
//!
//! | spec kind | Arrow type |
//! |---|---|
//! | money | `decimal128(18, 2)` |
//! | ratio | `decimal128(18, 8)` |
//! | datetime | `timestamp[us, tz=Europe/Istanbul]` |
//! | date | `date32` |
//! | integer | `int64` |
//! | bool | `bool` |
//! | text, `#[spec(dictionary)]` text, an enum | `utf8`, `dictionary<int32, utf8>` |
//!
//! The rows are filled from the typed result by its own `Serialize` (the
//! path every binding already takes), so a column always holds what the
//! typed rows hold; no value ever passes through a float. A money or ratio
//! value with more decimals than its column keeps is refused, never rounded.

use std::fmt::{self, Display, Write as _};
use std::sync::{Arc, OnceLock};

use arrow_array::builder::{
    ArrayBuilder, BooleanBuilder, Date32Builder, Decimal128Builder, Int64Builder, StringBuilder, StringDictionaryBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, RecordBatch, RecordBatchIterator, RecordBatchReader};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use chrono::{DateTime, NaiveDate};
use serde::ser::{self, Impossible, Serialize, Serializer};

use crate::error::Error;
use crate::spec::{DecimalKind, FieldSpec, StructSpec, TypeSpec};

/// Money columns: up to 16 digits before the point, 2 after.
pub const MONEY_TYPE: DataType = DataType::Decimal128(18, 2);
/// Ratio columns (`0.0199`, `2.49`): 8 decimals keep any rate Paynet prints.
pub const RATIO_TYPE: DataType = DataType::Decimal128(18, 8);
/// Paynet's clock: timestamps are instants, shown in Istanbul time.
pub const TIMEZONE: &str = "Europe/Istanbul";

/// Where a tabular method's rows are, and their columns.
#[derive(Debug)]
pub struct Shape {
    /// The result model, by its spec name (`PaymentReport`).
    pub result_model: &'static str,
    /// The result model's list field (`rows`, `transactions`).
    pub rows_field: &'static str,
    /// The row model, by its spec name.
    pub row_model: &'static str,
    pub schema: SchemaRef,
    /// Per row-model field, in declaration order: its column, if it has one.
    columns: Vec<Option<ColumnType>>,
    names: Vec<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum ColumnType {
    Text,
    Dictionary,
    Bool,
    Int,
    Decimal { scale: u32 },
    Timestamp,
    Date,
}

impl ColumnType {
    fn of(field: &FieldSpec) -> Option<ColumnType> {
        Some(match field.ty.innermost() {
            TypeSpec::String { .. } if field.dictionary => ColumnType::Dictionary,
            TypeSpec::String { .. } => ColumnType::Text,
            TypeSpec::Enum { .. } => ColumnType::Dictionary,
            TypeSpec::Bool => ColumnType::Bool,
            TypeSpec::Integer { .. } => ColumnType::Int,
            TypeSpec::Decimal { kind: DecimalKind::Money } => ColumnType::Decimal { scale: 2 },
            TypeSpec::Decimal { kind: DecimalKind::Ratio } => ColumnType::Decimal { scale: 8 },
            TypeSpec::DateTime => ColumnType::Timestamp,
            TypeSpec::Date => ColumnType::Date,
            // Nested values (none in today's row models) have no column.
            TypeSpec::Money | TypeSpec::File | TypeSpec::Optional { .. } | TypeSpec::List { .. } | TypeSpec::Struct { .. } => return None,
        })
    }

    fn data_type(self) -> DataType {
        match self {
            ColumnType::Text => DataType::Utf8,
            ColumnType::Dictionary => DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            ColumnType::Bool => DataType::Boolean,
            ColumnType::Int => DataType::Int64,
            ColumnType::Decimal { scale: 2 } => MONEY_TYPE,
            ColumnType::Decimal { .. } => RATIO_TYPE,
            ColumnType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, Some(TIMEZONE.into())),
            ColumnType::Date => DataType::Date32,
        }
    }
}

impl Shape {
    fn new(result: &StructSpec, rows_field: &'static str, row: &StructSpec) -> Shape {
        let columns: Vec<Option<ColumnType>> = row.fields.iter().map(ColumnType::of).collect();
        let fields: Vec<Field> = row
            .fields
            .iter()
            .zip(&columns)
            .filter_map(|(f, c)| c.map(|c| Field::new(f.name, c.data_type(), !f.required || matches!(f.ty, TypeSpec::Optional { .. }))))
            .collect();
        let metadata = [("paynet.model".to_owned(), row.name.to_owned()), ("paynet.result".to_owned(), result.name.to_owned())];
        Shape {
            result_model: result.name,
            rows_field,
            row_model: row.name,
            schema: Arc::new(Schema::new_with_metadata(fields, metadata.into_iter().collect::<std::collections::HashMap<_, _>>())),
            columns,
            names: row.fields.iter().map(|f| f.name).collect(),
        }
    }
}

/// The shape of `method`'s result, if it is tabular. Computed from the spec
/// once per process.
pub fn shape(method: &str) -> Option<&'static Shape> {
    static SHAPES: OnceLock<Vec<(&'static str, Option<Shape>)>> = OnceLock::new();
    let shapes = SHAPES.get_or_init(|| {
        let spec = crate::spec::spec();
        let model = |name: &str| spec.structs.iter().find(|s| s.name == name);
        spec.methods
            .iter()
            .map(|m| {
                let shape = match (&m.result, m.rows) {
                    (TypeSpec::Struct { name }, Some(rows_field)) => model(name).and_then(|result| {
                        let row = result.fields.iter().find(|f| f.name == rows_field)?;
                        let TypeSpec::List { of } = &row.ty else { return None };
                        let TypeSpec::Struct { name: row } = of.as_ref() else { return None };
                        Some(Shape::new(result, rows_field, model(row)?))
                    }),
                    _ => None,
                };
                (m.name, shape)
            })
            .collect()
    });
    shapes.iter().find(|(name, _)| *name == method).and_then(|(_, shape)| shape.as_ref())
}

/// A tabular result's rows as record batches (`Table::build`: a batch per
/// `BATCH_ROWS` rows of each result given, at least one per result).
#[derive(Debug, Clone)]
pub struct Table {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
}

impl Table {
    /// `results` (each a result of `method`, such as core's `Output`) as one
    /// table: a batch per `BATCH_ROWS` rows of each, in order. A long result's
    /// batches are built on up to `MAX_WORKERS` threads at once.
    pub fn build<T: Serialize + Sync + ?Sized>(method: &str, results: &[&T]) -> Result<Table, Error> {
        let shape = shape(method).ok_or_else(|| Error::invalid("method", format!("`{method}` returns no rows to make a table of")))?;
        let mut batches = Vec::new();
        for result in results {
            let mut rows = 0_usize;
            each_row(method, *result, &mut |_| {
                rows += 1;
                Ok(())
            })?;
            let parts = rows.div_ceil(BATCH_ROWS).max(1);
            let workers = std::thread::available_parallelism().map_or(1, usize::from).min(MAX_WORKERS).min(parts);
            if workers == 1 {
                batches.extend(parts_of(shape, *result, 0, 1)?);
                continue;
            }
            let built: Vec<Result<Vec<RecordBatch>, Error>> = std::thread::scope(|scope| {
                let work = move |worker| parts_of(shape, *result, worker, workers);
                // A worker whose thread cannot be made does its part here.
                let handles: Vec<_> = (0..workers).map(|worker| std::thread::Builder::new().spawn_scoped(scope, move || work(worker)).map_err(|_| worker)).collect();
                handles
                    .into_iter()
                    .map(|h| match h {
                        Ok(h) => h.join().unwrap_or_else(|_| Err(Error::internal("a thread building the table panicked"))),
                        Err(worker) => work(worker),
                    })
                    .collect()
            });
            let mut per_worker = built.into_iter().map(|b| b.map(Vec::into_iter)).collect::<Result<Vec<_>, _>>()?;
            for part in 0..parts {
                batches.extend(per_worker[part % workers].next());
            }
            debug_assert!(per_worker.iter_mut().all(|rest| rest.next().is_none()), "every worker's batches are placed");
        }
        Ok(Table { schema: shape.schema.clone(), batches })
    }

    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// The batches as a reader (what Arrow's C stream interface exports).
    pub fn reader(&self) -> Box<dyn RecordBatchReader + Send> {
        Box::new(RecordBatchIterator::new(self.batches.clone().into_iter().map(Ok), self.schema.clone()))
    }

    /// The table as an Arrow IPC stream (what `apache-arrow`'s `tableFromIPC` reads).
    pub fn to_ipc(&self) -> Result<Vec<u8>, Error> {
        let fail = |e: arrow_schema::ArrowError| Error::internal(format!("could not write the table: {e}"));
        let mut out = Vec::new();
        let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut out, &self.schema).map_err(fail)?;
        for batch in &self.batches {
            writer.write(batch).map_err(fail)?;
        }
        writer.finish().map_err(fail)?;
        drop(writer);
        Ok(out)
    }
}

/// Rows per record batch.
const BATCH_ROWS: usize = 16_384;

/// Threads a long result's batches are built on.
const MAX_WORKERS: usize = 4;

/// The batches of `result` that are `worker`'s, of `workers` (the part
/// `p` of `BATCH_ROWS` rows is worker `p % workers`'s), in order; at least
/// one (empty) batch for worker 0 of a result without rows.
fn parts_of<T: Serialize + ?Sized>(shape: &'static Shape, result: &T, worker: usize, workers: usize) -> Result<Vec<RecordBatch>, Error> {
    let mut done = Vec::new();
    let mut columns = (worker == 0).then(|| Columns::new(shape));
    let mut index = 0;
    let mut each = |row: &dyn erased_serde::Serialize| {
        let part = index / BATCH_ROWS;
        index += 1;
        if part % workers != worker {
            return Ok(());
        }
        if index == part * BATCH_ROWS + 1 {
            done.extend(columns.replace(Columns::new(shape)).filter(|c| c.rows > 0));
        }
        let columns = columns.as_mut().expect("a batch is open");
        Serialize::serialize(row, Row { columns: &mut *columns, next: 0 })?;
        columns.end_row();
        Ok(())
    };
    result
        .serialize(Top { rows_field: shape.rows_field, each: &mut each })
        .map_err(|e| Error::internal(format!("could not build the table: {e}")))?;
    done.extend(columns);
    done.into_iter().map(Columns::finish).collect()
}

/// One batch being built: a builder per column.
struct Columns {
    shape: &'static Shape,
    builders: Vec<Option<Column>>,
    rows: usize,
    /// Scratch text for values serialized with `collect_str`.
    buf: String,
}

enum Column {
    Text(StringBuilder),
    Dictionary(StringDictionaryBuilder<Int32Type>),
    Bool(BooleanBuilder),
    Int(Int64Builder),
    Decimal(Decimal128Builder, u32),
    Timestamp(TimestampMicrosecondBuilder),
    Date(Date32Builder),
}

impl Column {
    fn new(ty: ColumnType) -> Column {
        match ty {
            ColumnType::Text => Column::Text(StringBuilder::new()),
            ColumnType::Dictionary => Column::Dictionary(StringDictionaryBuilder::new()),
            ColumnType::Bool => Column::Bool(BooleanBuilder::new()),
            ColumnType::Int => Column::Int(Int64Builder::new()),
            ColumnType::Decimal { scale } => {
                let DataType::Decimal128(precision, s) = ty.data_type() else { unreachable!("a decimal column") };
                Column::Decimal(Decimal128Builder::new().with_precision_and_scale(precision, s).expect("a valid decimal type"), scale)
            }
            ColumnType::Timestamp => Column::Timestamp(TimestampMicrosecondBuilder::new().with_timezone(TIMEZONE)),
            ColumnType::Date => Column::Date(Date32Builder::new()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Column::Text(b) => b.len(),
            Column::Dictionary(b) => b.len(),
            Column::Bool(b) => b.len(),
            Column::Int(b) => b.len(),
            Column::Decimal(b, _) => b.len(),
            Column::Timestamp(b) => b.len(),
            Column::Date(b) => b.len(),
        }
    }

    fn null(&mut self) {
        match self {
            Column::Text(b) => b.append_null(),
            Column::Dictionary(b) => b.append_null(),
            Column::Bool(b) => b.append_null(),
            Column::Int(b) => b.append_null(),
            Column::Decimal(b, _) => b.append_null(),
            Column::Timestamp(b) => b.append_null(),
            Column::Date(b) => b.append_null(),
        }
    }

    fn text(&mut self, s: &str) -> Result<(), Fail> {
        match self {
            Column::Text(b) => b.append_value(s),
            Column::Dictionary(b) => {
                b.append(s).map_err(|e| Fail(e.to_string()))?;
            }
            Column::Decimal(b, scale) => b.append_value(scaled(s, *scale)?),
            Column::Timestamp(b) => {
                let at = DateTime::parse_from_rfc3339(s).map_err(|_| Fail(format!("not a timestamp: {s:?}")))?;
                b.append_value(at.timestamp_micros());
            }
            Column::Date(b) => {
                let day = s.parse::<NaiveDate>().map_err(|_| Fail(format!("not a date: {s:?}")))?;
                b.append_value(days_since_epoch(day));
            }
            Column::Bool(_) | Column::Int(_) => return Err(Fail(format!("text {s:?} in a column of another kind"))),
        }
        Ok(())
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Column::Text(b) => Arc::new(b.finish()),
            Column::Dictionary(b) => Arc::new(b.finish()),
            Column::Bool(b) => Arc::new(b.finish()),
            Column::Int(b) => Arc::new(b.finish()),
            Column::Decimal(b, _) => Arc::new(b.finish()),
            Column::Timestamp(b) => Arc::new(b.finish()),
            Column::Date(b) => Arc::new(b.finish()),
        }
    }
}

/// Days since 1970-01-01, Arrow's `date32`.
fn days_since_epoch(day: NaiveDate) -> i32 {
    const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");
    (day - EPOCH).num_days() as i32
}

/// `12.50` → 1250 at scale 2: exact, or refused (more decimals than the
/// column keeps, more than 18 digits, not a plain decimal).
fn scaled(text: &str, scale: u32) -> Result<i128, Fail> {
    let refuse = || Fail(format!("{text:?} does not fit a decimal with {scale} places"));
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let kept = fraction.len().min(scale as usize);
    if whole.is_empty() || !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) || fraction[kept..].bytes().any(|b| b != b'0') {
        return Err(refuse());
    }
    let mut value: i128 = 0;
    for b in whole.bytes().chain(fraction[..kept].bytes()) {
        value = value * 10 + i128::from(b - b'0');
    }
    value *= 10_i128.pow(scale - kept as u32);
    if value >= 10_i128.pow(18) {
        return Err(refuse());
    }
    Ok(if negative { -value } else { value })
}

impl Columns {
    fn new(shape: &'static Shape) -> Columns {
        Columns { shape, builders: shape.columns.iter().map(|c| c.map(Column::new)).collect(), rows: 0, buf: String::new() }
    }

    /// A field the row did not serialize is null in its column.
    fn end_row(&mut self) {
        self.rows += 1;
        for column in self.builders.iter_mut().flatten() {
            if column.len() < self.rows {
                column.null();
            }
        }
    }

    fn finish(mut self) -> Result<RecordBatch, Error> {
        let arrays: Vec<ArrayRef> = self.builders.iter_mut().flatten().map(Column::finish).collect();
        RecordBatch::try_new(self.shape.schema.clone(), arrays).map_err(|e| Error::internal(format!("could not build the table: {e}")))
    }
}

/// Why a value could not go into its column: a bug, or a value the column cannot hold exactly.
#[derive(Debug)]
struct Fail(String);

impl Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Fail {}
impl ser::Error for Fail {
    fn custom<T: Display>(msg: T) -> Self {
        Fail(msg.to_string())
    }
}

fn unexpected<T>(what: &str) -> Result<T, Fail> {
    Err(Fail(format!("unexpected {what} in a tabular result")))
}

/// Serializers that accept only one shape of value; everything else fails.
macro_rules! refuse {
    ($($method:ident($($ty:ty),*);)*) => {
        $(fn $method(self, $(_: $ty),*) -> Result<Self::Ok, Fail> {
            unexpected(stringify!($method))
        })*
    };
}

macro_rules! refuse_compounds {
    () => {
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Fail> {
            unexpected("tuple")
        }
        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Fail> {
            unexpected("tuple struct")
        }
        fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeTupleVariant, Fail> {
            unexpected("tuple variant")
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Fail> {
            unexpected("map")
        }
        fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeStructVariant, Fail> {
            unexpected("struct variant")
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, _: &'static str, _: &T) -> Result<Self::Ok, Fail> {
            unexpected("newtype variant")
        }
    };
}

/// A serializer of one struct, reached through `Option`s and newtypes: every
/// other value is refused. `$open` turns it into the struct's serializer.
macro_rules! struct_serializer {
    ($ty:ident => $fields:ident, $list:literal, |$this:ident, $name:ident| $open:expr) => {
        impl<'c> Serializer for $ty<'c> {
            type Ok = ();
            type Error = Fail;
            type SerializeSeq = Impossible<(), Fail>;
            type SerializeTuple = Impossible<(), Fail>;
            type SerializeTupleStruct = Impossible<(), Fail>;
            type SerializeTupleVariant = Impossible<(), Fail>;
            type SerializeMap = Impossible<(), Fail>;
            type SerializeStruct = $fields<'c>;
            type SerializeStructVariant = Impossible<(), Fail>;

            refuse! {
                serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32); serialize_i64(i64);
                serialize_u8(u8); serialize_u16(u16); serialize_u32(u32); serialize_u64(u64);
                serialize_f32(f32); serialize_f64(f64); serialize_char(char); serialize_str(&str); serialize_bytes(&[u8]);
                serialize_none(); serialize_unit(); serialize_unit_struct(&'static str);
                serialize_unit_variant(&'static str, u32, &'static str);
            }
            refuse_compounds!();

            fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Fail> {
                value.serialize(self)
            }
            fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Fail> {
                value.serialize(self)
            }
            fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Fail> {
                unexpected($list)
            }
            fn serialize_struct(self, $name: &'static str, _: usize) -> Result<$fields<'c>, Fail> {
                let $this = self;
                $open
            }
        }
    };
}

/// What each row goes to, in order.
type EachRow<'c> = &'c mut dyn FnMut(&dyn erased_serde::Serialize) -> Result<(), Fail>;

/// Every row of `result` (a result of `method`, a tabular one) to `each`, in
/// order: how a binding reads the rows without knowing the result model.
pub fn each_row<T: Serialize + ?Sized>(
    method: &str,
    result: &T,
    each: &mut dyn FnMut(&dyn erased_serde::Serialize) -> Result<(), String>,
) -> Result<(), Error> {
    let shape = shape(method).ok_or_else(|| Error::invalid("method", format!("`{method}` returns no rows")))?;
    result
        .serialize(Top { rows_field: shape.rows_field, each: &mut |row| each(row).map_err(Fail) })
        .map_err(|e| Error::internal(format!("could not read the rows: {e}")))
}

/// The result model: its rows field is read, the rest skipped.
struct Top<'c> {
    rows_field: &'static str,
    each: EachRow<'c>,
}

struct_serializer!(Top => Top, "list", |top, _name| Ok(top));

impl ser::SerializeStruct for Top<'_> {
    type Ok = ();
    type Error = Fail;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Fail> {
        if key == self.rows_field {
            value.serialize(Rows { each: &mut *self.each })?;
        }
        Ok(())
    }
    fn end(self) -> Result<(), Fail> {
        Ok(())
    }
}

/// The list of rows.
struct Rows<'c> {
    each: EachRow<'c>,
}

impl<'c> Serializer for Rows<'c> {
    type Ok = ();
    type Error = Fail;
    type SerializeSeq = Rows<'c>;
    type SerializeTuple = Impossible<(), Fail>;
    type SerializeTupleStruct = Impossible<(), Fail>;
    type SerializeTupleVariant = Impossible<(), Fail>;
    type SerializeMap = Impossible<(), Fail>;
    type SerializeStruct = Impossible<(), Fail>;
    type SerializeStructVariant = Impossible<(), Fail>;

    refuse! {
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32); serialize_i64(i64);
        serialize_u8(u8); serialize_u16(u16); serialize_u32(u32); serialize_u64(u64);
        serialize_f32(f32); serialize_f64(f64); serialize_char(char); serialize_str(&str); serialize_bytes(&[u8]);
        serialize_unit(); serialize_unit_struct(&'static str);
        serialize_unit_variant(&'static str, u32, &'static str);
    }
    refuse_compounds!();

    fn serialize_none(self) -> Result<(), Fail> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Fail> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Fail> {
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Rows<'c>, Fail> {
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Fail> {
        unexpected("struct where the rows should be")
    }
}

/// A row as the `Sized` value `erased_serde` hands on.
struct Element<'a, T: ?Sized>(&'a T);

impl<T: Serialize + ?Sized> Serialize for Element<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl ser::SerializeSeq for Rows<'_> {
    type Ok = ();
    type Error = Fail;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, row: &T) -> Result<(), Fail> {
        (self.each)(&Element(row))
    }
    fn end(self) -> Result<(), Fail> {
        Ok(())
    }
}

/// One row model: each field into its column.
struct Row<'c> {
    columns: &'c mut Columns,
    /// The field expected next (fields come in declaration order).
    next: usize,
}

struct_serializer!(Row => Row, "list in a row", |row, name| {
    if name != row.columns.shape.row_model {
        return Err(Fail(format!("a {name} where {} rows should be", row.columns.shape.row_model)));
    }
    Ok(row)
});

impl ser::SerializeStruct for Row<'_> {
    type Ok = ();
    type Error = Fail;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Fail> {
        let names = &self.columns.shape.names;
        let index = if names.get(self.next) == Some(&key) {
            self.next
        } else {
            names.iter().position(|n| *n == key).ok_or_else(|| Fail(format!("a field `{key}` the spec does not list")))?
        };
        self.next = index + 1;
        let columns = &mut *self.columns;
        if let Some(column) = &mut columns.builders[index] {
            value.serialize(Cell { column, buf: &mut columns.buf })?;
        }
        Ok(())
    }
    fn end(self) -> Result<(), Fail> {
        Ok(())
    }
}

/// One value into its column.
struct Cell<'c> {
    column: &'c mut Column,
    buf: &'c mut String,
}

/// serde_json's private name for an arbitrary-precision number (how a
/// `Decimal` may serialize): its one field is the number's text.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

impl<'c> Serializer for Cell<'c> {
    type Ok = ();
    type Error = Fail;
    type SerializeSeq = Impossible<(), Fail>;
    type SerializeTuple = Impossible<(), Fail>;
    type SerializeTupleStruct = Impossible<(), Fail>;
    type SerializeTupleVariant = Impossible<(), Fail>;
    type SerializeMap = Impossible<(), Fail>;
    type SerializeStruct = Cell<'c>;
    type SerializeStructVariant = Impossible<(), Fail>;

    refuse! {
        serialize_f32(f32); serialize_f64(f64); serialize_bytes(&[u8]); serialize_unit_struct(&'static str);
    }
    refuse_compounds!();

    fn serialize_bool(self, v: bool) -> Result<(), Fail> {
        match self.column {
            Column::Bool(b) => {
                b.append_value(v);
                Ok(())
            }
            _ => unexpected("bool in a column of another kind"),
        }
    }
    fn serialize_i8(self, v: i8) -> Result<(), Fail> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Fail> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Fail> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Fail> {
        match self.column {
            Column::Int(b) => {
                b.append_value(v);
                Ok(())
            }
            _ => unexpected("integer in a column of another kind"),
        }
    }
    fn serialize_u8(self, v: u8) -> Result<(), Fail> {
        self.serialize_i64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Fail> {
        self.serialize_i64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Fail> {
        self.serialize_i64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Fail> {
        self.serialize_i64(i64::try_from(v).map_err(|_| Fail(format!("{v} does not fit int64")))?)
    }
    fn serialize_char(self, v: char) -> Result<(), Fail> {
        self.column.text(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Fail> {
        self.column.text(v)
    }
    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<(), Fail> {
        self.buf.clear();
        let _ = write!(self.buf, "{value}");
        self.column.text(self.buf)
    }
    fn serialize_none(self) -> Result<(), Fail> {
        self.column.null();
        Ok(())
    }
    fn serialize_unit(self) -> Result<(), Fail> {
        self.serialize_none()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Fail> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Fail> {
        value.serialize(self)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Fail> {
        self.column.text(variant)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Fail> {
        unexpected("list in a row field")
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Cell<'c>, Fail> {
        if name == NUMBER_TOKEN { Ok(self) } else { unexpected("struct in a row field") }
    }
}

impl ser::SerializeStruct for Cell<'_> {
    type Ok = ();
    type Error = Fail;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, _: &'static str, value: &T) -> Result<(), Fail> {
        value.serialize(Cell { column: &mut *self.column, buf: &mut *self.buf })
    }
    fn end(self) -> Result<(), Fail> {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
