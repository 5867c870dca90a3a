//! Core's typed results → Python objects in one pass: a `serde::Serializer`
//! whose output is Python objects, fed directly by core's `Output`.
//!
//! No intermediate JSON tree. A value's kind comes from its type: core
//! serializes money and ratios (`Decimal`), timestamps (aware `datetime`) and
//! dates (`date`) as newtype structs named by their kind (`paynet_core::kinds`),
//! whatever field holds them.
//!
//! Two modes:
//! - plain: dicts and lists (what `NativeClient.call` returns by default, and a
//!   declined error's `transaction`);
//! - typed: structs whose name `_models` registered (`Transaction`,
//!   `PaymentReport`, `PaymentReportRow`) become those classes directly,
//!   built with `object.__new__` and the slots set as the dataclass `__init__`
//!   would (unknown fields ignored, absent ones get their default, enum fields
//!   become members when the value is known, else stay `str`); sequences are
//!   tuples. Equal consecutive values of one field share one immutable
//!   object (a report repeats its bank, company and dates in every row).

use std::collections::HashMap;
use std::fmt::{self, Display, Write as _};
use std::hash::{BuildHasherDefault, Hasher};

use chrono::{DateTime, FixedOffset, NaiveDate, Timelike};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyDate, PyDateTime, PyDict, PyList, PyString, PyTuple, PyType, PyTzInfo,
};
use pyo3::{IntoPyObjectExt, ffi};
use serde::ser::{self, Serialize};

use paynet_core::cells::{Cell, RowList, each_cell};
use paynet_core::columnar::Shape;
use paynet_core::kinds::FieldKind;

// ---------------------------------------------------------------------------
// The registry of model classes (set once by `paynet._models` at import)
// ---------------------------------------------------------------------------

/// FNV-1a: field names are short and few; SipHash would dominate a lookup.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

struct Slot {
    name: Py<PyString>,
    /// `None`: required (the dataclass has no default).
    default: Option<Py<PyAny>>,
    /// value → enum member, for enum fields.
    members: Option<Py<PyDict>>,
}

struct Model {
    struct_name: String,
    cls: Py<PyType>,
    slots: Vec<Slot>,
    index: FastMap<String, usize>,
    /// Per slot, where a new object keeps it (`slot_offset`), when known.
    offsets: Vec<Option<ffi::Py_ssize_t>>,
}

struct Registry {
    models: Vec<Model>,
}

static REGISTRY: PyOnceLock<Registry> = PyOnceLock::new();

/// `(struct name, class, field names, defaults, {enum field: {value: member}})`.
type ModelSpec<'py> = (
    String,
    Bound<'py, PyType>,
    Vec<String>,
    Vec<Bound<'py, PyAny>>,
    Bound<'py, PyDict>,
);

/// The last text a slot converted, its kind and the object made from it.
type Last = Option<(String, Option<FieldKind>, Py<PyAny>)>;

/// `_native._register_models([(struct_name, cls, names, defaults, members), ...])`:
/// `defaults[i]` is `missing` for a required field; `members` maps enum
/// field names to `{value: member}`.
#[pyfunction]
pub fn _register_models(
    py: Python<'_>,
    models: Vec<ModelSpec<'_>>,
    missing: Bound<'_, PyAny>,
) -> PyResult<()> {
    let mut built = Vec::new();
    for (struct_name, cls, names, defaults, members) in models {
        if names.len() != defaults.len() {
            return Err(PyValueError::new_err("names and defaults differ in length"));
        }
        let mut slots = Vec::new();
        let mut index = FastMap::default();
        for (i, (name, default)) in names.iter().zip(defaults).enumerate() {
            let enum_members = match members.get_item(name)? {
                Some(m) => Some(m.cast_into::<PyDict>()?.unbind()),
                None => None,
            };
            slots.push(Slot {
                name: PyString::intern(py, name).unbind(),
                default: (!default.is(&missing)).then(|| default.unbind()),
                members: enum_members,
            });
            index.insert(name.clone(), i);
        }
        let offsets = names.iter().map(|name| slot_offset(&cls, name)).collect::<PyResult<_>>()?;
        built.push(Model {
            struct_name,
            cls: cls.unbind(),
            slots,
            index,
            offsets,
        });
    }
    REGISTRY
        .set(py, Registry { models: built })
        .map_err(|_| PyValueError::new_err("models are already registered"))
}

