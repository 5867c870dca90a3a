//! Python values ↔ the JSON that core's generic path speaks.
//!
//! Requests: no request field is a float, so floats are refused everywhere
//! rather than guessed at; `Decimal` travels as its exact text and core
//! decides whether it is a valid amount (and names the field if not).
//! Results: core's schema says which field names are money, ratios, dates
//! and timestamps; everything else maps structurally.

use chrono::{DateTime, NaiveDate};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType,
};
use serde_json::{Map, Number, Value};

use paynet_core::schema::{FieldKind, field_kind};

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DECIMAL.import(py, "decimal", "Decimal")
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
        return Ok(Value::String(s.to_str()?.to_owned()));
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
            .map_err(|_| PyTypeError::new_err(format!("{}: integer out of range", name(path))));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Err(PyTypeError::new_err(format!(
            "{}: float is not accepted; amounts must be decimal.Decimal, int or str; floats lose cents \
             (0.1 + 0.2 != 0.3), so pass Decimal(\"12.50\") or \"12.50\"",
            name(path)
        )));
    }
    if obj.is_instance(decimal_type(py)?)? {
        return Ok(Value::String(obj.str()?.to_str()?.to_owned()));
    }
    if obj.is_instance_of::<PyDateTime>() {
        return Err(PyTypeError::new_err(format!(
            "{}: pass a datetime.date, not a datetime (Paynet dates have no time of day)",
            name(path)
        )));
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
                .map_err(|_| PyTypeError::new_err(format!("{}: keys must be str", name(path))))?
                .to_str()?
                .to_owned();
            let child = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            map.insert(key, to_json(&value, &child)?);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        return obj
            .try_iter()?
            .enumerate()
            .map(|(i, item)| to_json(&item?, &format!("{path}[{i}]")))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    Err(PyTypeError::new_err(format!(
        "{}: unsupported type {}",
        name(path),
        obj.get_type().name()?
    )))
}

fn name(path: &str) -> &str {
    if path.is_empty() { "params" } else { path }
}

/// Core's JSON result → plain Python (dicts, lists, `Decimal`, `date`, aware `datetime`).
pub fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    convert(py, value, None)
}

fn convert<'py>(py: Python<'py>, value: &Value, key: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.into_pyobject(py)?.into_any(),
            // Never a float: a fractional number we were not told about is still exact.
            None => decimal_type(py)?.call1((n.to_string(),))?,
        },
        Value::String(s) => match key.and_then(field_kind) {
            Some(FieldKind::Money | FieldKind::Ratio) => decimal_type(py)?.call1((s.as_str(),))?,
            Some(FieldKind::DateTime) => match DateTime::parse_from_rfc3339(s) {
                Ok(dt) => dt.into_pyobject(py)?.into_any(),
                Err(_) => PyString::new(py, s).into_any(),
            },
            Some(FieldKind::Date) => match s.parse::<NaiveDate>() {
                Ok(d) => d.into_pyobject(py)?.into_any(),
                Err(_) => PyString::new(py, s).into_any(),
            },
            None => PyString::new(py, s).into_any(),
        },
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(convert(py, item, None)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, convert(py, v, Some(k))?)?;
            }
            dict.into_any()
        }
    })
}
