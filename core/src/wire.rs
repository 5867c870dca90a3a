//! Paynet's wire conventions, in one place.
//!
//! Requests: how each money field travels ([`MoneyWire`]). Responses: Paynet is
//! inconsistent (numbers or numeric strings, `""` and `null` for absent,
//! `"True"`, three date formats), so responses are read through [`Reader`],
//! which accepts every encoding the reference documents and nothing looser.

use std::borrow::Cow;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Number, Value};

use crate::error::Error;
use crate::money::Money;

/// Turkey has been on UTC+3 all year since 2016; Paynet prints naive local times.
pub fn istanbul() -> FixedOffset {
    FixedOffset::east_opt(3 * 3600).expect("+03:00 is a valid offset")
}

/// How one money field is encoded on the wire. Declared per endpoint field
/// (`#[spec(money = "...")]` on the parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, crate::spec::Doc)]
pub enum MoneyWire {
    /// A JSON number in TL: `12.50` (v2/transaction/payment per S001).
    DecimalNumber,
    /// A string in TL with a decimal comma: `"12,50"` (what the newer docs and
    /// most PHP/.NET clients send for payment and tds_initial).
    CommaString,
    /// A string in kuruş, ×100: `"1250"` (charge, capture, reversed_request).
    KurusString,
}

impl MoneyWire {
    pub const ALL: [MoneyWire; 3] = [MoneyWire::DecimalNumber, MoneyWire::CommaString, MoneyWire::KurusString];

    /// The name in docs and the exported spec.
    pub fn as_str(self) -> &'static str {
        match self {
            MoneyWire::DecimalNumber => "decimal_number",
            MoneyWire::CommaString => "comma_string",
            MoneyWire::KurusString => "kurus_string",
        }
    }

    pub fn encode(self, m: Money) -> Value {
        match self {
            MoneyWire::DecimalNumber => Value::Number(exact_number(&m.to_string())),
            MoneyWire::CommaString => Value::String(m.to_string().replace('.', ",")),
            MoneyWire::KurusString => Value::String(m.kurus().to_string()),
        }
    }
}

/// A JSON number token with exactly this text (serde_json runs with
/// `arbitrary_precision`, so `12.50` stays `12.50`, never a float).
fn exact_number(text: &str) -> Number {
    serde_json::from_str(text).expect("Money always formats as a valid JSON number")
}

/// A body that must be one JSON object; anything else is a protocol error,
/// and so is a key repeated in any object of it (serde_json would keep the
/// last one silently: `{"is_succeed": false, …, "is_succeed": true}`).
pub fn parse_object(body: &[u8]) -> Result<Map<String, Value>, Error> {
    let obj = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(obj)) => obj,
        _ => return Err(Error::protocol("Paynet's answer is not a JSON object", body)),
    };
    match serde_json::from_slice::<NoRepeatedKeys>(body) {
        Ok(_) => Ok(obj),
        Err(e) => Err(Error::protocol(
            format!("Paynet's answer repeats a key ({e}): which one counts is anyone's guess, so it is not believed"),
            body,
        )),
    }
}

/// A second pass over a (small) body that only looks for repeated keys.
struct NoRepeatedKeys;

impl<'de> Deserialize<'de> for NoRepeatedKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoRepeatedKeys)
    }
}

impl<'de> serde::de::Visitor<'de> for NoRepeatedKeys {
    type Value = NoRepeatedKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<NoRepeatedKeys>()?.is_some() {}
        Ok(self)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut keys: Vec<Cow<'de, str>> = Vec::new();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            if keys.contains(&key) {
                return Err(serde::de::Error::custom(format_args!("`{key}`")));
            }
            map.next_value::<NoRepeatedKeys>()?;
            keys.push(key);
        }
        Ok(self)
    }
}

/// One field of a Paynet object as its JSON encoding gave it.
pub enum Scalar<'a> {
    Bool(bool),
    /// The number's text, exactly as sent (`3500.0000`).
    Number(&'a str),
    Text(Cow<'a, str>),
    /// An array or object where a scalar was expected.
    Nested,
}

/// Where a [`Reader`] finds fields: a parsed JSON map, or a row borrowed
/// straight from the body text (see [`RawObject`]).
pub trait Fields {
    /// `None` for absent and `null`.
    fn scalar(&self, name: &str) -> Option<Scalar<'_>>;

    /// The fields not named in `known` (nor the envelope's `code`, `message`,
    /// `object_name`), as JSON text; `None` when there are none, or when
    /// the fields cannot be listed (a streamed report row).
    fn other_fields(&self, _known: &[&str]) -> Option<String> {
        None
    }
}

/// The answer's own envelope: never an "other" field.
const ENVELOPE: [&str; 4] = ["code", "message", "object_name", "result_code"];

impl Fields for Map<String, Value> {
    fn other_fields(&self, known: &[&str]) -> Option<String> {
        let rest: Map<String, Value> = self
            .iter()
            .filter(|(key, value)| !value.is_null() && !known.contains(&key.as_str()) && !ENVELOPE.contains(&key.as_str()))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        (!rest.is_empty()).then(|| Value::Object(rest).to_string())
    }

    fn scalar(&self, name: &str) -> Option<Scalar<'_>> {
        Some(match self.get(name)? {
            Value::Null => return None,
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Number(n) => Scalar::Number(n.as_str()),
            Value::String(s) => Scalar::Text(Cow::Borrowed(s)),
            Value::Array(_) | Value::Object(_) => Scalar::Nested,
        })
    }
}

