//! Python values → the JSON that core's generic path reads.
//!
//! Requests: no request field is a float, so floats are refused everywhere
//! rather than guessed at; `Decimal` travels as its exact text and core
//! decides whether it is a valid amount (and names the field if not).
//! A value of the wrong type is a `paynet.InvalidTypeError` (an
//! `InvalidRequestError` and a `TypeError`) naming the field; a value is never
//! repeated, since it may be card data. A `paynet.Card` is read attribute by
//! attribute: the Python side never turns it into a plain dict, whose repr
//! would show the number and CVC in a traceback's locals.
//! Results go the other way in `pyser.rs`, straight from core's types.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyMemoryView,
    PyString, PyTuple, PyType,
};
use serde_json::{Map, Number, Value};

use crate::errors;

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DECIMAL.import(py, "decimal", "Decimal")
}

/// `paynet.Card` and its field names, in declaration order.
static CARD: PyOnceLock<(Py<PyType>, Vec<Py<PyString>>)> = PyOnceLock::new();

fn card_type(py: Python<'_>) -> PyResult<&(Py<PyType>, Vec<Py<PyString>>)> {
    CARD.get_or_try_init(py, || {
        let card = py.import("paynet._models")?.getattr("Card")?.cast_into::<PyType>()?;
        let fields = py.import("dataclasses")?.call_method1("fields", (&card,))?;
        let names = fields
            .try_iter()?
            .map(|field| Ok(field?.getattr("name")?.cast_into::<PyString>()?.unbind()))
            .collect::<PyResult<Vec<_>>>()?;
        Ok((card.unbind(), names))
    })
}

/// A `str` as Rust text, or an error naming `field`: `InvalidTypeError` for
/// another type, `InvalidRequestError` for a lone surrogate (`"\ud800"`, which
/// no UTF-8 text can hold). The value is never repeated: it may be a secret.
pub fn text(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<String> {
    let py = obj.py();
    let s = obj
        .cast::<PyString>()
        .map_err(|_| errors::wrong_type(py, field, &format!("must be a str, not {}", type_name(obj))))?;
    string(s, field)
}

fn string(s: &Bound<'_, PyString>, field: &str) -> PyResult<String> {
    match s.to_str() {
        Ok(text) => Ok(text.to_owned()),
        // The UnicodeEncodeError is dropped, not chained: it holds the whole string.
        Err(_) => Err(errors::invalid(
            s.py(),
            field,
            "is not valid text: it contains a lone surrogate (such as \"\\ud800\"), which cannot be encoded as UTF-8",
        )),
    }
}

/// `None` or the type's name, for messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    if obj.is_none() {
        return "None".to_owned();
    }
    obj.get_type()
        .name()
        .map_or_else(|_| "an unknown type".to_owned(), |n| n.to_string())
}

/// `path` names the parameter in errors (`card.exp_month`); values are never
/// repeated, since they may be card data.
pub fn to_json(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<Value> {
    let py = obj.py();
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        // A str-based Enum is a str whose contents are its value.
        return Ok(Value::String(string(s, name(path))?));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::Number(Number::from(i)));
        }
        // Beyond 64 bits: its exact digits (serde_json keeps arbitrary
        // precision), so core refuses it by field like any other bad value.
        let digits = obj.str()?.to_str()?.to_owned();
        return serde_json::from_str::<Number>(&digits)
            .map(Value::Number)
            .map_err(|_| errors::invalid(py, name(path), "integer out of range"));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Err(errors::wrong_type(
            py,
            name(path),
            "float is not accepted; amounts must be decimal.Decimal, int or str; floats lose cents \
             (0.1 + 0.2 != 0.3), so pass Decimal(\"12.50\") or \"12.50\"",
        ));
    }
    if obj.is_instance(decimal_type(py)?)? {
        return Ok(Value::String(obj.str()?.to_str()?.to_owned()));
    }
    if obj.is_instance_of::<PyDateTime>() {
        return Err(errors::wrong_type(
            py,
            name(path),
            "pass a datetime.date, not a datetime (Paynet dates have no time of day)",
        ));
    }
    if obj.is_instance_of::<PyDate>() {
        return Ok(Value::String(
            obj.call_method0("isoformat")?.str()?.to_str()?.to_owned(),
        ));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (key, value) in dict.iter() {
            let key = key
                .cast::<PyString>()
                .map_err(|_| errors::wrong_type(py, name(path), "keys must be str"))?;
            let key = key.to_str().map_err(|_| {
                errors::invalid(py, name(path), "a key is not valid text: it contains a lone surrogate")
            })?;
            map.insert(key.to_owned(), to_json(&value, &child(path, key))?);
        }
        return Ok(Value::Object(map));
    }
    let (card, fields) = card_type(py)?;
    if obj.is_instance(card.bind(py))? {
        let mut map = Map::new();
        for field in fields {
            let key = field.bind(py).to_str()?;
            map.insert(key.to_owned(), to_json(&obj.getattr(field)?, &child(path, key))?);
        }
        return Ok(Value::Object(map));
    }
    // Another parameter struct (a ratio definition's bank): its dataclass fields.
    if obj.hasattr(pyo3::intern!(py, "__dataclass_fields__"))? && !obj.is_instance_of::<PyType>() {
        let mut map = Map::new();
        for field in py.import("dataclasses")?.call_method1("fields", (obj,))?.try_iter()? {
            let key = field?.getattr("name")?.cast_into::<PyString>()?.to_str()?.to_owned();
            map.insert(key.clone(), to_json(&obj.getattr(key.as_str())?, &child(path, &key))?);
        }
        return Ok(Value::Object(map));
    }
    // A file parameter: its bytes, or a path for core to read (`core::file`).
    if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() || obj.is_instance_of::<PyMemoryView>() {
        let bytes = py.get_type::<PyBytes>().call1((obj,))?;
        let bytes = bytes.cast::<PyBytes>()?;
        return Ok(paynet_core::file::FileInput::tagged_bytes(bytes.as_bytes()));
    }
    if obj.hasattr("__fspath__")? {
        let fspath = obj.call_method0("__fspath__")?;
        let Ok(text) = fspath.cast::<PyString>() else {
            return Err(errors::wrong_type(py, name(path), "a path must be text, not bytes"));
        };
        return Ok(serde_json::json!({ "$path": string(text, name(path))? }));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        return obj
            .try_iter()?
            .enumerate()
            .map(|(i, item)| to_json(&item?, &format!("{path}[{i}]")))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    Err(errors::wrong_type(
        py,
        name(path),
        &format!("unsupported type {}", type_name(obj)),
    ))
}

fn name(path: &str) -> &str {
    if path.is_empty() { "params" } else { path }
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}
