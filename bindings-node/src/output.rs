//! Core's typed result → the JSON text `lib/convert.js` parses, in one pass.
//!
//! The text is already in the JS shape, so the wrapper's only per-row work
//! is turning timestamps into `Date`s:
//!
//! - keys are camelCase (struct field names are `&'static str`: converted
//!   once per process and cached);
//! - a value's kind is its type's: core serializes money, ratios, timestamps
//!   and dates as newtype structs named by their kind (`paynet_core::kinds`),
//!   whatever field holds them;
//! - a datetime field `x_date` is written as `"xDate":null,"xDateRaw":"…"`;
//!   the wrapper fills `xDate` from the raw text. The key comes before the
//!   value, so whether a struct field is a datetime is learned once per
//!   struct and field (`kinds::kind_of`, which formats nothing) and cached;
//! - money is exact decimal strings, or JSON numbers with `money: 'number'`;
//!   rates are always JSON numbers. A number keeps the decimal text, so JS
//!   reads the same double `Number(text)` gives;
//! - the text is ASCII only (other characters as `\u` escapes), so it becomes
//!   a one-byte JS string with a plain copy instead of a UTF-8 decode.
//!
//! The whole answer is `[value,dates]`: `dates` lists where datetime fields
//! are, as key paths with `"*"` for "every element of this array"
//! (`[["rows","*","xactDate"]]`), so the wrapper visits only those objects.
//! Under a map (dynamic keys, none today) a path names the key itself.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Write};
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};

use paynet_core::kinds::{FieldKind, kind_of};
use serde::ser::{
    self, Serialize, SerializeMap, SerializeSeq, SerializeStruct, SerializeStructVariant,
    SerializeTuple, SerializeTupleStruct, SerializeTupleVariant, Serializer,
};
use serde_json::ser::{CharEscape, Formatter};

/// One result field name, as the wrapper sees it.
pub(crate) struct Name {
    pub(crate) camel: &'static str,
    /// `camel + "Raw"`, the key of a datetime's text.
    raw: &'static str,
}