/// A JSON object whose values stay unparsed slices of the body (each as
/// `RawValue::get` gives it): reading a large report this way allocates only
/// for the strings kept in the result. A report row has a few dozen keys, so
/// a list beats hashing them.
#[cfg_attr(test, derive(Debug))]
pub struct RawObject<'a>(Vec<(Cow<'a, str>, &'a str)>, Plain);

/// Whether an object was read by the scan ([`crate::flat_object`]), which
/// reads no string with an escape: its strings are their own text.
#[cfg_attr(test, derive(Debug))]
#[derive(Clone, Copy)]
struct Plain(bool);

/// Two objects are the same when their fields are, however they were read.
#[cfg(test)]
impl PartialEq for RawObject<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<'de> Deserialize<'de> for RawObject<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> serde::de::Visitor<'de> for ObjectVisitor {
            type Value = RawObject<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(32));
                while let Some((Key(key), value)) = map.next_entry::<Key<'de>, &'de RawValue>()? {
                    fields.push((key, value.get()));
                }
                Ok(RawObject(fields, Plain(false)))
            }
        }
        d.deserialize_map(ObjectVisitor)
    }
}

impl<'a> RawObject<'a> {
    /// The object that is all of `text`, read as serde_json reads it: in one
    /// pass when it is a plain flat row ([`crate::flat_object`]), by
    /// serde_json otherwise.
    pub fn read(text: &'a [u8]) -> serde_json::Result<RawObject<'a>> {
        Self::read_into(text, Vec::new())
    }

    /// As `read`, the fields kept in `fields`' memory (a row read before,
    /// given back by `into_memory`): a row's list of fields is too long for
    /// the allocator's per-thread cache, and a report has many rows.
    fn read_into(text: &'a [u8], mut fields: Vec<(Cow<'a, str>, &'a str)>) -> serde_json::Result<RawObject<'a>> {
        if crate::flat_object::scan(text, &mut fields) { Ok(RawObject(fields, Plain(true))) } else { serde_json::from_slice(text) }
    }

    /// The row's list of fields, emptied, for another row (of any text) to
    /// be read into.
    fn into_memory<'b>(self) -> Vec<(Cow<'b, str>, &'b str)> {
        let mut fields = self.0;
        fields.clear();
        // Empty, the list borrows nothing: collected in place (the same
        // memory), it only changes lifetime.
        fields.into_iter().map(|_| (Cow::Borrowed(""), "")).collect()
    }

    /// A key that occurs twice in the row, if any. Rows are many and keys
    /// few, so a 64-bit sketch of (length, first and last byte) spares the
    /// pairwise comparison unless two keys already look alike.
    pub fn repeated_key(&self) -> Option<&str> {
        let mut sketch = 0u64;
        let mut suspect = false;
        for (key, _) in &self.0 {
            let b = key.as_bytes();
            let mix = b.len() * 7 + usize::from(b.first().copied().unwrap_or(0)) * 3 + usize::from(b.last().copied().unwrap_or(0));
            let bit = 1u64 << (mix % 64);
            suspect |= sketch & bit != 0;
            sketch |= bit;
        }
        if !suspect {
            return None;
        }
        self.0.iter().enumerate().find_map(|(i, (key, _))| self.0[..i].iter().any(|(k, _)| k == key).then_some(key.as_ref()))
    }
}

/// A key borrowed from the body unless it had escapes to undo.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> serde::de::Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl Fields for RawObject<'_> {
    fn scalar(&self, name: &str) -> Option<Scalar<'_>> {
        scalar_of(self.0.iter().find(|(key, _)| key == name)?.1, self.1)
    }
}