/// Where an instance of `cls` keeps its `__slots__` field `name`: the offset
/// of the writable object member that `object.__setattr__(obj, name, v)`
/// would set (the first class of the MRO whose `__dict__` has `name`, when
/// that is its own slot's member descriptor). `None` for anything else (a
/// property, a class attribute), which is then set through
/// `PyObject_GenericSetAttr`. Writing a new object's slot at its offset is
/// what that call ends in (`PyMember_SetOne`), without looking the name up
/// along the MRO for every field of every row.
fn slot_offset(cls: &Bound<'_, PyType>, name: &str) -> PyResult<Option<ffi::Py_ssize_t>> {
    let mro = cls.getattr("__mro__")?.cast_into::<PyTuple>()?;
    for klass in mro.iter() {
        let found = klass.getattr("__dict__")?.call_method1("get", (name,))?;
        if found.is_none() {
            continue;
        }
        if found.get_type().name()? != "member_descriptor" || !found.getattr("__objclass__")?.is(&klass) {
            return Ok(None);
        }
        let klass = klass.cast_into::<PyType>()?;
        // SAFETY: `klass` is a live type; `Py_tp_members` of a type is its
        // `PyMemberDef` array, ended by an entry with a null name.
        unsafe {
            let mut member = ffi::PyType_GetSlot(klass.as_type_ptr(), ffi::Py_tp_members).cast::<ffi::PyMemberDef>();
            while !member.is_null() && !(*member).name.is_null() {
                let def = *member;
                if std::ffi::CStr::from_ptr(def.name).to_bytes() == name.as_bytes() {
                    let writable = def.type_code == ffi::Py_T_OBJECT_EX && def.flags & ffi::Py_READONLY == 0;
                    return Ok(writable.then_some(def.offset));
                }
                member = member.add(1);
            }
        }
        return Ok(None);
    }
    Ok(None)
}

// ---------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------

/// `value` as Python objects; `typed` builds the registered model classes.
pub fn to_python<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
    typed: bool,
) -> PyResult<Bound<'py, PyAny>> {
    convert(py, value, typed, None)
}

/// A result's own fields as a plain dict, its field `skip` (a table's rows)
/// left out unread.
pub fn envelope_to_python<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
    skip: &'static str,
) -> PyResult<Bound<'py, PyAny>> {
    convert(py, value, false, Some(skip))
}

fn convert<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
    typed: bool,
    skip: Option<&'static str>,
) -> PyResult<Bound<'py, PyAny>> {
    let registry = if typed { REGISTRY.get(py) } else { None };
    let mut cx = Cx {
        py,
        registry,
        last: Vec::new(),
        zones: Vec::new(),
        buf: String::new(),
        skip,
        models_seen: Vec::new(),
        slots_seen: Vec::new(),
    };
    value
        .serialize(Ser {
            cx: &mut cx,
            field: Field::None,
            kind: None,
        })
        .map_err(|e| e.0)
}

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static OBJECT_NEW: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

struct Cx<'a, 'py> {
    py: Python<'py>,
    registry: Option<&'a Registry>,
    /// Per model, per slot: the last text converted and its object.
    last: Vec<Vec<Last>>,
    /// Fixed offsets (seconds) → `datetime.timezone`.
    zones: Vec<(i32, Py<PyTzInfo>)>,
    buf: String,
    /// A field of plain dicts left out (`envelope_to_python`).
    skip: Option<&'static str>,
    /// Struct names seen, by address and length (serde's names are
    /// literals), and their model: a report names its row model per row.
    models_seen: Vec<(usize, usize, Option<usize>)>,
    /// Per model, its fields' names by address and length in the order
    /// serialized, and their slots: each row of a model serializes the same.
    slots_seen: Vec<Vec<(usize, usize, Option<usize>)>>,
}

