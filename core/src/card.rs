//! Card data as a user passes it. Nothing here can print the number or CVC.

use chrono::{Datelike, Utc};
use serde::de::{self, Deserializer};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::Error;
use crate::secret::{CardNumber, Cvc};
use crate::spec::{CheckDeclared, Spec};
use crate::validate::CheckAt;
use crate::wire::{istanbul, WireFields};

/// Card data for a non-3D payment. Checked before sending: the number
/// with Luhn, the expiry against today in Istanbul.
#[derive(Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields, remote = "Self")]
#[spec(params, wire_by_hand)]
pub struct Card {
    /// The PAN; spaces and dashes are allowed.
    #[spec(wire = "pan")]
    pub number: CardNumber,
    /// 1 to 12; a number or a numeric string (`"08"`).
    #[serde(deserialize_with = "loose_int")]
    #[spec(wire = "month")]
    pub exp_month: u32,
    /// Four digits; two-digit years are read as 20YY.
    #[serde(deserialize_with = "loose_int")]
    #[spec(wire = "year")]
    pub exp_year: u32,
    pub cvc: Cvc,
    /// The name on the card.
    #[spec(wire = "card_holder", not_blank, max_len = 50)]
    pub holder_name: String,
}

/// Only an object: serde would also take a list positionally
/// (`[number, month, year, cvc, name]`), where one field out of place sends
/// the CVC as the holder's name.
impl<'de> Deserialize<'de> for Card {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapOnly;
        impl<'de> de::Visitor<'de> for MapOnly {
            type Value = Card;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a card object with number, exp_month, exp_year, cvc and holder_name")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Card, A::Error> {
                Card::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(MapOnly)
    }
}

/// Masked number, no expiry, no CVC: only what a log may hold.
impl std::fmt::Debug for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Card")
            .field("number", &self.number)
            .field("expiry", &"**/****")
            .field("cvc", &self.cvc)
            .field("holder_name", &self.holder_name)
            .finish()
    }
}

/// The number (Luhn) and CVC are checked as they are read. Here: month
/// 1–12, a year that is not past, and not absurdly far ahead (against
/// Istanbul time, where Paynet's banks are), then the declared rules
/// (`holder_name`), in the order these checks always had.
impl CheckAt for Card {
    fn check_at(&self, field: &str) -> Result<(), Error> {
        if !(1..=12).contains(&self.exp_month) {
            return Err(Error::invalid(format!("{field}.exp_month"), "must be between 1 and 12"));
        }
        let year = self.full_year();
        let today = Utc::now().with_timezone(&istanbul()).date_naive();
        let this_year = today.year() as u32;
        if year < this_year || (year == this_year && self.exp_month < today.month()) {
            return Err(Error::invalid(format!("{field}.exp_year"), "the card has expired"));
        }
        if year > this_year + 30 {
            return Err(Error::invalid(format!("{field}.exp_year"), "is too far in the future"));
        }
        self.check_declared_at(&format!("{field}."))
    }
}

/// Not from the declaration: the year travels as four digits (`full_year`).
impl WireFields for Card {
    fn write_wire(&self, body: &mut Map<String, Value>) {
        body.insert("pan".into(), Value::String(self.number.expose().to_owned()));
        body.insert("month".into(), Value::from(self.exp_month));
        body.insert("year".into(), Value::from(self.full_year()));
        body.insert("cvc".into(), Value::String(self.cvc.expose().to_owned()));
        body.insert("card_holder".into(), Value::String(self.holder_name.clone()));
    }
}

impl Card {
    pub fn full_year(&self) -> u32 {
        if self.exp_year < 100 { 2000 + self.exp_year } else { self.exp_year }
    }
}

/// Forms hand us `"08"`; bindings hand us `8`. Both mean August. The error
/// never repeats the value: expiry dates are card data too.
fn loose_int<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    match Value::deserialize(d)? {
        Value::Number(n) => n.as_u64().and_then(|v| u32::try_from(v).ok()),
        Value::String(s) => s.trim().parse::<u32>().ok(),
        _ => None,
    }
    .ok_or_else(|| de::Error::custom("must be a whole number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_number_expiry_and_cvc() {
        let card: Card = serde_json::from_value(serde_json::json!({
            "number": "4355084355084358", "exp_month": 7, "exp_year": 2031, "cvc": "123", "holder_name": "A B"
        }))
        .unwrap();
        let shown = format!("{card:?}");
        assert!(!shown.contains("4355084355084358") && !shown.contains("2031") && !shown.contains("123"), "{shown}");
        assert!(shown.contains("435508******4358"));
    }
}