/// The keys of a list's rows in their order, learned from one row and
/// checked against the next: the rows of a report share one layout, which
/// spares each row the list of its keys, the search for a repeated key and
/// for each field by name.
#[derive(Default)]
pub struct RowLayout {
    keys: Vec<Box<str>>,
    /// Whether every key is plain (`flat_object::plain_key`): a row is then
    /// read by comparing its keys with these where they stand.
    plain_keys: bool,
    /// Each name read, by its address and length, in the order they were
    /// read (a row model reads its fields by the same literals, in the same
    /// order, every row): where it is among `keys`, and the name itself.
    found: std::cell::RefCell<Vec<Found>>,
    /// The memory of the last row's values, for the next one.
    values: Vec<&'static str>,
    /// The memory of the last row's list of fields, for the next row whose
    /// keys are not the layout's.
    memory: Vec<(Cow<'static, str>, &'static str)>,
}

struct Found {
    id: (usize, usize),
    /// `None`: absent from `keys`.
    index: Option<usize>,
    name: Box<str>,
}

impl RowLayout {
    /// `with` of the row that is all of `text`, read as `RawObject::read`
    /// reads it: by its values alone when its keys are the last row's.
    /// `None` when the text is no object serde_json reads, or repeats a key
    /// (`fit` of `RawObject::read` says which).
    pub fn read<'a, T>(&mut self, text: &'a [u8], with: impl FnOnce(&LaidOut<'_, 'a>) -> T) -> Option<T> {
        if self.plain_keys {
            let mut values = lend(std::mem::take(&mut self.values));
            if crate::flat_object::scan_known(text, &self.keys, &mut values) {
                let read = with(&LaidOut::new(&values, Plain(true), self));
                self.values = lend(values);
                return Some(read);
            }
            self.values = lend(values);
        }
        // Empty and of the longest lifetime, the memory serves any row's.
        let row = RawObject::read_into(text, std::mem::take(&mut self.memory)).ok()?;
        let read = self.fit(&row, with).ok();
        self.memory = row.into_memory();
        read
    }

    /// `with` of `row`, read through this layout; `Err` names a key the row repeats.
    pub fn fit<'r, 'a, T>(&mut self, row: &'r RawObject<'a>, with: impl FnOnce(&LaidOut<'_, 'a>) -> T) -> Result<T, &'r str> {
        let same = self.keys.len() == row.0.len() && self.keys.iter().zip(&row.0).all(|(known, (key, _))| same_text(known, key));
        if !same {
            if let Some(key) = row.repeated_key() {
                return Err(key);
            }
            self.keys = row.0.iter().map(|(key, _)| Box::from(key.as_ref())).collect();
            self.plain_keys = self.keys.iter().all(|key| crate::flat_object::plain_key(key));
            self.found.get_mut().clear();
        }
        let mut values = lend(std::mem::take(&mut self.values));
        values.extend(row.0.iter().map(|(_, value)| *value));
        let read = with(&LaidOut::new(&values, row.1, self));
        self.values = lend(values);
        Ok(read)
    }
}

/// `values`' memory, emptied, for values of another lifetime: empty, the
/// list borrows nothing, and collected in place (the same memory) it only
/// changes lifetime.
fn lend<'b>(mut values: Vec<&str>) -> Vec<&'b str> {
    values.clear();
    values.into_iter().map(|_| "").collect()
}

/// A row whose keys are its layout's (no key repeated): its values, in the
/// order of the layout's keys.
pub struct LaidOut<'r, 'a> {
    values: &'r [&'a str],
    plain: Plain,
    layout: &'r RowLayout,
    /// Names read so far: the next is most likely the next in `found`.
    reads: std::cell::Cell<usize>,
}

impl<'r, 'a> LaidOut<'r, 'a> {
    fn new(values: &'r [&'a str], plain: Plain, layout: &'r RowLayout) -> LaidOut<'r, 'a> {
        LaidOut { values, plain, layout, reads: std::cell::Cell::new(0) }
    }
}

impl Fields for LaidOut<'_, '_> {
    fn scalar(&self, name: &str) -> Option<Scalar<'_>> {
        let id = (name.as_ptr() as usize, name.len());
        let keys = &self.layout.keys;
        let mut found = self.layout.found.borrow_mut();
        let read = self.reads.replace(self.reads.get() + 1);
        let known = found.get(read).filter(|f| f.id == id).or_else(|| found.iter().find(|f| f.id == id));
        // Checked even when known: a name read from another address of the
        // same length may be another name.
        let index = match known {
            Some(Found { index: Some(index), .. }) if same_text(&keys[*index], name) => Some(*index),
            Some(Found { index: None, name: absent, .. }) if same_text(absent, name) => None,
            Some(_) => keys.iter().position(|key| &**key == name),
            None => {
                let index = keys.iter().position(|key| &**key == name);
                found.push(Found { id, index, name: name.into() });
                index
            }
        };
        scalar_of(self.values[index?], self.plain)
    }
}

