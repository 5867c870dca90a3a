//! Core's typed result → the JSON text `lib/convert.js` parses, in one pass.
//!
//! The text is already in the JS shape, so the wrapper's only per-row work
//! is turning timestamps into `Date`s:
//!
//! - keys are camelCase (struct field names are `&'static str`: converted
//!   once per process and cached);
//! - a datetime field `x_date` is written as `"xDate":null,"xDateRaw":"…"`;
//!   the wrapper fills `xDate` from the raw text;
//! - money fields are exact decimal strings, or JSON numbers with
//!   `money: 'number'`; rates are always JSON numbers. A number keeps the
//!   decimal text, so JS reads the same double `Number(text)` gives;
//! - the text is ASCII only (other characters as `\u` escapes), so it becomes
//!   a one-byte JS string with a plain copy instead of a UTF-8 decode.
//!
//! The whole answer is `[value,dates]`: `dates` lists where datetime fields
//! are, as key paths with `"*"` for "every element of this array"
//! (`[["rows","*","xactDate"]]`), so the wrapper visits only those objects.
//! It is `null` when a datetime sits under a map (dynamic keys, none today):
//! the wrapper then walks the whole value.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Write};
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};

use paynet_core::schema::{FieldKind, field_kind};
use serde::ser::{
    self, Serialize, SerializeMap, SerializeSeq, SerializeStruct, SerializeStructVariant,
    SerializeTuple, SerializeTupleStruct, SerializeTupleVariant, Serializer,
};
use serde_json::ser::{CharEscape, Formatter};

/// One result field name, as the wrapper sees it.
struct Name {
    camel: &'static str,
    /// `camel + "Raw"` for datetime fields.
    raw: &'static str,
    kind: Option<FieldKind>,
}