/// Process-wide: at most one leaked `Name` per distinct field name (a few
/// dozen), so the `&'static str` serde_json wants costs nothing per call.
pub(crate) fn name(snake: &'static str) -> &'static Name {
    static NAMES: OnceLock<Mutex<HashMap<&'static str, &'static Name>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    names.entry(snake).or_insert_with(|| {
        let camel: &'static str = Box::leak(to_camel(snake).into_boxed_str());
        let raw = Box::leak(format!("{camel}Raw").into_boxed_str());
        Box::leak(Box::new(Name { camel, raw }))
    })
}

/// `card_no_masked` → `cardNoMasked`, as `toCamel` in `lib/convert.js`
/// (`_` followed by a lowercase letter or digit).
pub fn to_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        match chars.peek() {
            Some(&next) if c == '_' && (next.is_ascii_lowercase() || next.is_ascii_digit()) => {
                out.push(next.to_ascii_uppercase());
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// Hashes a `(pointer, length)` key: the per-call cache in front of `name`.
#[derive(Default)]
struct AddrHasher(u64);

impl Hasher for AddrHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0 ^ n as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
    }
}

/// A path segment under a map: dynamic keys, so no path can name it.
const DYNAMIC: &str = "\0";
/// A path segment for "every element of this sequence".
const EVERY: &str = "*";

struct State {
    money_as_number: bool,
    /// Where the container being written sits (its first entry is the root).
    path: Vec<&'static str>,
    /// The key of the value about to be written.
    pending: &'static str,
    /// The text of the map key about to be written, and of each `DYNAMIC`
    /// entry of `path`, in order.
    pending_key: String,
    keys: Vec<String>,
    dates: Vec<Vec<&'static str>>,
    /// Datetimes under a map: their paths name the keys.
    keyed_dates: Vec<Vec<String>>,
    names: NameCache,
    /// A field of the top struct written as `null` (a table's rows, sent apart: `rows.rs`).
    skip: Option<&'static str>,
}

/// A struct field: its name, and whether it holds a datetime.
#[derive(Clone, Copy)]
struct Field {
    name: &'static Name,
    datetime: bool,
}

/// By the addresses of the struct's name and the field's (both `&'static str`).
type NameCache = HashMap<(usize, usize, usize), Field, BuildHasherDefault<AddrHasher>>;

thread_local! {
    /// The fast path in front of `name` and `kind_of`, kept per thread across
    /// calls: a small result (one transaction) would otherwise rebuild it every call.
    static NAME_CACHE: RefCell<NameCache> = RefCell::default();
}

impl State {
    /// Serde's name for a variant or a field outside a struct: no kind.
    fn name(&mut self, snake: &'static str) -> &'static Name {
        name(snake)
    }

    /// `value` is the field's: on first sight, it says its kind.
    fn field<T: Serialize + ?Sized>(&mut self, ty: &'static str, snake: &'static str, value: &T) -> Field {
        *self
            .names
            .entry((ty.as_ptr() as usize, snake.as_ptr() as usize, snake.len()))
            .or_insert_with(|| Field {
                name: name(snake),
                datetime: kind_of(value) == Some(FieldKind::DateTime),
            })
    }

    fn enter(&mut self) {
        let at = self.pending;
        self.path.push(at);
        if at == DYNAMIC {
            self.keys.push(std::mem::take(&mut self.pending_key));
        }
    }

    fn leave(&mut self) {
        if self.path.pop() == Some(DYNAMIC) {
            self.keys.pop();
        }
    }

    fn saw_datetime(&mut self, key: &'static str) {
        let within = &self.path[1..];
        if within.contains(&DYNAMIC) {
            let mut keys = self.keys.iter();
            let mut d: Vec<String> = within
                .iter()
                .map(|&segment| match segment {
                    DYNAMIC => keys.next().cloned().unwrap_or_default(),
                    other => other.to_owned(),
                })
                .collect();
            d.push(key.to_owned());
            if !self.keyed_dates.contains(&d) {
                self.keyed_dates.push(d);
            }
            return;
        }
        let known = self.dates.iter().any(|d| {
            d.len() == within.len() + 1 && d[..within.len()] == *within && d[within.len()] == key
        });
        if !known {
            let mut d = within.to_vec();
            d.push(key);
            self.dates.push(d);
        }
    }
}

/// Writes `[value,dates]` as ASCII JSON text.
pub fn to_json<T: Serialize + ?Sized>(
    value: &T,
    money_as_number: bool,
    capacity: usize,
) -> serde_json::Result<Vec<u8>> {
    write(value, money_as_number, capacity, None)
}

/// `to_json` with the top struct's field `skip` (snake_case) as `null`.
pub fn to_json_without<T: Serialize + ?Sized>(value: &T, money_as_number: bool, skip: &'static str) -> serde_json::Result<Vec<u8>> {
    write(value, money_as_number, 256, Some(skip))
}

fn write<T: Serialize + ?Sized>(
    value: &T,
    money_as_number: bool,
    capacity: usize,
    skip: Option<&'static str>,
) -> serde_json::Result<Vec<u8>> {
    let state = RefCell::new(State {
        money_as_number,
        path: Vec::with_capacity(8),
        pending: "",
        pending_key: String::new(),
        keys: Vec::new(),
        dates: Vec::new(),
        keyed_dates: Vec::new(),
        // Taken, not borrowed: the thread's cache is back in place however
        // this call ends, and a (never expected) nested call starts empty.
        names: NAME_CACHE.take(),
        skip,
    });
    let mut out = Vec::with_capacity(capacity);
    out.push(b'[');
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Ascii);
    let written = value.serialize(Ser {
        inner: &mut ser,
        st: &state,
        number: false,
        at: At::Other,
    });
    let mut state = state.into_inner();
    NAME_CACHE.set(std::mem::take(&mut state.names));
    written?;
    out.extend_from_slice(b",[");
    for (i, d) in state.dates.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, d)?;
    }
    for (i, d) in state.keyed_dates.iter().enumerate() {
        if i > 0 || !state.dates.is_empty() {
            out.push(b',');
        }
        // Map keys are data: ASCII-escaped like the value.
        d.serialize(&mut serde_json::Serializer::with_formatter(&mut out, Ascii))?;
    }
    out.extend_from_slice(b"]]");
    Ok(out)
}