/// `a == b`, inline for texts as short as keys (a call to `memcmp` per
/// key costs more than the comparison, and a row's keys are compared with
/// its layout's on every row).
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(&s[at..at + 8]);
        u64::from_le_bytes(bytes)
    };
    let half = |s: &[u8], at: usize| {
        let mut bytes = [0; 4];
        bytes.copy_from_slice(&s[at..at + 4]);
        u32::from_le_bytes(bytes)
    };
    // Two reads that overlap cover a text of up to twice their width.
    match n {
        0..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

/// `s.trim().is_empty()`, without trimming a text that starts with a
/// visible ASCII character (nearly every value of a report).
fn blank(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b) if b.is_ascii_graphic() => false,
        _ => s.trim().is_empty(),
    }
}

/// `text` as `Decimal::from_str` reads it (digits and scale kept, `-0`
/// negative), when it is `-?digits(.digits)?` of at most 19 digits: a report
/// has half a million amounts and rates, and the general parser costs several
/// times this loop. `None` for anything else, left to the general parser.
fn plain_decimal(text: &str) -> Option<Decimal> {
    let bytes = text.as_bytes();
    let (negative, digits) = match bytes.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, bytes),
    };
    let (whole, fraction) = match digits.iter().position(|&b| b == b'.') {
        Some(point) => (&digits[..point], &digits[point + 1..]),
        None => (digits, &[][..]),
    };
    let has_point = whole.len() != digits.len();
    if whole.is_empty() || (has_point && fraction.is_empty()) || whole.len() + fraction.len() > 19 {
        return None;
    }
    let mut mantissa: u64 = 0;
    for &b in whole.iter().chain(fraction) {
        if !b.is_ascii_digit() {
            return None;
        }
        // 19 digits stay below 2^64.
        mantissa = mantissa * 10 + u64::from(b - b'0');
    }
    let scale = u32::try_from(fraction.len()).ok()?;
    Some(Decimal::from_parts(mantissa as u32, (mantissa >> 32) as u32, 0, negative, scale))
}

/// One value of a [`RawObject`] as the scalar it is.
fn scalar_of(raw: &str, plain: Plain) -> Option<Scalar<'_>> {
    Some(match raw.as_bytes().first()? {
        b'n' => return None,
        b't' => Scalar::Bool(true),
        b'f' => Scalar::Bool(false),
        b'[' | b'{' => Scalar::Nested,
        b'"' if plain.0 || !raw.contains('\\') => Scalar::Text(Cow::Borrowed(&raw[1..raw.len() - 1])),
        b'"' => Scalar::Text(Cow::Owned(serde_json::from_str(raw).ok()?)),
        _ => Scalar::Number(raw),
    })
}

/// Reads one JSON object leniently; every accessor names the field on error.
pub struct Reader<'a, F: Fields + ?Sized = Map<String, Value>> {
    obj: &'a F,
}