impl<'py> Cx<'_, 'py> {
    fn decimal(&self, text: &str) -> PyResult<Bound<'py, PyAny>> {
        DECIMAL
            .import(self.py, "decimal", "Decimal")?
            .call1((text,))
    }

    /// `decimal.Decimal` of a value's text.
    fn decimal_of(&mut self, value: &paynet_core::Decimal) -> PyResult<Bound<'py, PyAny>> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        paynet_core::cells::write_decimal(value, &mut buf);
        let out = self.decimal(&buf);
        self.buf = buf;
        out
    }

    fn zone(&mut self, offset: FixedOffset) -> PyResult<Bound<'py, PyTzInfo>> {
        let secs = offset.local_minus_utc();
        if let Some((_, z)) = self.zones.iter().find(|(s, _)| *s == secs) {
            return Ok(z.bind(self.py).clone());
        }
        let z = offset.into_pyobject(self.py)?;
        self.zones.push((secs, z.clone().unbind()));
        Ok(z)
    }

    fn datetime(&mut self, dt: &DateTime<FixedOffset>) -> PyResult<Bound<'py, PyAny>> {
        let naive = dt.naive_local();
        let nanos = naive.nanosecond();
        if nanos >= 1_000_000_000 {
            // A leap second: pyo3's conversion knows what to do (and warns).
            return dt.into_pyobject(self.py).map(Bound::into_any);
        }
        let tz = self.zone(*dt.offset())?;
        use chrono::Datelike;
        PyDateTime::new(
            self.py,
            naive.year(),
            naive.month() as u8,
            naive.day() as u8,
            naive.hour() as u8,
            naive.minute() as u8,
            naive.second() as u8,
            nanos / 1000,
            Some(&tz),
        )
        .map(Bound::into_any)
    }

    /// A string's Python value: its kind's type, else `str`.
    fn text(&mut self, kind: Option<FieldKind>, s: &str) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        Ok(match kind {
            Some(FieldKind::Money | FieldKind::Ratio) => self.decimal(s)?,
            Some(FieldKind::DateTime) => match DateTime::parse_from_rfc3339(s) {
                Ok(dt) => self.datetime(&dt)?,
                Err(_) => PyString::new(py, s).into_any(),
            },
            Some(FieldKind::Date) => match s.parse::<NaiveDate>() {
                Ok(d) => {
                    use chrono::Datelike;
                    PyDate::new(py, d.year(), d.month() as u8, d.day() as u8)?.into_any()
                }
                Err(_) => PyString::new(py, s).into_any(),
            },
            None => PyString::new(py, s).into_any(),
        })
    }
}

// ---------------------------------------------------------------------------
// The serializer
// ---------------------------------------------------------------------------

pub struct Error(PyErr);

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}
impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.0, f)
    }
}
impl std::error::Error for Error {}
impl ser::Error for Error {
    /// Only core's own `Serialize` impls fail this way: a bug, so `InternalError`.
    fn custom<T: Display>(msg: T) -> Self {
        let error = paynet_core::Error::internal(format!("could not encode the result: {msg}"));
        Error(Python::attach(|py| crate::errors::to_py(py, &error)))
    }
}
impl From<PyErr> for Error {
    fn from(e: PyErr) -> Self {
        Error(e)
    }
}

/// Where a value sits: a model's slot caches equal consecutive values.
#[derive(Clone, Copy)]
enum Field {
    None,
    Slot { model: usize, slot: usize },
}

struct Ser<'c, 'a, 'py> {
    cx: &'c mut Cx<'a, 'py>,
    field: Field,
    /// The kind the value was serialized under (`$paynet::money`, ...).
    kind: Option<FieldKind>,
}

type R<'py> = Result<Bound<'py, PyAny>, Error>;

impl<'a, 'py> Ser<'_, 'a, 'py> {
    fn int(self, v: impl IntoPyObjectExt<'py>) -> R<'py> {
        Ok(v.into_bound_py_any(self.cx.py)?)
    }

    fn child(&mut self, field: Field) -> Ser<'_, 'a, 'py> {
        Ser {
            cx: &mut *self.cx,
            field,
            kind: None,
        }
    }
}

