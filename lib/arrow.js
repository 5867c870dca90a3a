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
    const children = schema.fields.map((field, i) => dataOf(arrow, field.type, columns[i]));
    return new arrow.RecordBatch(schema, arrow.makeData({ type, length, nullCount: 0, children }));
  });
  return new arrow.Table(schema, batches);
}

/** One column's `Data`: its buffers as Arrow lays them out for its type. */
function dataOf(arrow, type, column) {
  const props = { type, length: column.length, nullCount: column.nullCount, nullBitmap: column.validity ?? undefined, data: column.values };
  if (arrow.DataType.isDictionary(type)) {
    props.dictionary = arrow.makeVector(dataOf(arrow, type.dictionary, column.dictionary));
  } else if (column.offsets) {
    props.valueOffsets = column.offsets;
  }
  return arrow.makeData(props);
}

module.exports = { tableFromParts };