impl<'a, F: Fields + ?Sized> Reader<'a, F> {
    pub fn new(obj: &'a F) -> Reader<'a, F> {
        Reader { obj }
    }

    /// The answer's fields not in `known`, as JSON text (`Fields::other_fields`).
    pub fn other_fields(&self, known: &[&str]) -> Option<String> {
        self.obj.other_fields(known)
    }

    /// The first present, non-empty value among `names` (Paynet spells some
    /// fields differently per endpoint).
    fn raw<'n>(&self, names: &[&'n str]) -> Option<(&'n str, Scalar<'a>)> {
        names.iter().find_map(|n| match self.obj.scalar(n)? {
            Scalar::Text(s) if blank(&s) => None,
            v => Some((*n, v)),
        })
    }

    /// A list or object where text belongs is no text at all: read as
    /// absent, so `"xact_id": {}` can never pass for an id.
    pub fn string(&self, names: &[&str]) -> Option<String> {
        self.text(names).map(Cow::into_owned)
    }

    /// `string`, borrowed from the answer where it can be.
    pub fn text(&self, names: &[&str]) -> Option<Cow<'a, str>> {
        self.raw(names).and_then(|(_, v)| match v {
            Scalar::Text(s) => Some(s),
            Scalar::Number(n) => Some(Cow::Borrowed(n)),
            Scalar::Bool(b) => Some(Cow::Borrowed(if b { "true" } else { "false" })),
            Scalar::Nested => None,
        })
    }

    pub fn int(&self, names: &[&str]) -> Result<Option<i64>, Error> {
        let Some((name, v)) = self.raw(names) else { return Ok(None) };
        let parsed = match v {
            Scalar::Number(n) => n.parse::<i64>().ok().or_else(|| {
                Decimal::from_str(n).ok().filter(|d| d.fract().is_zero()).and_then(|d| i64::try_from(d).ok())
            }),
            Scalar::Text(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        parsed.map(Some).ok_or_else(|| bad(name, "an integer"))
    }

    pub fn bool(&self, names: &[&str]) -> Result<Option<bool>, Error> {
        let Some((name, v)) = self.raw(names) else { return Ok(None) };
        match v {
            Scalar::Bool(b) => Ok(Some(b)),
            Scalar::Text(s) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Scalar::Text(s) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Scalar::Number("1") => Ok(Some(true)),
            Scalar::Number("0") => Ok(Some(false)),
            _ => Err(bad(name, "a boolean")),
        }
    }

    /// A decimal read from its text: response amounts are JSON numbers
    /// (`3500.0000`), sometimes numeric strings (`"0.1"`), never rounded here.
    pub fn decimal(&self, names: &[&str]) -> Result<Option<Decimal>, Error> {
        let Some((name, v)) = self.raw(names) else { return Ok(None) };
        let text = match &v {
            Scalar::Number(n) => Cow::Borrowed(*n),
            Scalar::Text(s) if s.contains(',') => Cow::Owned(s.trim().replace(',', ".")),
            Scalar::Text(s) => Cow::Borrowed(s.trim()),
            _ => return Err(bad(name, "a decimal number")),
        };
        let parsed = match plain_decimal(&text) {
            Some(exact) => Ok(exact),
            None if text.contains(['e', 'E']) => Decimal::from_scientific(&text),
            None => Decimal::from_str(&text),
        };
        parsed.map(Some).map_err(|_| bad(name, "a decimal number"))
    }

    /// Timestamps in any of Paynet's three formats; naive ones are Istanbul time.
    pub fn datetime(&self, names: &[&str]) -> Result<Option<DateTime<FixedOffset>>, Error> {
        let Some((name, v)) = self.raw(names) else { return Ok(None) };
        let Scalar::Text(s) = v else { return Err(bad(name, "a date-time string")) };
        parse_datetime(&s).map(Some).ok_or_else(|| bad(name, "a date-time in a known format"))
    }

    pub fn date(&self, names: &[&str]) -> Result<Option<NaiveDate>, Error> {
        let Some((name, v)) = self.raw(names) else { return Ok(None) };
        let Scalar::Text(s) = v else { return Err(bad(name, "a date string")) };
        let s = s.trim();
        let date = parse_iso_date(s).or_else(|| parse_datetime(s).map(|dt| dt.date_naive()));
        date.map(Some).ok_or_else(|| bad(name, "a date in a known format"))
    }
}

/// A result model read from one object of Paynet's answer:
/// `#[derive(Spec)]` with `#[spec(answer)]` implements it from the fields'
/// types and `#[spec(answer = [..], free_text, card_number, read_with)]`.
pub trait FromAnswer: Sized {
    fn from_answer<F: Fields + ?Sized>(r: &Reader<'_, F>) -> Result<Self, Error>;

    /// The cells `Cells::cells` gives of the model `from_answer` reads,
    /// read straight from the answer: no model is made, and text is lent by
    /// the answer where it has no escapes (the Arrow columns of a report
    /// asked for as a table). Fails where `from_answer` does.
    fn answer_cells<F: Fields + ?Sized, E: FnMut(crate::cells::Cell<'_>)>(r: &Reader<'_, F>, each: &mut E) -> Result<(), Error>;

    /// Applies `clean` to every field declared `free_text`: text a bank or
    /// Paynet wrote (see `Error::redacted`).
    fn redact_texts(&mut self, clean: &dyn Fn(&str) -> String);

    fn from_wire<F: Fields + ?Sized>(obj: &F) -> Result<Self, Error> {
        Self::from_answer(&Reader::new(obj))
    }
}

/// How a result field of this type is read, by the first of its names present.
pub trait AnswerField: Sized {
    fn read<F: Fields + ?Sized>(r: &Reader<'_, F>, names: &[&str]) -> Result<Self, Error>;
}

impl AnswerField for Option<String> {
    fn read<F: Fields + ?Sized>(r: &Reader<'_, F>, names: &[&str]) -> Result<Self, Error> {
        Ok(r.string(names))
    }
}

/// A field the answer must have: its absence makes the answer unreadable.
impl AnswerField for String {
    fn read<F: Fields + ?Sized>(r: &Reader<'_, F>, names: &[&str]) -> Result<Self, Error> {
        required(r.string(names), names)
    }
}

/// A secret an answer carries (a session key, a login link).
impl AnswerField for Option<crate::secret::SecretText> {
    fn read<F: Fields + ?Sized>(r: &Reader<'_, F>, names: &[&str]) -> Result<Self, Error> {
        Ok(r.string(names).map(crate::secret::SecretText::new))
    }
}

impl AnswerField for Option<i64> {
    fn read<F: Fields + ?Sized>(r: &Reader<'_, F>, names: &[&str]) -> Result<Self, Error> {
        r.int(names)
    }
}

impl AnswerField for Option<bool> {
    fn read<F: Fields + ?Sized>(r: &Reader<'_, F>, names: &[&str]) -> Result<Self, Error> {
        r.bool(names)
    }
}

/// A flag Paynet leaves out when it is false.
impl AnswerField for bool {
    fn read<F: Fields + ?Sized>(r: &Reader<'_, F>, names: &[&str]) -> Result<Self, Error> {
        Ok(r.bool(names)?.unwrap_or(false))
    }
}

/// Required fields other than text (a success's amount and date): absent,
/// the answer is unreadable.
fn required<T>(value: Option<T>, names: &[&str]) -> Result<T, Error> {
    value.ok_or_else(|| Error::new(crate::error::ErrorKind::Protocol, format!("Paynet's answer has no `{}`", names.first().copied().unwrap_or("?"))))
}

impl AnswerField for Decimal {
    fn read<F: Fields + ?Sized>(r: &Reader<'_, F>, names: &[&str]) -> Result<Self, Error> {
        required(r.decimal(names)?, names)
    }
}

impl AnswerField for DateTime<FixedOffset> {
    fn read<F: Fields + ?Sized>(r: &Reader<'_, F>, names: &[&str]) -> Result<Self, Error> {
        required(r.datetime(names)?, names)
    }
}

impl AnswerField for Option<Decimal> {
    fn read<F: Fields + ?Sized>(r: &Reader<'_, F>, names: &[&str]) -> Result<Self, Error> {
        r.decimal(names)
    }
}

impl AnswerField for Option<DateTime<FixedOffset>> {
    fn read<F: Fields + ?Sized>(r: &Reader<'_, F>, names: &[&str]) -> Result<Self, Error> {
        r.datetime(names)
    }
}

impl AnswerField for Option<NaiveDate> {
    fn read<F: Fields + ?Sized>(r: &Reader<'_, F>, names: &[&str]) -> Result<Self, Error> {
        r.date(names)
    }
}

fn bad(field: &str, expected: &str) -> Error {
    Error::new(
        crate::error::ErrorKind::Protocol,
        format!("Paynet returned an unexpected value for `{field}`: expected {expected}"),
    )
}

/// `2016-04-08T10:27:22.0296925+03:00`, `03.02.2020 17:44:41`, `2020-02-05T00:00:00`.
pub fn parse_datetime(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt);
    }
    let naive = parse_report_timestamp(s)
        .or_else(|| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok())
        .or_else(|| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").ok())?;
    istanbul().from_local_datetime(&naive).single()
}

/// `yyyy-MM-dd` or `yyyy-MM-ddTHH:mm:ss` (a report's `due_date`), read by
/// position for the same reason as below; other shapes take the slow path.
fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shaped = b.len() >= 10 && b[4] == b'-' && b[7] == b'-';
    let time_ok = match b.len() {
        10 => true,
        19 if b[10] == b'T' && b[13] == b':' && b[16] == b':' => {
            matches!((digits(b, 11, 13), digits(b, 14, 16), digits(b, 17, 19)), (Some(h), Some(m), Some(s)) if h < 24 && m < 60 && s < 60)
        }
        _ => false,
    };
    if !(shaped && time_ok) {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(digits(b, 0, 4)?).ok()?, digits(b, 5, 7)?, digits(b, 8, 10)?)
}

fn digits(b: &[u8], from: usize, to: usize) -> Option<u32> {
    b[from..to].iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
}

/// `dd.MM.yyyy HH:mm:ss`, the report format, read by position: a settlement
/// report has one per row, and a format-string parser per row shows in profiles.
fn parse_report_timestamp(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if b.len() != 19 || b[2] != b'.' || b[5] != b'.' || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(digits(b, 6, 10)?).ok()?, digits(b, 3, 5)?, digits(b, 0, 2)?)?;
    date.and_hms_opt(digits(b, 11, 13)?, digits(b, 14, 16)?, digits(b, 17, 19)?)
}