impl<'c, 'a, 'py> ser::Serializer for Ser<'c, 'a, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    type SerializeSeq = Seq<'c, 'a, 'py>;
    type SerializeTuple = Seq<'c, 'a, 'py>;
    type SerializeTupleStruct = Seq<'c, 'a, 'py>;
    type SerializeTupleVariant = Variant<Seq<'c, 'a, 'py>>;
    type SerializeMap = Map<'c, 'a, 'py>;
    type SerializeStruct = Struct<'c, 'a, 'py>;
    type SerializeStructVariant = Variant<Struct<'c, 'a, 'py>>;

    fn serialize_bool(self, v: bool) -> R<'py> {
        Ok(PyBool::new(self.cx.py, v).to_owned().into_any())
    }
    fn serialize_i8(self, v: i8) -> R<'py> {
        self.int(v)
    }
    fn serialize_i16(self, v: i16) -> R<'py> {
        self.int(v)
    }
    fn serialize_i32(self, v: i32) -> R<'py> {
        self.int(v)
    }
    fn serialize_i64(self, v: i64) -> R<'py> {
        self.int(v)
    }
    fn serialize_i128(self, v: i128) -> R<'py> {
        self.int(v)
    }
    fn serialize_u8(self, v: u8) -> R<'py> {
        self.int(v)
    }
    fn serialize_u16(self, v: u16) -> R<'py> {
        self.int(v)
    }
    fn serialize_u32(self, v: u32) -> R<'py> {
        self.int(v)
    }
    fn serialize_u64(self, v: u64) -> R<'py> {
        self.int(v)
    }
    fn serialize_u128(self, v: u128) -> R<'py> {
        self.int(v)
    }
    fn serialize_f32(self, v: f32) -> R<'py> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> R<'py> {
        // As serde_json's value would hold it: never a float, None if not finite.
        match serde_json::Number::from_f64(v) {
            Some(n) => match n.as_i64() {
                Some(i) => self.int(i),
                None => Ok(self.cx.decimal(&n.to_string())?),
            },
            None => self.serialize_none(),
        }
    }
    fn serialize_char(self, v: char) -> R<'py> {
        let mut b = [0u8; 4];
        self.serialize_str(v.encode_utf8(&mut b))
    }
    fn serialize_str(self, v: &str) -> R<'py> {
        let cx = self.cx;
        let py = cx.py;
        let kind = self.kind;
        match self.field {
            Field::None => Ok(cx.text(kind, v)?),
            Field::Slot { model, slot } => {
                if let Some(Some((text, last_kind, obj))) =
                    cx.last.get(model).and_then(|m| m.get(slot))
                    && *last_kind == kind
                    && text == v
                {
                    return Ok(obj.bind(py).clone());
                }
                let registry = cx.registry.expect("slots exist only with a registry");
                let s = &registry.models[model].slots[slot];
                let mut obj = cx.text(kind, v)?;
                if let Some(members) = &s.members
                    && let Some(member) = members.bind(py).get_item(&obj)?
                {
                    obj = member;
                }
                if cx.last.len() <= model {
                    cx.last.resize_with(model + 1, Vec::new);
                }
                let per_model = &mut cx.last[model];
                if per_model.len() <= slot {
                    per_model.resize_with(slot + 1, || None);
                }
                match &mut per_model[slot] {
                    Some((text, last_kind, cached)) => {
                        text.clear();
                        text.push_str(v);
                        *last_kind = kind;
                        *cached = obj.clone().unbind();
                    }
                    empty => *empty = Some((v.to_owned(), kind, obj.clone().unbind())),
                }
                Ok(obj)
            }
        }
    }
    fn collect_str<T: Display + ?Sized>(self, value: &T) -> R<'py> {
        let mut buf = std::mem::take(&mut self.cx.buf);
        buf.clear();
        let _ = write!(buf, "{value}");
        let cx = &mut *self.cx;
        let out = Ser {
            cx: &mut *cx,
            field: self.field,
            kind: self.kind,
        }
        .serialize_str(&buf);
        cx.buf = buf;
        out
    }
    fn serialize_bytes(self, v: &[u8]) -> R<'py> {
        // serde_json writes bytes as an array of numbers.
        let py = self.cx.py;
        Ok(PyList::new(py, v)?.into_any())
    }
    fn serialize_none(self) -> R<'py> {
        Ok(self.cx.py.None().into_bound(self.cx.py))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> R<'py> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> R<'py> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> R<'py> {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> R<'py> {
        Ok(PyString::new(self.cx.py, variant).into_any())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> R<'py> {
        match FieldKind::from_tag(name) {
            Some(kind) => value.serialize(Ser {
                cx: self.cx,
                field: self.field,
                kind: Some(kind),
            }),
            None => value.serialize(self),
        }
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        mut self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> R<'py> {
        let py = self.cx.py;
        let inner = value.serialize(self.child(Field::None))?;
        let dict = PyDict::new(py);
        dict.set_item(variant, inner)?;
        Ok(dict.into_any())
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq<'c, 'a, 'py>, Error> {
        Ok(Seq {
            items: Vec::with_capacity(len.unwrap_or(0)),
            cx: self.cx,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'c, 'a, 'py>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<Seq<'c, 'a, 'py>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Seq<'c, 'a, 'py>>, Error> {
        Ok(Variant {
            variant,
            inner: self.serialize_seq(Some(len))?,
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Map<'c, 'a, 'py>, Error> {
        let dict = PyDict::new(self.cx.py);
        Ok(Map {
            cx: self.cx,
            dict,
            key: None,
        })
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Struct<'c, 'a, 'py>, Error> {
        let id = (name.as_ptr() as usize, name.len());
        let model = match self.cx.models_seen.iter().find(|(at, len, _)| (*at, *len) == id) {
            Some(&(_, _, model)) => model,
            None => {
                let model = self
                    .cx
                    .registry
                    .and_then(|r| r.models.iter().position(|m| m.struct_name == name));
                self.cx.models_seen.push((id.0, id.1, model));
                model
            }
        };
        let target = match model {
            Some(m) => Target::Model {
                model: m,
                values: Vec::new(),
                fields: 0,
            },
            None if name == NUMBER_TOKEN => Target::Number { text: None, decimal: self.kind.is_some() },
            None => Target::Dict(PyDict::new(self.cx.py)),
        };
        Ok(Struct {
            cx: self.cx,
            target,
        })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Variant<Struct<'c, 'a, 'py>>, Error> {
        let dict = PyDict::new(self.cx.py);
        Ok(Variant {
            variant,
            inner: Struct {
                cx: self.cx,
                target: Target::Dict(dict),
            },
        })
    }
}

/// serde_json's private name for an arbitrary-precision number.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

pub struct Seq<'c, 'a, 'py> {
    cx: &'c mut Cx<'a, 'py>,
    items: Vec<Bound<'py, PyAny>>,
}

impl<'py> Seq<'_, '_, 'py> {
    fn finish(self) -> R<'py> {
        let py = self.cx.py;
        Ok(if self.cx.registry.is_some() {
            PyTuple::new(py, self.items)?.into_any()
        } else {
            PyList::new(py, self.items)?.into_any()
        })
    }
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let item = value.serialize(Ser {
            cx: &mut *self.cx,
            field: Field::None,
            kind: None,
        })?;
        self.items.push(item);
        Ok(())
    }
}

