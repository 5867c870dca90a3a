//! core `Error` → the matching exception class of `paynet/_errors.py`.
//!
//! The classes live in Python (rich attributes, pickling, stubs for free);
//! Rust only hands over the fields, through one cached factory.

use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

use paynet_core::{Error, ErrorKind};

use crate::pyser;

static FACTORY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static TYPE_ERROR: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `paynet.InvalidRequestError` for a bad value: `field: problem`, `.field` set.
pub fn invalid(py: Python<'_>, field: &str, problem: &str) -> PyErr {
    to_py(py, &Error::invalid(field, problem))
}

/// `paynet.InvalidTypeError` (an `InvalidRequestError` and a `TypeError`) for
/// a value of the wrong Python type: `field: problem`, `.field` set.
pub fn wrong_type(py: Python<'_>, field: &str, problem: &str) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let factory = TYPE_ERROR.import(py, "paynet._errors", "_invalid_type")?;
        let exc = factory.call1((format!("{field}: {problem}"), field))?;
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|failure| failure)
}

pub fn to_py(py: Python<'_>, error: &Error) -> PyErr {
    // If the factory itself fails (a broken install), its error is still raised.
    build(py, error).unwrap_or_else(|failure| failure)
}

fn build(py: Python<'_>, e: &Error) -> PyResult<PyErr> {
    let factory = FACTORY.import(py, "paynet._errors", "_from_native")?;
    let fields = PyDict::new(py);
    fields.set_item("field", &e.field)?;
    fields.set_item("http_status", e.http_status)?;
    fields.set_item("result_code", e.result_code)?;
    fields.set_item("error_type", &e.error_type)?;
    fields.set_item("paynet_error_id", &e.paynet_error_id)?;
    fields.set_item("bank_error_code", &e.bank_error_code)?;
    fields.set_item("bank_message", &e.bank_message)?;
    fields.set_item("reference_no", &e.reference_no)?;
    fields.set_item("xact_id", &e.xact_id)?;
    fields.set_item("body_snippet", &e.body_snippet)?;
    if let Some(cause) = &e.cause {
        let c = PyDict::new(py);
        c.set_item("kind", cause.kind)?;
        c.set_item("detail", &cause.detail)?;
        fields.set_item("cause", c)?;
    }
    let transaction = match &e.transaction {
        // A plain dict, its values typed by kind as any result's.
        Some(tx) => Some(pyser::to_python(py, tx.as_ref(), false)?),
        None => None,
    };
    fields.set_item("transaction", transaction)?;
    let exc = factory.call1((e.kind.as_str(), &e.message, fields))?;
    Ok(PyErr::from_value(exc))
}

/// Runs `f`, turning a panic into `paynet.InternalError` instead of pyo3's
/// `PanicException`, which derives from `BaseException` and so escapes
/// `except Exception`.
pub fn guard<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err(internal(py)))
}

pub fn internal(py: Python<'_>) -> PyErr {
    to_py(
        py,
        &Error::new(
            ErrorKind::Internal,
            "paynet hit an internal error (a bug); please report it",
        ),
    )
}