/// Process-wide: at most one leaked `Name` per distinct field name (a few
/// dozen), so the `&'static str` serde_json wants costs nothing per call.
fn name(snake: &'static str) -> &'static Name {
    static NAMES: OnceLock<Mutex<HashMap<&'static str, &'static Name>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    names.entry(snake).or_insert_with(|| {
        let camel: &'static str = Box::leak(to_camel(snake).into_boxed_str());
        let kind = field_kind(snake);
        let raw = if kind == Some(FieldKind::DateTime) {
            Box::leak(format!("{camel}Raw").into_boxed_str())
        } else {
            camel
        };
        Box::leak(Box::new(Name { camel, raw, kind }))
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
    dates: Vec<Vec<&'static str>>,
    /// A datetime under a map: the wrapper must walk everything.
    dates_anywhere: bool,
    names: NameCache,
}

type NameCache = HashMap<(usize, usize), &'static Name, BuildHasherDefault<AddrHasher>>;

thread_local! {
    /// The fast path in front of `name`, kept per thread across calls: a
    /// small result (one transaction) would otherwise rebuild it every call.
    static NAME_CACHE: RefCell<NameCache> = RefCell::default();
}

impl State {
    fn name(&mut self, snake: &'static str) -> &'static Name {
        self.names
            .entry((snake.as_ptr() as usize, snake.len()))
            .or_insert_with(|| name(snake))
    }

    fn enter(&mut self) {
        let at = self.pending;
        self.path.push(at);
    }

    fn leave(&mut self) {
        self.path.pop();
    }

    fn saw_datetime(&mut self, key: &'static str) {
        let within = &self.path[1..];
        if within.contains(&DYNAMIC) {
            self.dates_anywhere = true;
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
    let state = RefCell::new(State {
        money_as_number,
        path: Vec::with_capacity(8),
        pending: "",
        dates: Vec::new(),
        dates_anywhere: false,
        // Taken, not borrowed: the thread's cache is back in place however
        // this call ends, and a (never expected) nested call starts empty.
        names: NAME_CACHE.take(),
    });
    let mut out = Vec::with_capacity(capacity);
    out.push(b'[');
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Ascii);
    let written = value.serialize(Ser {
        inner: &mut ser,
        st: &state,
        number: false,
    });
    let mut state = state.into_inner();
    NAME_CACHE.set(std::mem::take(&mut state.names));
    written?;
    out.push(b',');
    if state.dates_anywhere {
        out.extend_from_slice(b"null");
    } else {
        serde_json::to_writer(&mut out, &state.dates)?;
    }
    out.push(b']');
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

/// A value to be written through `Ser` (what compound serializers hand on).
struct W<'a, T: ?Sized> {
    value: &'a T,
    st: &'a RefCell<State>,
    number: bool,
}

impl<T: Serialize + ?Sized> Serialize for W<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(Ser {
            inner: s,
            st: self.st,
            number: self.number,
        })
    }
}

/// Forwards to `inner`, renaming keys and tracking where datetimes are.
struct Ser<'a, S> {
    inner: S,
    st: &'a RefCell<State>,
    /// The value is a money field (with `money: 'number'`) or a rate:
    /// decimal text goes out as a JSON number.
    number: bool,
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
        })
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.inner.serialize_newtype_struct(
            name,
            &W {
                value,
                st: self.st,
                number: self.number,
            },
        )
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
                pass: true,
            });
        }
        self.st.borrow_mut().enter();
        Ok(Struct {
            inner: self.inner.serialize_struct(name, len)?,
            st: self.st,
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
                self.inner.$method(&W { value, st: self.st, number: false })
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
        self.st.borrow_mut().pending = DYNAMIC;
        match serde_json::to_value(key) {
            Ok(serde_json::Value::String(k)) => self.inner.serialize_key(&to_camel(&k)),
            _ => self.inner.serialize_key(key),
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.st.borrow_mut().pending = DYNAMIC;
        self.inner.serialize_value(&W {
            value,
            st: self.st,
            number: false,
        })
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        self.st.borrow_mut().leave();
        self.inner.end()
    }
}

/// Structs and struct variants: where names are renamed and kinds applied.
struct Struct<'a, C> {
    inner: C,
    st: &'a RefCell<State>,
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
                let (name, money_as_number) = {
                    let mut st = self.st.borrow_mut();
                    let name = st.name(key);
                    st.pending = name.camel;
                    (name, st.money_as_number)
                };
                match name.kind {
                    Some(FieldKind::DateTime) => {
                        self.st.borrow_mut().saw_datetime(name.camel);
                        self.inner.serialize_field(name.camel, &())?;
                        self.inner.serialize_field(name.raw, &W { value, st: self.st, number: false })
                    }
                    Some(FieldKind::Money) if money_as_number => {
                        self.inner.serialize_field(name.camel, &W { value, st: self.st, number: true })
                    }
                    Some(FieldKind::Ratio) => {
                        self.inner.serialize_field(name.camel, &W { value, st: self.st, number: true })
                    }
                    _ => self.inner.serialize_field(name.camel, &W { value, st: self.st, number: false }),
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

    #[test]
    fn a_report_in_the_js_shape() {
        let row = serde_json::json!({"xact_date": "2030-01-15T12:00:00+03:00", "amount": "12.50"});
        #[derive(Serialize)]
        struct Row {
            xact_date: Option<String>,
            amount: Option<String>,
            ratio: &'static str,
            end_user_ratio: serde_json::Number,
            bank_name: &'static str,
        }
        #[derive(Serialize)]
        struct Report {
            total_count: i64,
            rows: Vec<Row>,
        }
        let make = || Row {
            xact_date: row["xact_date"].as_str().map(str::to_owned),
            amount: row["amount"].as_str().map(str::to_owned),
            ratio: "0.0199",
            end_user_ratio: "0.5".parse().unwrap(),
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
    fn a_datetime_under_a_map_asks_for_a_full_walk() {
        let mut m = std::collections::BTreeMap::new();
        #[derive(Serialize)]
        struct T {
            xact_date: &'static str,
        }
        m.insert(
            "some_key",
            T {
                xact_date: "2030-01-15T12:00:00+03:00",
            },
        );
        assert_eq!(
            text(&m, false),
            r#"[{"someKey":{"xactDate":null,"xactDateRaw":"2030-01-15T12:00:00+03:00"}},null]"#
        );
    }
}
