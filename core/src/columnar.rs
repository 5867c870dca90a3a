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
//! The rows are filled from the typed result's cells (`crate::cells`, what
//! every binding reads the rows by), so a column always holds what the
//! typed rows hold; no value ever passes through a float. A call that asks
//! for the table alone (`RequestOptions::columns`, Node's `paymentListArrow`)
//! has its rows read straight into columns as they arrive (`AnswerColumns`):
//! each row's cells come from `FromAnswer::answer_cells`, which the derive
//! makes of the very reads `from_answer` makes, text lent by the answer
//! instead of copied into a `String`; the typed rows are never made. A money or ratio
//! value with more decimals than its column keeps is refused, never rounded.

use std::sync::{Arc, OnceLock};

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Decimal128Builder, Int64Builder, StringBuilder, StringDictionaryBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, RecordBatch, RecordBatchIterator, RecordBatchReader};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::cells::{Cell, Cells, RowList};
use crate::error::Error;
use crate::spec::{DecimalKind, FieldSpec, StructSpec, TypeSpec};
use crate::wire::{Fields, FromAnswer, Reader};

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

    /// The row model's field names, in declaration order (the order of its cells).
    pub fn field_names(&self) -> &[&'static str] {
        &self.names
    }

    /// Whether the row model's field `index` holds a timestamp.
    pub fn is_datetime(&self, index: usize) -> bool {
        self.columns.get(index) == Some(&Some(ColumnType::Timestamp))
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

/// The row models of every tabular method.
#[cfg(test)]
pub(crate) fn tabular_row_models() -> impl Iterator<Item = &'static str> {
    crate::METHODS.iter().filter_map(|m| shape(m)).map(|s| s.row_model)
}

/// A tabular result's rows as record batches (`Table::build`: a batch per
/// `BATCH_ROWS` rows of each result given, at least one per result; a
/// result read straight into columns brings its own, `Cells::table`).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
}

impl Table {
    /// The rows of `results` (each a result of `method`) as one table: a
    /// batch per `BATCH_ROWS` rows of each, in order. A long result's batches
    /// are built on up to `MAX_WORKERS` threads at once.
    pub fn build(method: &str, results: &[&dyn Cells]) -> Result<Table, Error> {
        let shape = tabular(method)?;
        let mut batches = Vec::new();
        each_batch(shape, results, BATCH_ROWS, |batch| {
            batches.push(batch);
            Ok(())
        })?;
        Ok(Table { schema: shape.schema.clone(), batches })
    }

    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// The batches as a reader (what Arrow's C stream interface exports).
    pub fn reader(&self) -> Box<dyn RecordBatchReader + Send> {
        Box::new(RecordBatchIterator::new(self.batches.clone().into_iter().map(Ok), self.schema.clone()))
    }
}

/// The schema of `method`'s table as an Arrow IPC stream without batches:
/// how a binding that lends the batches' buffers to its host (Node) gives
/// their types, names and metadata.
pub fn ipc_schema(method: &str) -> Result<Vec<u8>, Error> {
    let shape = tabular(method)?;
    let fail = |e: arrow_schema::ArrowError| Error::internal(format!("could not write the schema: {e}"));
    let mut out = Vec::new();
    let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut out, &shape.schema).map_err(fail)?;
    writer.finish().map_err(fail)?;
    drop(writer);
    Ok(out)
}

fn tabular(method: &str) -> Result<&'static Shape, Error> {
    shape(method).ok_or_else(|| Error::invalid("method", format!("`{method}` returns no rows to make a table of")))
}

/// The rows of `result`, a result of the method `shape` is of.
pub fn rows_of<'a>(shape: &Shape, result: &'a dyn Cells) -> Result<&'a dyn RowList, Error> {
    result
        .rows(shape.rows_field)
        .ok_or_else(|| Error::internal(format!("a {} result without its list `{}`", shape.result_model, shape.rows_field)))
}

/// Rows per record batch of a `Table`.
const BATCH_ROWS: usize = 16_384;

/// Bytes a text cell is expected to take (a report's texts are codes,
/// names and masked card numbers): a text column's first reservation.
const TEXT_BYTES: usize = 16;

/// Distinct values a dictionary column is expected to have (banks, card types).
const DICTIONARY_VALUES: usize = 16;

/// Threads a long result's batches are built on.
const MAX_WORKERS: usize = 4;