/// serde_json's compact format with every non-ASCII character escaped.
struct Ascii;

impl Formatter for Ascii {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if fragment.is_ascii() {
            return writer.write_all(fragment.as_bytes());
        }
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if c.is_ascii() {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{:04x}", unit)?;
            }
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn write_char_escape<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        serde_json::ser::CompactFormatter.write_char_escape(writer, escape)
    }
}

/// Where a value is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum At {
    /// A struct field whose key was written as no datetime's: a datetime here
    /// would mean the cache of kinds is wrong, and is refused.
    Field,
    Other,
}

/// A value to be written through `Ser` (what compound serializers hand on).
struct W<'a, T: ?Sized> {
    value: &'a T,
    st: &'a RefCell<State>,
    number: bool,
    at: At,
}

impl<T: Serialize + ?Sized> Serialize for W<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(Ser {
            inner: s,
            st: self.st,
            number: self.number,
            at: self.at,
        })
    }
}

/// Forwards to `inner`, renaming keys and tracking where datetimes are.
struct Ser<'a, S> {
    inner: S,
    st: &'a RefCell<State>,
    /// The value is money (with `money: 'number'`) or a rate: decimal text
    /// goes out as a JSON number.
    number: bool,
    at: At,
}

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $method(self, $($arg: $ty),*) -> Result<S::Ok, S::Error> {
            self.inner.$method($($arg),*)
        })*
    };
}

impl<'a, S: Serializer> Serializer for Ser<'a, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Compound<'a, S::SerializeSeq>;
    type SerializeTuple = Compound<'a, S::SerializeTuple>;
    type SerializeTupleStruct = Compound<'a, S::SerializeTupleStruct>;
    type SerializeTupleVariant = Compound<'a, S::SerializeTupleVariant>;
    type SerializeMap = Compound<'a, S::SerializeMap>;
    type SerializeStruct = Struct<'a, S::SerializeStruct>;
    type SerializeStructVariant = Struct<'a, S::SerializeStructVariant>;

    forward! {
        serialize_bool(v: bool);
        serialize_i8(v: i8);
        serialize_i16(v: i16);
        serialize_i32(v: i32);
        serialize_i64(v: i64);
        serialize_i128(v: i128);
        serialize_u8(v: u8);
        serialize_u16(v: u16);
        serialize_u32(v: u32);
        serialize_u64(v: u64);
        serialize_u128(v: u128);
        serialize_f32(v: f32);
        serialize_f64(v: f64);
        serialize_char(v: char);
        serialize_bytes(v: &[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
    }

    fn serialize_str(self, v: &str) -> Result<S::Ok, S::Error> {
        if self.number {
            decimal_number(self.inner, v)
        } else {
            self.inner.serialize_str(v)
        }
    }

    fn collect_str<T: std::fmt::Display + ?Sized>(self, v: &T) -> Result<S::Ok, S::Error> {
        if self.number {
            decimal_number(self.inner, &v.to_string())
        } else {
            self.inner.collect_str(v)
        }
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.inner.serialize_some(&W {
            value,
            st: self.st,
            number: self.number,
            at: self.at,
        })
    }

    /// A value under its kind's name: money and rates may become numbers.
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        let number = match FieldKind::from_tag(name) {
            None => {
                return self.inner.serialize_newtype_struct(
                    name,
                    &W {
                        value,
                        st: self.st,
                        number: self.number,
                        at: self.at,
                    },
                );
            }
            Some(FieldKind::Money) => self.st.borrow().money_as_number,
            Some(FieldKind::Ratio) => true,
            Some(FieldKind::DateTime) if self.at == At::Field => {
                return Err(ser::Error::custom(
                    "a struct field held a datetime after a value of another kind",
                ));
            }
            Some(FieldKind::DateTime | FieldKind::Date) => false,
        };
        value.serialize(Ser {
            inner: self.inner,
            st: self.st,
            number,
            at: At::Other,
        })
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        let variant = self.st.borrow_mut().name(variant).camel;
        self.inner.serialize_newtype_variant(
            name,
            index,
            variant,
            &W {
                value,
                st: self.st,
                number: false,
                at: At::Other,
            },
        )
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.st.borrow_mut().enter();
        Ok(Compound {
            inner: self.inner.serialize_seq(len)?,
            st: self.st,
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.st.borrow_mut().enter();
        Ok(Compound {
            inner: self.inner.serialize_tuple(len)?,
            st: self.st,
        })
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.st.borrow_mut().enter();
        Ok(Compound {
            inner: self.inner.serialize_tuple_struct(name, len)?,
            st: self.st,
        })
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        let variant = {
            let mut st = self.st.borrow_mut();
            st.enter();
            st.name(variant).camel
        };
        Ok(Compound {
            inner: self
                .inner
                .serialize_tuple_variant(name, index, variant, len)?,
            st: self.st,
        })
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.st.borrow_mut().enter();
        Ok(Compound {
            inner: self.inner.serialize_map(len)?,
            st: self.st,
        })
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        // serde_json's own tokens (arbitrary-precision numbers, raw values)
        // must reach it untouched.
        if name.starts_with("$serde_json::") {
            return Ok(Struct {
                inner: self.inner.serialize_struct(name, len)?,
                st: self.st,
                ty: name,
                pass: true,
            });
        }
        self.st.borrow_mut().enter();
        Ok(Struct {
            inner: self.inner.serialize_struct(name, len)?,
            st: self.st,
            ty: name,
            pass: false,
        })
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        let variant = {
            let mut st = self.st.borrow_mut();
            st.enter();
            st.name(variant).camel
        };
        Ok(Struct {
            inner: self
                .inner
                .serialize_struct_variant(name, index, variant, len)?,
            st: self.st,
            ty: variant,
            pass: false,
        })
    }
}

/// A decimal as a JSON number: the text is kept, so JS reads the same
/// double as `Number(text)`.
fn decimal_number<S: Serializer>(s: S, text: &str) -> Result<S::Ok, S::Error> {
    serde_json::Number::from_str(text)
        .map_err(|_| ser::Error::custom(format!("`{text}` is not a JSON number")))?
        .serialize(s)
}

/// Sequences, tuples and maps.
struct Compound<'a, C> {
    inner: C,
    st: &'a RefCell<State>,
}

impl<C> Compound<'_, C> {
    fn element(&self) {
        self.st.borrow_mut().pending = EVERY;
    }
}

