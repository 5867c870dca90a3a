//! Values that must never be printed: the secret key, the card number, the CVC.
//!
//! Each type keeps its value private and implements `Debug` (and nothing
//! else that formats) as a mask, so neither a `{:?}` in a log line nor a
//! panic message can carry it. Their `Deserialize` impls never echo the input
//! in an error message (serde's stock messages would quote it).

use std::fmt;

use serde::de::{self, Deserializer};
use serde::Deserialize;

/// The merchant's secret key (`sck_…`), sent as `Authorization: Basic <key>`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(String);

impl SecretKey {
    /// Refuses keys that could not travel in an HTTP header.
    pub fn new(key: impl Into<String>) -> Result<SecretKey, &'static str> {
        let key = key.into();
        if key.trim().is_empty() {
            return Err("is required");
        }
        if key.chars().any(|c| c.is_control() || c.is_whitespace() || !c.is_ascii()) {
            return Err("contains characters that cannot be sent in an HTTP header");
        }
        Ok(SecretKey(key))
    }

    /// A key as given, for a setter that cannot fail; `SecretKey::new` checks it later.
    pub(crate) fn unchecked(key: &str) -> SecretKey {
        SecretKey(key.to_owned())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// `sck_…wXyZ`: enough to tell two keys apart in a support ticket. The
    /// prefix only when it is Paynet's own (`sck_`/`pbk_`), the last four
    /// characters only of a key long enough that they give little away.
    pub fn masked(&self) -> String {
        let prefix = ["sck_", "pbk_"].into_iter().find(|p| self.0.starts_with(p)).unwrap_or("");
        let tail = if self.0.len() >= 16 { &self.0[self.0.len() - 4..] } else { "" };
        format!("{prefix}…{tail}")
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey({})", self.masked())
    }
}

/// A secret a user passes or Paynet returns (an agent's password, a key
/// checked by `agents.check_integration_info`, a session key, a one-time
/// login link): `Debug` masks it, its deserializer never echoes it, and
/// Python and Node hide it from their reprs (the spec marks it `secret`).
/// It serializes as its text, for the bindings to hand over.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretText(String);

impl SecretText {
    pub fn new(text: impl Into<String>) -> SecretText {
        SecretText(text.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretText(***)")
    }
}

impl<'de> Deserialize<'de> for SecretText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(SecretText(s)),
            _ => Err(de::Error::custom("must be a string")),
        }
    }
}

impl serde::Serialize for SecretText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// A primary account number, digits only, Luhn-checked when validated.
#[derive(Clone, PartialEq, Eq)]
pub struct CardNumber(String);

impl CardNumber {
    /// Accepts the spaces and dashes people type; keeps digits only.
    pub fn new(raw: &str) -> Result<CardNumber, &'static str> {
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("must contain digits only");
        }
        if !(12..=19).contains(&digits.len()) {
            return Err("must be 12 to 19 digits long");
        }
        if !luhn_valid(&digits) {
            return Err("is not a valid card number (Luhn check failed)");
        }
        Ok(CardNumber(digits))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// First six and last four, as Paynet masks it: `435508******4358`.
    pub fn masked(&self) -> String {
        let n = self.0.len();
        format!("{}{}{}", &self.0[..6], "*".repeat(n - 10), &self.0[n - 4..])
    }
}

/// A card number field of an answer (`card_no`, `card_no_masked`) as we hand
/// it on: Paynet masks it, but should a full number ever arrive it is masked
/// here, so no result, repr or log line can carry it.
pub fn mask_answer_card_number(text: String) -> String {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let only_number = text.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-'));
    if only_number && (12..=19).contains(&digits.len()) {
        return CardNumber(digits).masked();
    }
    if digits.len() >= 12 { scrub_card_numbers(&text) } else { text }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({})", self.masked())
    }
}

impl<'de> Deserialize<'de> for CardNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => CardNumber::new(&s).map_err(de::Error::custom),
            _ => Err(de::Error::custom("must be a string of digits")),
        }
    }
}

/// Card verification code: 3 or 4 digits.
#[derive(Clone, PartialEq, Eq)]
pub struct Cvc(String);

impl Cvc {
    pub fn new(raw: &str) -> Result<Cvc, &'static str> {
        let raw = raw.trim();
        if !(3..=4).contains(&raw.len()) || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err("must be 3 or 4 digits");
        }
        Ok(Cvc(raw.to_owned()))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Cvc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cvc(***)")
    }
}

impl<'de> Deserialize<'de> for Cvc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Cvc::new(&s).map_err(de::Error::custom),
            _ => Err(de::Error::custom("must be a string of 3 or 4 digits (a number would lose leading zeros)")),
        }
    }
}

pub fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Masks anything that looks like a card number (12–19 digits, spaces or
/// dashes allowed inside) in free text such as a response snippet.
pub fn scrub_card_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let mut j = i;
            let mut digits = 0;
            while j < chars.len() && (chars[j].is_ascii_digit() || (matches!(chars[j], ' ' | '-') && digits > 0 && j + 1 < chars.len() && chars[j + 1].is_ascii_digit())) {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                }
                j += 1;
            }
            if digits >= 12 {
                out.push_str("[redacted card number]");
            } else {
                out.extend(&chars[i..j]);
            }
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Names under which a CVC travels in JSON, form or query text.
/// A name also counts after a `_` (`card_cvv2`).
const CVC_NAMES: &[&str] = &["cvc", "cvv", "cvc2", "cvv2", "cvn", "cid", "security_code", "securitycode"];