/// Each batch of `batch_rows` rows of each result to `sink`, in order (one
/// empty batch for a result without rows). A long result's batches are
/// built on up to `MAX_WORKERS` threads, each at most one batch ahead of
/// `sink`: the part `p` is worker `p % workers`'s.
fn each_batch(
    shape: &'static Shape,
    results: &[&dyn Cells],
    batch_rows: usize,
    mut sink: impl FnMut(RecordBatch) -> Result<(), Error>,
) -> Result<(), Error> {
    for result in results {
        if let Some(table) = result.table() {
            // Read straight into columns while the answer arrived.
            table.batches.iter().try_for_each(|batch| sink(batch.clone()))?;
            continue;
        }
        let rows = rows_of(shape, *result)?;
        let parts = rows.len().div_ceil(batch_rows).max(1);
        let build = move |part: usize| rows.batch(shape, part * batch_rows..((part + 1) * batch_rows).min(rows.len()));
        let workers = std::thread::available_parallelism().map_or(1, usize::from).min(MAX_WORKERS).min(parts);
        if workers == 1 {
            (0..parts).try_for_each(|part| sink(build(part)?))?;
            continue;
        }
        std::thread::scope(|scope| {
            // A worker whose thread cannot be made has its parts built here.
            let started: Vec<_> = (0..workers)
                .map(|worker| {
                    let (built, queue) = std::sync::mpsc::sync_channel(1);
                    std::thread::Builder::new()
                        .spawn_scoped(scope, move || {
                            for part in (worker..parts).step_by(workers) {
                                let batch = build(part);
                                let failed = batch.is_err();
                                if built.send(batch).is_err() || failed {
                                    return;
                                }
                            }
                        })
                        .ok()
                        .map(|thread| (queue, thread))
                })
                .collect();
            let written = (0..parts).try_for_each(|part| {
                let batch = match &started[part % workers] {
                    Some((queue, _)) => queue.recv().unwrap_or_else(|_| Err(Error::internal("a thread building the table panicked"))),
                    None => build(part),
                };
                sink(batch?)
            });
            // Each queue goes before its thread is joined: a worker still
            // sending (the writing failed) then stops instead of waiting.
            for (queue, thread) in started.into_iter().flatten() {
                drop(queue);
                // A panic is already an error above: the batch never came.
                let _ = thread.join();
            }
            written
        })?;
    }
    Ok(())
}

/// The batch of all of `rows`.
pub(crate) fn batch_of(shape: &'static Shape, rows: &dyn RowList) -> Result<RecordBatch, Error> {
    rows.batch(shape, 0..rows.len())
}

/// The batch of `rows` (`RowList::batch`).
pub(crate) fn batch_of_rows<T: Cells>(shape: &'static Shape, rows: &[T]) -> Result<RecordBatch, Error> {
    let mut columns = Columns::new(shape, rows.len());
    for row in rows {
        columns.push(row).map_err(|Fail(why)| Error::internal(format!("could not build the table: {why}")))?;
    }
    columns.finish()
}

/// One batch being built: a builder per column.
struct Columns {
    shape: &'static Shape,
    builders: Vec<Option<Column>>,
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
    /// A column for `rows` rows: sized once, its values are never moved
    /// by its growing.
    fn new(ty: ColumnType, rows: usize) -> Column {
        match ty {
            ColumnType::Text => Column::Text(StringBuilder::with_capacity(rows, rows * TEXT_BYTES)),
            ColumnType::Dictionary => Column::Dictionary(StringDictionaryBuilder::with_capacity(rows, DICTIONARY_VALUES, DICTIONARY_VALUES * TEXT_BYTES)),
            ColumnType::Bool => Column::Bool(BooleanBuilder::with_capacity(rows)),
            ColumnType::Int => Column::Int(Int64Builder::with_capacity(rows)),
            ColumnType::Decimal { scale } => {
                let DataType::Decimal128(precision, s) = ty.data_type() else { unreachable!("a decimal column") };
                Column::Decimal(Decimal128Builder::with_capacity(rows).with_precision_and_scale(precision, s).expect("a valid decimal type"), scale)
            }
            ColumnType::Timestamp => Column::Timestamp(TimestampMicrosecondBuilder::with_capacity(rows).with_timezone(TIMEZONE)),
            ColumnType::Date => Column::Date(Date32Builder::with_capacity(rows)),
        }
    }