// What `#[derive(Spec)]`'s `to_wire_declared` calls, per field type.

/// A parameter's plain wire value; `None` leaves it out (an absent optional one).
pub trait WireValue {
    fn wire_value(&self) -> Option<Value>;
}

impl WireValue for String {
    fn wire_value(&self) -> Option<Value> {
        Some(Value::String(self.clone()))
    }
}

/// A secret parameter travels as its text, in the body only.
impl WireValue for crate::secret::SecretText {
    fn wire_value(&self) -> Option<Value> {
        Some(Value::String(self.expose().to_owned()))
    }
}

impl WireValue for bool {
    fn wire_value(&self) -> Option<Value> {
        Some(Value::Bool(*self))
    }
}

impl WireValue for u32 {
    fn wire_value(&self) -> Option<Value> {
        Some(Value::from(*self))
    }
}

impl WireValue for i64 {
    fn wire_value(&self) -> Option<Value> {
        Some(Value::from(*self))
    }
}

/// `yyyy-MM-dd`.
impl WireValue for NaiveDate {
    fn wire_value(&self) -> Option<Value> {
        Some(Value::String(self.format("%Y-%m-%d").to_string()))
    }
}

/// Paynet's code: `1` (sale), `3` (pre-auth).
impl WireValue for crate::models::TransactionType {
    fn wire_value(&self) -> Option<Value> {
        Some(Value::from(self.wire_code()))
    }
}