macro_rules! elements {
    ($($trait:ident::$method:ident),*) => {
        $(impl<C: $trait> $trait for Compound<'_, C> {
            type Ok = C::Ok;
            type Error = C::Error;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
                self.element();
                self.inner.$method(&W { value, st: self.st, number: false, at: At::Other })
            }

            fn end(self) -> Result<C::Ok, C::Error> {
                self.st.borrow_mut().leave();
                self.inner.end()
            }
        })*
    };
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl<C: SerializeMap> SerializeMap for Compound<'_, C> {
    type Ok = C::Ok;
    type Error = C::Error;

    /// Map keys are data, not field names, but `decodeResult` camelCased
    /// every key; keep that for string keys. No result has a map today.
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), C::Error> {
        // The key as the parsed JSON has it, for the paths of datetimes under it.
        let (text, written) = match serde_json::to_value(key) {
            Ok(serde_json::Value::String(k)) => {
                let camel = to_camel(&k);
                let written = self.inner.serialize_key(&camel);
                (camel, written)
            }
            Ok(serde_json::Value::Number(n)) => (n.to_string(), self.inner.serialize_key(key)),
            Ok(serde_json::Value::Bool(b)) => (b.to_string(), self.inner.serialize_key(key)),
            _ => (String::new(), self.inner.serialize_key(key)),
        };
        let mut st = self.st.borrow_mut();
        st.pending = DYNAMIC;
        st.pending_key = text;
        written
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.st.borrow_mut().pending = DYNAMIC;
        self.inner.serialize_value(&W {
            value,
            st: self.st,
            number: false,
            at: At::Other,
        })
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        self.st.borrow_mut().leave();
        self.inner.end()
    }
}

