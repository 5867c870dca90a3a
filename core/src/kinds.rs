//! How a result value says what it is: money, a ratio, a timestamp or a date.
//!
//! A result model serializes such a field (its `Option` included, so that an
//! absent value says its kind too) as a newtype struct named by the kind
//! (`$paynet::money`, `$paynet::ratio`, `$paynet::datetime`, `$paynet::date`)
//! around the text it always had, the way serde_json's arbitrary-precision
//! numbers travel. A serializer that does not care (serde_json: `call_value`,
//! the spec, tests) writes a newtype struct as its inner value, so it sees
//! exactly that text; the bindings' serializers catch the names and give the
//! value its host type. The kind is the field's type's, never its name's: two
//! models may use one name for two kinds.
//!
//! Money is serialized with `models::money_text` (which the spec derive reads
//! as "money"); ratios, timestamps and dates with `#[serde(with = ...)]` of
//! the modules below, on the types the spec gives those kinds (`Decimal`,
//! `DateTime`, `NaiveDate`). A test checks every model's fields against the spec.

use std::fmt;

use serde::ser::{self, Impossible, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// TL amount: Python `Decimal`, Node exact decimal `string` (or `number`).
    Money,
    /// A rate such as 0.0199: Python `Decimal`, Node `number`.
    Ratio,
    /// RFC 3339 with offset: Python aware `datetime`, Node `Date` + raw string.
    DateTime,
    /// `yyyy-MM-dd`: Python `date`, Node `string`.
    Date,
}

pub const MONEY_TAG: &str = "$paynet::money";
pub const RATIO_TAG: &str = "$paynet::ratio";
pub const DATETIME_TAG: &str = "$paynet::datetime";
pub const DATE_TAG: &str = "$paynet::date";

impl FieldKind {
    pub const ALL: [FieldKind; 4] = [FieldKind::Money, FieldKind::Ratio, FieldKind::DateTime, FieldKind::Date];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Money => "money",
            FieldKind::Ratio => "ratio",
            FieldKind::DateTime => "datetime",
            FieldKind::Date => "date",
        }
    }

    /// The newtype struct name a value of this kind is serialized under.
    pub const fn tag(self) -> &'static str {
        match self {
            FieldKind::Money => MONEY_TAG,
            FieldKind::Ratio => RATIO_TAG,
            FieldKind::DateTime => DATETIME_TAG,
            FieldKind::Date => DATE_TAG,
        }
    }

    /// The kind a newtype struct name stands for; `None` for any other newtype.
    #[inline]
    pub fn from_tag(name: &str) -> Option<FieldKind> {
        match name {
            MONEY_TAG => Some(FieldKind::Money),
            RATIO_TAG => Some(FieldKind::Ratio),
            DATETIME_TAG => Some(FieldKind::DateTime),
            DATE_TAG => Some(FieldKind::Date),
            _ => None,
        }
    }
}

/// `value` (an `Option` or not) under `kind`'s name.
pub(crate) fn tagged<T: Serialize + ?Sized, S: Serializer>(kind: FieldKind, value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_newtype_struct(kind.tag(), value)
}

/// `#[serde(with = "crate::kinds::ratio")]` on a `Decimal` that is a rate.
pub(crate) mod ratio {
    pub fn serialize<T: serde::Serialize + ?Sized, S: serde::Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        super::tagged(super::FieldKind::Ratio, value, s)
    }
}

/// `#[serde(with = "crate::kinds::datetime")]` on a `DateTime<FixedOffset>`.
pub(crate) mod datetime {
    pub fn serialize<T: serde::Serialize + ?Sized, S: serde::Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        super::tagged(super::FieldKind::DateTime, value, s)
    }
}

/// `#[serde(with = "crate::kinds::date")]` on a `NaiveDate`.
pub(crate) mod date {
    pub fn serialize<T: serde::Serialize + ?Sized, S: serde::Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        super::tagged(super::FieldKind::Date, value, s)
    }
}

/// The kind `value` is serialized as, learned from its first serializer call
/// alone (nothing is formatted): `None` for a value under no kind's name.
pub fn kind_of<T: Serialize + ?Sized>(value: &T) -> Option<FieldKind> {
    value.serialize(Probe).ok().flatten()
}

struct Probe;

/// A probe that met a compound value: it is of no kind.
#[derive(Debug)]
struct Compound;

impl fmt::Display for Compound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a value of a kind")
    }
}
impl std::error::Error for Compound {}
impl ser::Error for Compound {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Compound
    }
}

macro_rules! of_no_kind {
    ($($method:ident($($ty:ty),*);)*) => {
        $(fn $method(self, $(_: $ty),*) -> Result<Option<FieldKind>, Compound> {
            Ok(None)
        })*
    };
}

type No = Impossible<Option<FieldKind>, Compound>;

impl Serializer for Probe {
    type Ok = Option<FieldKind>;
    type Error = Compound;
    type SerializeSeq = No;
    type SerializeTuple = No;
    type SerializeTupleStruct = No;
    type SerializeTupleVariant = No;
    type SerializeMap = No;
    type SerializeStruct = No;
    type SerializeStructVariant = No;

    of_no_kind! {
        serialize_bool(bool);
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_i128(i128);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
        serialize_u128(u128);
        serialize_f32(f32);
        serialize_f64(f64);
        serialize_char(char);
        serialize_str(&str);
        serialize_bytes(&[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(&'static str);
        serialize_unit_variant(&'static str, u32, &'static str);
    }

    fn collect_str<T: fmt::Display + ?Sized>(self, _: &T) -> Result<Option<FieldKind>, Compound> {
        Ok(None)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<Option<FieldKind>, Compound> {
        Ok(None)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, _: &T) -> Result<Option<FieldKind>, Compound> {
        Ok(FieldKind::from_tag(name))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, _: &'static str, _: &T) -> Result<Option<FieldKind>, Compound> {
        Ok(None)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<No, Compound> {
        Err(Compound)
    }
    fn serialize_tuple(self, _: usize) -> Result<No, Compound> {
        Err(Compound)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<No, Compound> {
        Err(Compound)
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<No, Compound> {
        Err(Compound)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<No, Compound> {
        Err(Compound)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<No, Compound> {
        Err(Compound)
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<No, Compound> {
        Err(Compound)
    }
}

#[cfg(test)]
mod tests;