/// A list of numbers travels as comma-separated text (`"2,3,6"`, `""` for none).
impl WireValue for Vec<u32> {
    fn wire_value(&self) -> Option<Value> {
        Some(Value::String(self.iter().map(u32::to_string).collect::<Vec<_>>().join(",")))
    }
}

impl<T: WireValue> WireValue for Option<T> {
    fn wire_value(&self) -> Option<Value> {
        self.as_ref().and_then(WireValue::wire_value)
    }
}

/// `#[spec(wire_text)]`: a number that Paynet takes as text (`xact`).
pub fn as_text(v: Value) -> Value {
    match v {
        Value::Number(n) => Value::String(n.to_string()),
        other => other,
    }
}

/// A money parameter in its declared unit; `None` leaves it out.
pub trait WireMoney {
    fn wire_money(&self, unit: MoneyWire) -> Option<Value>;
}

impl WireMoney for Money {
    fn wire_money(&self, unit: MoneyWire) -> Option<Value> {
        Some(unit.encode(*self))
    }
}

impl WireMoney for Option<Money> {
    fn wire_money(&self, unit: MoneyWire) -> Option<Value> {
        self.map(|m| unit.encode(m))
    }
}

/// A `#[spec(flatten)]` parameter: writes its own fields into the body (a card).
pub trait WireFields {
    fn write_wire(&self, body: &mut Map<String, Value>);
}