/// Structs and struct variants: where names are renamed and datetimes split.
struct Struct<'a, C> {
    inner: C,
    st: &'a RefCell<State>,
    /// The struct's (or variant's) name: with a field's, what its kind is cached by.
    ty: &'static str,
    /// A serde_json token: forward as is.
    pass: bool,
}

macro_rules! fields {
    ($($trait:ident),*) => {
        $(impl<C: $trait> $trait for Struct<'_, C> {
            type Ok = C::Ok;
            type Error = C::Error;

            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), C::Error> {
                if self.pass {
                    return self.inner.serialize_field(key, value);
                }
                let field = {
                    let mut st = self.st.borrow_mut();
                    if st.path.len() == 1 && st.skip == Some(key) {
                        let name = st.name(key).camel;
                        drop(st);
                        return self.inner.serialize_field(name, &());
                    }
                    let field = st.field(self.ty, key, value);
                    st.pending = field.name.camel;
                    field
                };
                let name = field.name;
                if field.datetime {
                    // Known from an earlier value of this field: this one must agree.
                    if kind_of(value) != Some(FieldKind::DateTime) {
                        return Err(ser::Error::custom(format!("`{key}` held a datetime, then a value of another kind")));
                    }
                    self.st.borrow_mut().saw_datetime(name.camel);
                    self.inner.serialize_field(name.camel, &())?;
                    self.inner.serialize_field(name.raw, &W { value, st: self.st, number: false, at: At::Other })
                } else {
                    self.inner.serialize_field(name.camel, &W { value, st: self.st, number: false, at: At::Field })
                }
            }

            fn skip_field(&mut self, key: &'static str) -> Result<(), C::Error> {
                self.inner.skip_field(key)
            }

            fn end(self) -> Result<C::Ok, C::Error> {
                if !self.pass {
                    self.st.borrow_mut().leave();
                }
                self.inner.end()
            }
        })*
    };
}