/// Masks the value of any CVC-named field (`"cvc":"123"`, `cvv2=123`,
/// `'cvc': 123`) in free text, such as a proxy's echo of our request.
pub fn scrub_cvc_fields(text: &str) -> String {
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return text.to_owned();
    }
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let start_of_word = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let name = CVC_NAMES.iter().filter(|n| start_of_word && bytes[i..].starts_with(n.as_bytes())).map(|n| n.len()).max();
        let Some(len) = name else {
            i += 1;
            continue;
        };
        let mut j = i + len;
        if j < bytes.len() && word(bytes[j]) {
            i = j;
            continue;
        }
        let skip = |j: &mut usize, set: &[u8]| {
            while *j < bytes.len() && set.contains(&bytes[*j]) {
                *j += 1;
            }
        };
        skip(&mut j, b"\"' \t");
        if j < bytes.len() && (bytes[j] == b':' || bytes[j] == b'=') {
            j += 1;
            skip(&mut j, b"\"' \t");
            let digits_start = j;
            skip(&mut j, b"0123456789");
            if j > digits_start {
                out.push_str(&text[copied..digits_start]);
                out.push_str("***");
                copied = j;
            }
        }
        i = j.max(i + 1);
    }
    out.push_str(&text[copied..]);
    out
}

/// Card numbers and CVC fields masked in free text that came from an
/// answer. Takes the text over, so the common case (no digits at all, or
/// too few for a card number) costs no copy.
pub fn scrub_card_data(text: String) -> String {
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    if digits == 0 {
        return text;
    }
    let text = if digits >= 12 { scrub_card_numbers(&text) } else { text };
    scrub_cvc_fields(&text)
}

/// Text that came from an answer, as it may reach a user: the client's own
/// key (echoed by a broken proxy), card numbers and CVC fields masked.
/// The same holds for the client's publishable key and the call's own
/// secret parameters (an agent's password): each is masked where an answer echoes it.
pub fn redact_secrets(text: &str, secrets: &[&str]) -> String {
    let mut text = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if text.contains(secret) {
            text = text.replace(secret, "[redacted key]");
        }
    }
    scrub_card_data(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let key = SecretKey::new("sck_pcs_jECRyoZq0khnsV9elaF/SIBVvxQI+bIW").unwrap();
        assert_eq!(format!("{key:?}"), "SecretKey(sck_…+bIW)");
        // A key in another shape shows no prefix, and a short one nothing at all.
        assert_eq!(SecretKey::new("hunter2hunter2xyz").unwrap().masked(), "…2xyz");
        assert_eq!(SecretKey::new("hunter").unwrap().masked(), "…");
        assert_eq!(SecretKey::new("sck_short").unwrap().masked(), "sck_…");
        let pan = CardNumber::new("4355 0843 5508 4358").unwrap();
        assert_eq!(format!("{pan:?}"), "CardNumber(435508******4358)");
        assert_eq!(format!("{:?}", Cvc::new("000").unwrap()), "Cvc(***)");
        assert_eq!(mask_answer_card_number("4355084355084358".into()), "435508******4358");
        assert_eq!(mask_answer_card_number("435508******4358".into()), "435508******4358");
        assert_eq!(mask_answer_card_number("4355 **** **** 4358".into()), "4355 **** **** 4358");
    }

    #[test]
    fn luhn() {
        assert!(luhn_valid("4355084355084358"));
        assert!(!luhn_valid("4355084355084359"));
        assert!(CardNumber::new("4546711234567890").is_err());
    }

    #[test]
    fn scrubs_cvc_fields_and_the_key() {
        assert_eq!(scrub_cvc_fields(r#"{"cvc":"987","card_cvv2": 1234, cvc=555&x=1}"#), r#"{"cvc":"***","card_cvv2": ***, cvc=***&x=1}"#);
        assert_eq!(scrub_cvc_fields("CVV2 : '321' and cvcode: 12 and xcvc=1"), "CVV2 : '***' and cvcode: 12 and xcvc=1");
        assert_eq!(scrub_cvc_fields("ünïcode cvc=1 ✓"), "ünïcode cvc=*** ✓");
        let key = SecretKey::new("sck_live_abcdefgh12345678").unwrap();
        assert_eq!(
            redact_secrets("Authorization: Basic sck_live_abcdefgh12345678 pan=4355084355084358 cvc=000", &[key.expose()]),
            "Authorization: Basic [redacted key] pan=[redacted card number] cvc=***"
        );
    }

    #[test]
    fn scrubs_card_numbers_from_text() {
        assert_eq!(
            scrub_card_numbers(r#"{"pan":"4355084355084358","id":2049043}"#),
            r#"{"pan":"[redacted card number]","id":2049043}"#
        );
        assert_eq!(scrub_card_numbers("4355 0843 5508 4358 ok"), "[redacted card number] ok");
    }
}