impl<'py> ser::SerializeSeq for Seq<'_, '_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> R<'py> {
        self.finish()
    }
}
impl<'py> ser::SerializeTuple for Seq<'_, '_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> R<'py> {
        self.finish()
    }
}
impl<'py> ser::SerializeTupleStruct for Seq<'_, '_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> R<'py> {
        self.finish()
    }
}

/// `{variant: inner}`, as serde_json represents enum variants with data.
pub struct Variant<I> {
    variant: &'static str,
    inner: I,
}

impl<'py> ser::SerializeTupleVariant for Variant<Seq<'_, '_, 'py>> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.inner.push(value)
    }
    fn end(self) -> R<'py> {
        let py = self.inner.cx.py;
        let dict = PyDict::new(py);
        dict.set_item(self.variant, self.inner.finish()?)?;
        Ok(dict.into_any())
    }
}

impl<'py> ser::SerializeStructVariant for Variant<Struct<'_, '_, 'py>> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(&mut self.inner, key, value)
    }
    fn end(self) -> R<'py> {
        let py = self.inner.cx.py;
        let dict = PyDict::new(py);
        dict.set_item(self.variant, ser::SerializeStruct::end(self.inner)?)?;
        Ok(dict.into_any())
    }
}

pub struct Map<'c, 'a, 'py> {
    cx: &'c mut Cx<'a, 'py>,
    dict: Bound<'py, PyDict>,
    key: Option<String>,
}