fields!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    fn text<T: Serialize>(value: &T, money_as_number: bool) -> String {
        String::from_utf8(to_json(value, money_as_number, 0).unwrap()).unwrap()
    }

    #[test]
    fn camel_case_like_the_wrapper() {
        assert_eq!(to_camel("card_no_masked"), "cardNoMasked");
        assert_eq!(to_camel("plus_installment_2"), "plusInstallment2");
        assert_eq!(to_camel("x__y"), "x_Y");
        assert_eq!(to_camel("a_B"), "a_B");
        assert_eq!(to_camel("trailing_"), "trailing_");
    }

    /// `value` under `kind`'s name, as core's models serialize it.
    struct K<T>(FieldKind, T);

    impl<T: Serialize> Serialize for K<T> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_newtype_struct(self.0.tag(), &self.1)
        }
    }

    #[test]
    fn a_report_in_the_js_shape() {
        let row = serde_json::json!({"xact_date": "2030-01-15T12:00:00+03:00", "amount": "12.50"});
        #[derive(Serialize)]
        struct Row {
            xact_date: K<Option<String>>,
            amount: K<Option<String>>,
            ratio: K<&'static str>,
            end_user_ratio: K<serde_json::Number>,
            bank_name: &'static str,
        }
        #[derive(Serialize)]
        struct Report {
            total_count: i64,
            rows: Vec<Row>,
        }
        let make = || Row {
            xact_date: K(FieldKind::DateTime, row["xact_date"].as_str().map(str::to_owned)),
            amount: K(FieldKind::Money, row["amount"].as_str().map(str::to_owned)),
            ratio: K(FieldKind::Ratio, "0.0199"),
            end_user_ratio: K(FieldKind::Ratio, "0.5".parse().unwrap()),
            bank_name: "Paynet A.Ş. 🙂",
        };
        let report = Report {
            total_count: 2,
            rows: vec![make(), make()],
        };
        let one = r#"{"xactDate":null,"xactDateRaw":"2030-01-15T12:00:00+03:00","amount":"12.50","ratio":0.0199,"endUserRatio":0.5,"bankName":"Paynet A.\u015e. \ud83d\ude42"}"#;
        assert_eq!(
            text(&report, false),
            format!(r#"[{{"totalCount":2,"rows":[{one},{one}]}},[["rows","*","xactDate"]]]"#)
        );
        assert!(text(&report, true).contains(r#""amount":12.50,"#));
        let parsed: serde_json::Value = serde_json::from_str(&text(&report, false)).unwrap();
        assert_eq!(parsed[0]["rows"][0]["bankName"], "Paynet A.Ş. 🙂");
    }

    #[test]
    fn an_absent_datetime_is_still_a_datetime() {
        #[derive(Serialize)]
        struct T {
            xact_date: K<Option<String>>,
        }
        let t = T { xact_date: K(FieldKind::DateTime, None) };
        assert_eq!(text(&t, false), r#"[{"xactDate":null,"xactDateRaw":null},[["xactDate"]]]"#);
    }

    /// Kinds are the values' types', not their names': one name, two kinds.
    #[test]
    fn two_models_may_give_one_name_two_kinds() {
        #[derive(Serialize)]
        struct Settlement {
            date: K<&'static str>,
            fee: K<&'static str>,
        }
        #[derive(Serialize)]
        struct Event {
            date: K<&'static str>,
            fee: K<&'static str>,
            note: &'static str,
        }
        #[derive(Serialize)]
        struct Both {
            settlement: Settlement,
            events: Vec<Event>,
        }
        let both = Both {
            settlement: Settlement { date: K(FieldKind::Date, "2030-01-15"), fee: K(FieldKind::Money, "1.50") },
            events: vec![Event { date: K(FieldKind::DateTime, "2030-01-15T12:00:00+03:00"), fee: K(FieldKind::Ratio, "0.02"), note: "x" }],
        };
        assert_eq!(
            text(&both, true),
            r#"[{"settlement":{"date":"2030-01-15","fee":1.50},"events":[{"date":null,"dateRaw":"2030-01-15T12:00:00+03:00","fee":0.02,"note":"x"}]},[["events","*","date"]]]"#
        );
        assert_eq!(
            text(&both, false),
            r#"[{"settlement":{"date":"2030-01-15","fee":"1.50"},"events":[{"date":null,"dateRaw":"2030-01-15T12:00:00+03:00","fee":0.02,"note":"x"}]},[["events","*","date"]]]"#
        );
    }

    /// A field's kind is learned once; a later value of another kind is refused, not mis-shaped.
    #[test]
    fn a_field_that_changes_kind_is_refused() {
        /// A datetime or plain text: what no model has.
        struct Either(bool);
        impl Serialize for Either {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                if self.0 { s.serialize_newtype_struct(FieldKind::DateTime.tag(), "2030-01-15T12:00:00+03:00") } else { s.serialize_str("plain") }
            }
        }
        #[derive(Serialize)]
        struct Changing {
            changing_when: Either,
        }
        #[derive(Serialize)]
        struct Changing2 {
            changing_when: Either,
        }
        let rows = |a, b| vec![Changing { changing_when: Either(a) }, Changing { changing_when: Either(b) }];
        assert!(to_json(&rows(true, true), false, 0).is_ok());
        assert!(to_json(&rows(true, false), false, 0).is_err());
        let rows = |a, b| vec![Changing2 { changing_when: Either(a) }, Changing2 { changing_when: Either(b) }];
        assert!(to_json(&rows(false, false), false, 0).is_ok());
        assert!(to_json(&rows(false, true), false, 0).is_err());
    }

    #[test]
    fn a_datetime_under_a_map_has_a_path_through_its_key() {
        let mut m = std::collections::BTreeMap::new();
        #[derive(Serialize)]
        struct T {
            xact_date: K<&'static str>,
        }
        m.insert(
            "some_key",
            T {
                xact_date: K(FieldKind::DateTime, "2030-01-15T12:00:00+03:00"),
            },
        );
        m.insert("ğ", T { xact_date: K(FieldKind::DateTime, "2030-01-16T12:00:00+03:00") });
        assert_eq!(
            text(&m, false),
            r#"[{"someKey":{"xactDate":null,"xactDateRaw":"2030-01-15T12:00:00+03:00"},"\u011f":{"xactDate":null,"xactDateRaw":"2030-01-16T12:00:00+03:00"}},[["someKey","xactDate"],["\u011f","xactDate"]]]"#
        );
    }
}
