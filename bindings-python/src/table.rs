//! `NativeTable`: a tabular result (a report, a list page) kept in Rust
//! until asked for: as its row model's objects (`pyser::rows_to_python`), or as Arrow record
//! batches through the Arrow PyCapsule interface (`__arrow_c_stream__`),
//! which pyarrow, polars and duckdb read without a copy and without paynet
//! depending on any of them.

use std::sync::OnceLock;

use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use paynet_core::arrow_array::ffi::FFI_ArrowSchema;
use paynet_core::arrow_array::ffi_stream::FFI_ArrowArrayStream;
use paynet_core::columnar::{Shape, Table};
use paynet_core::{Error, Output};

use crate::{errors, pyser};

#[pyclass(frozen, module = "paynet._native")]
pub struct NativeTable {
    method: String,
    shape: &'static Shape,
    /// The typed result.
    output: Output,
    /// Built on first use, without the GIL.
    arrow: OnceLock<Table>,
}

impl NativeTable {
    /// `None`: `method` returns no rows to make a table of.
    pub fn new(method: &str, output: Output) -> Option<NativeTable> {
        let shape = paynet_core::columnar::shape(method)?;
        Some(NativeTable { method: method.to_owned(), shape, output, arrow: OnceLock::new() })
    }

    fn arrow(&self, py: Python<'_>) -> PyResult<&Table> {
        if let Some(table) = self.arrow.get() {
            return Ok(table);
        }
        let built = py.detach(|| Table::build(&self.method, &[self.output.cells()]));
        match built {
            Ok(table) => Ok(self.arrow.get_or_init(|| table)),
            Err(e) => Err(errors::to_py(py, &e)),
        }
    }

    fn with_output<'py>(&self, f: impl FnOnce(&Output) -> PyResult<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        f(&self.output)
    }
}

#[pymethods]
impl NativeTable {
    /// The result model's name (`PaymentReport`).
    #[getter]
    fn model(&self) -> &'static str {
        self.shape.result_model
    }

    /// The result model's field that holds the rows (`rows`).
    #[getter]
    fn rows_field(&self) -> &'static str {
        self.shape.rows_field
    }

    #[getter]
    fn num_rows(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.arrow(py)?.num_rows())
    }

    /// The result's fields other than the rows, as a dict of Python values.
    fn envelope<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        errors::guard(py, || self.with_output(|output| pyser::envelope_to_python(py, &**output, self.shape.rows_field)))
    }

    /// The rows as a tuple of the row model's objects.
    fn rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        errors::guard(py, || {
            let rows = paynet_core::columnar::rows_of(self.shape, self.output.cells()).map_err(|e| errors::to_py(py, &e))?;
            pyser::rows_to_python(py, self.shape, rows)
        })
    }

    /// The Arrow PyCapsule interface: the rows as an `ArrowArrayStream`.
    /// `requested_schema` is not used: the columns have one form only.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(&self, py: Python<'py>, requested_schema: Option<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        errors::guard(py, || {
            let stream = FFI_ArrowArrayStream::new(self.arrow(py)?.reader());
            PyCapsule::new_with_value(py, stream, c"arrow_array_stream")
        })
    }

    /// The Arrow PyCapsule interface: the rows' schema.
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        errors::guard(py, || {
            let schema = FFI_ArrowSchema::try_from(self.shape.schema.as_ref())
                .map_err(|e| errors::to_py(py, &Error::internal(format!("could not export the schema: {e}"))))?;
            PyCapsule::new_with_value(py, schema, c"arrow_schema")
        })
    }

    fn __repr__(&self) -> String {
        format!("<NativeTable {} of {}>", self.shape.rows_field, self.method)
    }
}
