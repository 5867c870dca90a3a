'use strict';
// apache-arrow Tables of the record batches core built, their buffers lent by
// the addon (bindings-node/src/arrow_parts.rs): nothing is copied or parsed
// but the schema, which apache-arrow reads from a batchless IPC stream, so
// the types, names, metadata and dictionary ids are its own.

/** The apache-arrow `Table` of `parts` (`NativeTable.arrowParts()`). */
function tableFromParts(arrow, parts) {
  const { schema } = arrow.tableFromIPC(parts.schema);
  const type = new arrow.Struct(schema.fields);
  const batches = parts.batches.map(({ length, columns }) => {
    const children = schema.fields.map((field, i) => dataOf(arrow, field.type, columns[i].data, columns[i].dictionary));
    return new arrow.RecordBatch(schema, arrow.makeData({ type, length, nullCount: 0, children }));
  });
  return new arrow.Table(schema, batches);
}

/** One column's `Data`: its buffers as Arrow lays them out for its type. */
function dataOf(arrow, type, buffers, dictionary) {
  const props = { type, length: buffers.length, nullCount: buffers.nullCount, nullBitmap: buffers.validity ?? undefined, data: buffers.values };
  if (arrow.DataType.isDictionary(type)) {
    props.dictionary = arrow.makeVector(dataOf(arrow, type.dictionary, dictionary));
  } else if (buffers.offsets) {
    props.valueOffsets = buffers.offsets;
  }
  return arrow.makeData(props);
}

module.exports = { tableFromParts };