impl<'py> ser::SerializeMap for Map<'_, '_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        // serde_json's rule: map keys are strings (numbers and bools as their text).
        let v = serde_json::to_value(key).map_err(<Error as ser::Error>::custom)?;
        self.key = Some(match v {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => return Err(Error(PyTypeError::new_err("key must be a string"))),
        });
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self.key.take().unwrap_or_default();
        let v = value.serialize(Ser {
            cx: &mut *self.cx,
            field: Field::None,
            kind: None,
        })?;
        self.dict.set_item(key, v)?;
        Ok(())
    }
    fn end(self) -> R<'py> {
        Ok(self.dict.into_any())
    }
}

enum Target<'py> {
    Dict(Bound<'py, PyDict>),
    Model {
        model: usize,
        values: Vec<Option<Bound<'py, PyAny>>>,
        /// Fields serialized so far.
        fields: usize,
    },
    /// `decimal`: under a money or ratio kind, a `Decimal` even when integral.
    Number { text: Option<String>, decimal: bool },
}

pub struct Struct<'c, 'a, 'py> {
    cx: &'c mut Cx<'a, 'py>,
    target: Target<'py>,
}

impl<'py> ser::SerializeStruct for Struct<'_, '_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let py = self.cx.py;
        match &mut self.target {
            Target::Dict(_) if self.cx.skip == Some(key) => {}
            Target::Dict(dict) => {
                let v = value.serialize(Ser {
                    cx: &mut *self.cx,
                    field: Field::None,
                    kind: None,
                })?;
                dict.set_item(PyString::intern(py, key), v)?;
            }
            Target::Model { model, values, fields } => {
                let model = *model;
                let registry = self.cx.registry.expect("models exist only with a registry");
                let m = &registry.models[model];
                if self.cx.slots_seen.len() <= model {
                    self.cx.slots_seen.resize_with(model + 1, Vec::new);
                }
                let seen = &mut self.cx.slots_seen[model];
                let id = (key.as_ptr() as usize, key.len());
                // The same literal (address and length) is the same name.
                let slot = match seen.get(*fields) {
                    Some(&(at, len, slot)) if (at, len) == id => slot,
                    _ => {
                        let slot = m.index.get(key).copied();
                        if seen.len() == *fields {
                            seen.push((id.0, id.1, slot));
                        }
                        slot
                    }
                };
                *fields += 1;
                // Fields the Python class does not have are ignored, as `_build` does.
                if let Some(slot) = slot {
                    let v = value.serialize(Ser {
                        cx: &mut *self.cx,
                        field: Field::Slot { model, slot },
                        kind: None,
                    })?;
                    if values.is_empty() {
                        values.resize_with(m.slots.len(), || None);
                    }
                    values[slot] = Some(v);
                }
            }
            Target::Number { text, .. } => {
                let v = value.serialize(Ser {
                    cx: &mut *self.cx,
                    field: Field::None,
                    kind: None,
                })?;
                *text = Some(v.extract::<String>()?);
            }
        }
        Ok(())
    }

    fn end(self) -> R<'py> {
        let py = self.cx.py;
        match self.target {
            Target::Dict(dict) => Ok(dict.into_any()),
            Target::Number { text, decimal } => {
                let text = text.unwrap_or_default();
                match text.parse::<i64>() {
                    Ok(i) if !decimal => Ok(i.into_bound_py_any(py)?),
                    _ => Ok(self.cx.decimal(&text)?),
                }
            }
            Target::Model { model, values, .. } => Ok(instantiate(self.cx.py, self.cx.registry.expect("models exist only with a registry"), model, values)?),
        }
    }
}