    fn push(&mut self, cell: Cell<'_>) -> Result<(), Fail> {
        match (self, cell) {
            (Column::Text(b), Cell::Null) => b.append_null(),
            (Column::Dictionary(b), Cell::Null) => b.append_null(),
            (Column::Bool(b), Cell::Null) => b.append_null(),
            (Column::Int(b), Cell::Null) => b.append_null(),
            (Column::Decimal(b, _), Cell::Null) => b.append_null(),
            (Column::Timestamp(b), Cell::Null) => b.append_null(),
            (Column::Date(b), Cell::Null) => b.append_null(),
            (Column::Text(b), Cell::Text(s)) => b.append_value(s),
            (Column::Dictionary(b), Cell::Text(s)) => {
                b.append(s).map_err(|e| Fail(e.to_string()))?;
            }
            (Column::Bool(b), Cell::Bool(v)) => b.append_value(v),
            (Column::Int(b), Cell::Int(v)) => b.append_value(v),
            (Column::Decimal(b, scale), Cell::Money(d) | Cell::Ratio(d)) => b.append_value(scaled(&d, *scale)?),
            (Column::Timestamp(b), Cell::DateTime(at)) => b.append_value(at.timestamp_micros()),
            (Column::Date(b), Cell::Date(day)) => b.append_value(days_since_epoch(day)),
            (_, cell) => return Err(Fail(format!("a {} value in a column of another kind", cell_kind(cell)))),
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

fn cell_kind(cell: Cell<'_>) -> &'static str {
    match cell {
        Cell::Null => "null",
        Cell::Text(_) => "text",
        Cell::Int(_) => "integer",
        Cell::Bool(_) => "bool",
        Cell::Money(_) => "money",
        Cell::Ratio(_) => "ratio",
        Cell::DateTime(_) => "datetime",
        Cell::Date(_) => "date",
        Cell::Nested(_) => "nested",
    }
}

/// Days since 1970-01-01, Arrow's `date32`.
fn days_since_epoch(day: NaiveDate) -> i32 {
    const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");
    (day - EPOCH).num_days() as i32
}

/// `12.5` → 1250 at scale 2: exact, or refused (more decimals than the
/// column keeps, 18 digits or more).
fn scaled(value: &Decimal, scale: u32) -> Result<i128, Fail> {
    let refuse = || Fail(format!("{value} does not fit a decimal with {scale} places"));
    let (mantissa, places) = (value.mantissa(), value.scale());
    // No `normalize` (a division per trailing zero): only zeros past the
    // column's places are divided away, and most values have none.
    let scaled = if places <= scale {
        mantissa.checked_mul(10_i128.pow(scale - places))
    } else {
        let extra = 10_i128.pow(places - scale);
        (mantissa % extra == 0).then(|| mantissa / extra)
    }
    .ok_or_else(refuse)?;
    if scaled.abs() >= 10_i128.pow(18) {
        return Err(refuse());
    }
    Ok(scaled)
}

impl Columns {
    fn new(shape: &'static Shape, rows: usize) -> Columns {
        Columns { shape, builders: shape.columns.iter().map(|c| c.map(|ty| Column::new(ty, rows))).collect() }
    }

    /// Each cell of `row` into its field's column (a nested value has none).
    fn push<T: Cells>(&mut self, row: &T) -> Result<(), Fail> {
        let (shape, builders) = (self.shape, &mut self.builders);
        let (mut cells, mut failed) = (0, None);
        row.for_each_cell(&mut |cell| {
            if failed.is_none()
                && let Some(Some(column)) = builders.get_mut(cells)
                && let Err(e) = column.push(cell)
            {
                failed = Some(Fail(format!("`{}`: {}", shape.names[cells], e.0)));
            }
            cells += 1;
        });
        if let Some(fail) = failed {
            return Err(fail);
        }
        if cells != builders.len() {
            return Err(Fail(format!("a row of {cells} fields where {} has {}", shape.row_model, builders.len())));
        }
        Ok(())
    }

    fn finish(mut self) -> Result<RecordBatch, Error> {
        let arrays: Vec<ArrayRef> = self.builders.iter_mut().flatten().map(Column::finish).collect();
        RecordBatch::try_new(self.shape.schema.clone(), arrays).map_err(|e| Error::internal(format!("could not build the table: {e}")))
    }
}

/// Why a row did not go into its columns.
#[derive(Debug, PartialEq)]
pub enum Unpushed {
    /// It does not read as its model (`from_answer` fails).
    Unread,
    /// It reads, with a value its column cannot hold (as `Table::build` refuses it).
    Unfit,
}

/// A batch of rows read straight from their answers
/// (`FromAnswer::answer_cells`): the batch `batch_of_rows` builds from the typed
/// rows `from_answer` reads, without making them.
pub struct AnswerColumns(Columns);

impl AnswerColumns {
    /// Columns for about `rows` rows (more still fit).
    pub fn new(shape: &'static Shape, rows: usize) -> AnswerColumns {
        AnswerColumns(Columns::new(shape, rows))
    }

    /// The row of the model `M` that `row` reads as. After an error the
    /// batch is of no use.
    pub fn push<M: FromAnswer, F: Fields + ?Sized>(&mut self, row: &Reader<'_, F>) -> Result<(), Unpushed> {
        let builders = &mut self.0.builders;
        let (mut index, mut unfit) = (0, false);
        // Generic all the way down (no `dyn` per cell, as `Cells::cells`
        // has): each field's read, cell and column are inlined together.
        M::answer_cells(row, &mut |cell| {
            if let Some(Some(column)) = builders.get_mut(index) {
                unfit |= column.push(cell).is_err();
            }
            index += 1;
        })
        .map_err(|_| Unpushed::Unread)?;
        // A row of another width would be a bug; `Table::build` of its typed row says which.
        if unfit || index != builders.len() { Err(Unpushed::Unfit) } else { Ok(()) }
    }

    pub fn finish(self) -> Result<RecordBatch, Error> {
        self.0.finish()
    }
}

/// Why a value could not go into its column: a bug, or a value the column cannot hold exactly.
#[derive(Debug)]
struct Fail(String);

#[cfg(test)]
mod tests;