impl<T: WireFields> WireFields for Option<T> {
    fn write_wire(&self, body: &mut Map<String, Value>) {
        if let Some(v) = self {
            v.write_wire(body);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn texts_of_every_length_compare_as_equal_only_when_they_are() {
        for n in 0..40 {
            let a: String = (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            assert!(same_text(&a, &a.clone()), "{n}");
            assert!(!same_text(&a, &format!("{a}x")), "{n}");
            for at in 0..n {
                let mut b = a.clone().into_bytes();
                b[at] = b'_';
                assert!(!same_text(&a, std::str::from_utf8(&b).unwrap()), "{n} bytes, differing at {at}");
            }
        }
    }

    #[test]
    fn plain_decimals_read_as_the_general_parser_reads_them() {
        let mut texts: Vec<String> = ["0", "-0", "-0.00", "007.50", "3500.0000", "1.", ".5", "-", "", "+1", "1.2.3", "1_0", "12a", "-.5", "9999999999999999999", "99999999999999999999", "0.0000000000000000001"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let digits = (x % 23) as usize;
            let mut text: String = (0..digits).map(|i| char::from(b'0' + ((x >> (i % 60)) % 10) as u8)).collect();
            if digits > 0 && x.is_multiple_of(2) {
                text.insert((x >> 8) as usize % (digits + 1), '.');
            }
            if x.is_multiple_of(5) {
                text.insert(0, '-');
            }
            texts.push(text);
        }
        for text in texts {
            if let Some(fast) = plain_decimal(&text) {
                let general = Decimal::from_str(&text).unwrap_or_else(|e| panic!("{text:?}: read fast, refused by from_str ({e})"));
                assert_eq!(fast.serialize(), general.serialize(), "{text:?}");
            }
        }
        for plain in ["0", "-0", "3500.0000", "-12.5", "1234567890123456789", "0.000000000000000001"] {
            assert!(plain_decimal(plain).is_some(), "{plain}");
        }
    }

    /// What `Fields` gives of `row` for each name, as text.
    fn every_scalar(row: &dyn Fields, names: &[&str]) -> Vec<Option<String>> {
        names
            .iter()
            .map(|name| {
                row.scalar(name).map(|value| match value {
                    Scalar::Bool(b) => format!("bool {b}"),
                    Scalar::Number(n) => format!("number {n}"),
                    Scalar::Text(t) => format!("text {t}"),
                    Scalar::Nested => "nested".to_owned(),
                })
            })
            .collect()
    }

    #[test]
    fn a_layout_reads_each_row_as_the_row_alone_reads() {
        let names = ["amount", "xact_id", "card_holder", "b", "a", "a\""];
        let mut layout = RowLayout::default();
        let rows: [&[u8]; 9] = [
            br#"{"amount":1,"xact_id":"a","card_holder":"B"}"#,
            br#"{"amount":2,"xact_id":"c","card_holder":null}"#,
            br#"{ "amount" : 2.50 , "xact_id":"d","card_holder":"\u00d6z"}"#,
            br#"{"amount":3,"xact_id":"e"}"#,
            br#"{"xact_id":"f","amount":4}"#,
            br#"{"xact_id":"g","amount":5,"amount":6}"#,
            br#"{"xact_id":"h","amount":7"#,
            br#"{"a"":1,"b":2}"#,
            br#"{"a"":3,"b":4}"#,
        ];
        for text in rows {
            let alone = RawObject::read(text).ok().filter(|row| row.repeated_key().is_none());
            let through = layout.read(text, |row| every_scalar(row, &names));
            assert_eq!(through, alone.map(|row| every_scalar(&row, &names)), "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn a_name_absent_from_the_layout_is_absent_from_every_row_of_it() {
        let mut layout = RowLayout::default();
        for text in [br#"{"amount":1}"#.as_slice(), br#"{"amount":2}"#, br#"{"xact_id":"x","amount":3}"#, br#"{"xact_id":"y","amount":4}"#] {
            let row = RawObject::read(text).unwrap();
            layout
                .fit(&row, |row| {
                    let has_id = text.starts_with(br#"{"xact_id""#);
                    // Names from other addresses with the same length are told apart by their text.
                    for name in ["xact_id", &String::from("xact_id"), "xact_iX"] {
                        assert_eq!(row.scalar(name).is_some(), has_id && name == "xact_id", "{name} in {}", String::from_utf8_lossy(text));
                    }
                    assert!(row.scalar("amount").is_some());
                })
                .unwrap();
        }
    }

    #[test]
    fn money_encodings() {
        let m = Money::parse("1256").unwrap();
        assert_eq!(serde_json::to_string(&MoneyWire::DecimalNumber.encode(m)).unwrap(), "1256.00");
        assert_eq!(MoneyWire::CommaString.encode(m), json!("1256,00"));
        assert_eq!(MoneyWire::KurusString.encode(m), json!("125600"));
    }

    #[test]
    fn tolerant_reading() {
        let v: Value = serde_json::from_str(
            r#"{"amount":3500.0000,"ratio":"0.1","flag":"True","n":"8","empty":"","nul":null,
                "d1":"2016-04-08T10:27:22.0296925+03:00","d2":"03.02.2020 17:44:41","d3":"2020-02-05T00:00:00"}"#,
        )
        .unwrap();
        let r = Reader::new(v.as_object().unwrap());
        assert_eq!(r.decimal(&["amount"]).unwrap().unwrap().to_string(), "3500.0000");
        assert_eq!(r.decimal(&["ratio"]).unwrap().unwrap().to_string(), "0.1");
        assert_eq!(r.bool(&["flag"]).unwrap(), Some(true));
        assert_eq!(r.int(&["n"]).unwrap(), Some(8));
        assert_eq!(r.string(&["empty"]), None);
        assert_eq!(r.string(&["nul"]), None);
        assert_eq!(r.datetime(&["d1"]).unwrap().unwrap().to_rfc3339(), "2016-04-08T10:27:22.029692500+03:00");
        assert_eq!(r.datetime(&["d2"]).unwrap().unwrap().to_rfc3339(), "2020-02-03T17:44:41+03:00");
        assert_eq!(r.date(&["d3"]).unwrap().unwrap().to_string(), "2020-02-05");
        assert_eq!(parse_datetime("31.02.2020 17:44:41"), None);
        for (text, date) in [("2020-02-05", Some("2020-02-05")), ("2020-02-05T23:59:59", Some("2020-02-05")), ("2020-02-05T24:00:00", None), ("2020-02-30", None), ("2020-02-05T10:00:00.5", Some("2020-02-05"))] {
            let v = serde_json::json!({ "d": text });
            let got = Reader::new(v.as_object().unwrap()).date(&["d"]).ok().flatten().map(|d| d.to_string());
            assert_eq!(got.as_deref(), date, "{text}");
        }
        assert_eq!(parse_datetime("03.02.2020 24:00:00"), None);
    }
}