/// A registered model's object, built with `object.__new__` and its slots
/// set as the frozen dataclass's `__init__` would: absent fields get their
/// default, a required one missing is the `TypeError` `__init__` raises.
fn instantiate<'py>(py: Python<'py>, registry: &Registry, model: usize, mut values: Vec<Option<Bound<'py, PyAny>>>) -> PyResult<Bound<'py, PyAny>> {
    let m = &registry.models[model];
    let cls = m.cls.bind(py);
    let obj = allocate(py, cls)?;
    values.resize_with(m.slots.len(), || None);
    // Only immutable scalars (str, Decimal, datetime, enum members...)
    // inside: the object can never be part of a reference cycle, so
    // the cyclic GC need not scan it (100 000 report rows otherwise
    // make every full collection walk them all). Containers keep it tracked.
    let mut atomic = true;
    for ((slot, value), offset) in m.slots.iter().zip(values).zip(&m.offsets) {
        let value = match (value, &slot.default) {
            (Some(v), _) => v,
            (None, Some(d)) => d.bind(py).clone(),
            (None, None) => {
                return Err(PyTypeError::new_err(format!("{}.__init__() missing required keyword argument: '{}'", cls.name()?, slot.name.bind(py))));
            }
        };
        if atomic && (value.is_instance_of::<PyTuple>() || value.is_instance_of::<PyList>() || value.is_instance_of::<PyDict>()) {
            atomic = false;
        }
        match offset {
            // SAFETY: `obj` was just allocated (its slots zeroed, so null):
            // the slot takes the reference `into_ptr` gives up, as
            // `PyMember_SetOne` does for a `Py_T_OBJECT_EX` member.
            Some(offset) => unsafe { *obj.as_ptr().cast::<u8>().offset(*offset).cast::<*mut ffi::PyObject>() = value.into_ptr() },
            None => {
                // The frozen dataclass's own `__setattr__` refuses; its
                // `__init__` uses `object.__setattr__`, which is this.
                let rc = unsafe { ffi::PyObject_GenericSetAttr(obj.as_ptr(), slot.name.as_ptr(), value.as_ptr()) };
                if rc != 0 {
                    return Err(PyErr::fetch(py));
                }
            }
        }
    }
    if atomic {
        // SAFETY: `obj` is a GC-tracked instance we just created.
        unsafe { ffi::PyObject_GC_UnTrack(obj.as_ptr().cast()) };
    }
    Ok(obj)
}

/// A new, empty instance of `cls`, as `object.__new__(cls)` makes it (the
/// type's `tp_alloc`, zeroed and tracked by the GC).
fn allocate<'py>(py: Python<'py>, cls: &Bound<'py, PyType>) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: `cls` is a live type; its `tp_alloc`, when set, is an `allocfunc`.
    unsafe {
        let alloc = ffi::PyType_GetSlot(cls.as_type_ptr(), ffi::Py_tp_alloc);
        if alloc.is_null() {
            let new = OBJECT_NEW.get_or_try_init(py, || py.import("builtins")?.getattr("object")?.getattr("__new__").map(Bound::unbind))?;
            return new.bind(py).call1((cls,));
        }
        let alloc: ffi::allocfunc = std::mem::transmute(alloc);
        Bound::from_owned_ptr_or_err(py, alloc(cls.as_type_ptr(), 0))
    }
}

// ---------------------------------------------------------------------------
// A table's rows, from their cells
// ---------------------------------------------------------------------------

