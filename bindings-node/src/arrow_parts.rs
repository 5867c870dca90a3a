//! A table's record batches handed to JS without a copy: each column's
//! buffers as `Uint8Array`s over the memory Arrow built them in, each
//! keeping its buffer alive until JS collects it, for `lib/arrow.js` to make
//! apache-arrow's `Data` of. An IPC stream carries the same buffers, but
//! writing one copies the whole table into fresh memory (36 MB for a
//! 100 000-row report, a page fault per 4 KiB) only for JS to read it back.

use arrow_array::{Array, RecordBatch};
use arrow_buffer::Buffer as ArrowBuffer;
use arrow_data::ArrayData;
use napi::bindgen_prelude::{Buffer, Uint8Array};
use napi_derive::napi;
use paynet_core::Error as CoreError;
use paynet_core::columnar::Table;

#[napi(object)]
pub struct ArrowParts {
    /// The schema as an IPC stream without batches: its types, names and metadata.
    pub schema: Buffer,
    pub batches: Vec<ArrowBatch>,
}

#[napi(object)]
pub struct ArrowBatch {
    pub length: u32,
    /// In the schema's order.
    pub columns: Vec<ArrowColumn>,
}

/// One column: its buffers, and for a dictionary column (whose `data` is
/// its keys) the dictionary's values.
#[napi(object)]
pub struct ArrowColumn {
    pub data: ArrowValues,
    pub dictionary: Option<ArrowValues>,
}

/// Buffers as Arrow's layout has them: for text its offsets and bytes.
#[napi(object)]
pub struct ArrowValues {
    pub length: u32,
    pub null_count: u32,
    pub validity: Option<Uint8Array>,
    pub offsets: Option<Uint8Array>,
    pub values: Uint8Array,
}

pub fn parts(schema: Vec<u8>, table: &Table) -> Result<ArrowParts, CoreError> {
    let batches = table.batches.iter().map(batch).collect::<Result<_, _>>()?;
    Ok(ArrowParts { schema: schema.into(), batches })
}

fn batch(batch: &RecordBatch) -> Result<ArrowBatch, CoreError> {
    let columns = batch.columns().iter().map(|column| column_of(&column.to_data())).collect::<Result<_, _>>()?;
    Ok(ArrowBatch { length: count(batch.num_rows())?, columns })
}

fn column_of(data: &ArrayData) -> Result<ArrowColumn, CoreError> {
    let dictionary = match data.child_data() {
        [] => None,
        [dictionary] => Some(values_of(dictionary)?),
        _ => return Err(CoreError::internal("a column of several children cannot be lent to JS")),
    };
    Ok(ArrowColumn { data: values_of(data)?, dictionary })
}

fn values_of(data: &ArrayData) -> Result<ArrowValues, CoreError> {
    // Built by core's builders: never a slice of another array.
    if data.offset() != 0 || data.nulls().is_some_and(|nulls| nulls.offset() != 0) {
        return Err(CoreError::internal("a sliced column cannot be lent to JS"));
    }
    let (offsets, values) = match data.buffers() {
        [values] => (None, values),
        [offsets, values] => (Some(lend(offsets)), values),
        _ => return Err(CoreError::internal("a column of this layout cannot be lent to JS")),
    };
    Ok(ArrowValues {
        length: count(data.len())?,
        null_count: count(data.null_count())?,
        validity: data.nulls().map(|nulls| lend(nulls.buffer())),
        offsets,
        values: lend(values),
    })
}

fn count(n: usize) -> Result<u32, CoreError> {
    u32::try_from(n).map_err(|_| CoreError::internal("a batch too long to lend to JS"))
}

/// `buffer`'s bytes, kept alive for as long as JS holds the view.
fn lend(buffer: &ArrowBuffer) -> Uint8Array {
    if buffer.is_empty() {
        return Uint8Array::new(Vec::new());
    }
    let kept = buffer.clone();
    // SAFETY: the bytes live as long as `kept`, which the finalizer drops
    // when V8 lets go of the view. JS may write through the view, as into
    // any buffer it holds: Rust never reads a lent table again (`…Arrow`
    // drops its result once lent; `toArrow()` builds a new table each call).
    unsafe { Uint8Array::with_external_data(buffer.as_ptr().cast_mut(), buffer.len(), move |_, _| drop(kept)) }
}