/// The rows of a tabular result as a tuple of its row model's objects, read
/// from their cells (`paynet_core::cells`): the objects `to_python` makes of
/// the same rows, without a serializer per value or text made to be parsed.
pub fn rows_to_python<'py>(py: Python<'py>, shape: &Shape, rows: &dyn RowList) -> PyResult<Bound<'py, PyAny>> {
    let registry = REGISTRY.get(py).ok_or_else(|| PyValueError::new_err("paynet._models registered no models"))?;
    let model = registry
        .models
        .iter()
        .position(|m| m.struct_name == shape.row_model)
        .ok_or_else(|| PyValueError::new_err(format!("no Python class for {}", shape.row_model)))?;
    let m = &registry.models[model];
    // A field the Python class does not have is ignored, as `_build` does.
    let slots: Vec<Option<usize>> = shape.field_names().iter().map(|name| m.index.get(*name).copied()).collect();
    let mut cx = Cx { py, registry: Some(registry), last: Vec::new(), zones: Vec::new(), buf: String::new(), skip: None, models_seen: Vec::new(), slots_seen: Vec::new() };
    let mut last: Vec<Option<(Seen, Py<PyAny>)>> = (0..slots.len()).map(|_| None).collect();
    let mut out = Vec::with_capacity(rows.len());
    for index in 0..rows.len() {
        let mut values: Vec<Option<Bound<'py, PyAny>>> = (0..m.slots.len()).map(|_| None).collect();
        each_cell(rows.row(index), |field, cell| {
            if let Some(Some(slot)) = slots.get(field) {
                values[*slot] = Some(cell_value(&mut cx, &m.slots[*slot], &mut last[field], cell)?);
            }
            Ok::<_, PyErr>(())
        })?;
        out.push(instantiate(py, registry, model, values)?);
    }
    Ok(PyTuple::new(py, out)?.into_any())
}

/// A cell's value as last converted, to know the next equal one.
#[derive(PartialEq)]
enum Seen {
    Text(String),
    /// Mantissa and scale: `1.0` and `1.00` are different `Decimal`s.
    Decimal(i128, u32),
    /// The instant and its offset: equal instants in two zones differ.
    DateTime(i64, u32, i32),
    Date(NaiveDate),
}

impl Seen {
    fn matches(&self, cell: &Cell<'_>) -> bool {
        match (self, cell) {
            (Seen::Text(t), Cell::Text(s)) => t == s,
            (Seen::Decimal(m, e), Cell::Money(d) | Cell::Ratio(d)) => (d.mantissa(), d.scale()) == (*m, *e),
            (Seen::DateTime(s, n, o), Cell::DateTime(at)) => (at.timestamp(), at.timestamp_subsec_nanos(), at.offset().local_minus_utc()) == (*s, *n, *o),
            (Seen::Date(a), Cell::Date(b)) => a == b,
            _ => false,
        }
    }
}

/// One cell's Python value: equal consecutive values of a field share one
/// immutable object, as `Ser::serialize_str` does.
fn cell_value<'py>(cx: &mut Cx<'_, 'py>, slot: &Slot, last: &mut Option<(Seen, Py<PyAny>)>, cell: Cell<'_>) -> PyResult<Bound<'py, PyAny>> {
    let py = cx.py;
    if let Some((seen, obj)) = last
        && seen.matches(&cell)
    {
        return Ok(obj.bind(py).clone());
    }
    let (seen, obj) = match cell {
        Cell::Null => return Ok(py.None().into_bound(py)),
        Cell::Int(v) => return v.into_bound_py_any(py),
        Cell::Bool(v) => return Ok(PyBool::new(py, v).to_owned().into_any()),
        Cell::Nested(value) => return to_python(py, value, true),
        Cell::Text(s) => {
            let mut obj = PyString::new(py, s).into_any();
            if let Some(members) = &slot.members
                && let Some(member) = members.bind(py).get_item(&obj)?
            {
                obj = member;
            }
            (Seen::Text(s.to_owned()), obj)
        }
        Cell::Money(d) | Cell::Ratio(d) => (Seen::Decimal(d.mantissa(), d.scale()), cx.decimal_of(&d)?),
        Cell::DateTime(at) => (Seen::DateTime(at.timestamp(), at.timestamp_subsec_nanos(), at.offset().local_minus_utc()), cx.datetime(at)?),
        Cell::Date(day) => {
            use chrono::Datelike;
            (Seen::Date(day), PyDate::new(py, day.year(), day.month() as u8, day.day() as u8)?.into_any())
        }
    };
    *last = Some((seen, obj.clone().unbind()));
    Ok(obj)
}
