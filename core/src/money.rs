//! Money: Turkish lira amounts as exact decimals.
//!
//! Users only ever pass TL amounts; the per-endpoint wire encodings (decimal TL,
//! ×100 kuruş strings, comma decimals) live in [`crate::wire`]. A float never
//! becomes a `Money`: bindings hand us text (`Decimal`'s `str()`, a JS number's
//! shortest round-trip form), and this parser is the one place that reads it.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

/// A non-negative TL amount with at most two fractional digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

/// Why a text is not a valid amount. The message never repeats the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyError {
    NotANumber,
    Negative,
    TooManyDecimals,
    TooLarge,
    Exponent,
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MoneyError::NotANumber => "must be a decimal amount such as \"12.50\"",
            MoneyError::Negative => "must not be negative",
            MoneyError::TooManyDecimals => "must have at most 2 decimal places (kuruş)",
            MoneyError::TooLarge => "is larger than the maximum of 99999999.99",
            MoneyError::Exponent => "must be written out without exponent notation, e.g. \"1250.75\"",
        })
    }
}

impl std::error::Error for MoneyError {}

impl Money {
    /// Largest amount accepted: far above any card limit, far below where
    /// ×100 kuruş could overflow anything on the way.
    pub const MAX: Money = Money(Decimal::from_parts(0x540B_E3FF, 0x2, 0, false, 2)); // 99999999.99
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Parses a plain dot-decimal text: `"12"`, `"12.5"`, `"12.50"`.
    /// Trailing zeros beyond two places are accepted (`"12.500"` is exactly
    /// 12.50); any non-zero digit beyond kuruş is refused, never rounded.
    /// Everything else is refused rather than guessed at: exponent notation
    /// (`"1e5"` is 100 000 TL, one typo from 15), surrounding whitespace,
    /// a bare point (`"12."`, `".5"`), signs other than a leading minus.
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || (unsigned.contains('.') && !digits(fraction)) {
            return Err(if is_number_syntax(text) && text.contains(['e', 'E']) {
                MoneyError::Exponent
            } else {
                MoneyError::NotANumber
            });
        }
        if negative && (whole.bytes().any(|b| b != b'0') || fraction.bytes().any(|b| b != b'0')) {
            return Err(MoneyError::Negative);
        }
        // Checked on the text, before any decimal type could round it.
        if fraction.bytes().skip(2).any(|b| b != b'0') {
            return Err(MoneyError::TooManyDecimals);
        }
        let significant = whole.trim_start_matches('0');
        if significant.len() > 8 {
            return Err(MoneyError::TooLarge);
        }
        let whole = if significant.is_empty() { "0" } else { significant };
        let kept = &fraction[..fraction.len().min(2)];
        let value = Decimal::from_str(&format!("{whole}.{kept:0<2}")).map_err(|_| MoneyError::NotANumber)?;
        Money::from_decimal(value)
    }

    pub fn from_decimal(value: Decimal) -> Result<Money, MoneyError> {
        if value < Decimal::ZERO {
            return Err(MoneyError::Negative);
        }
        let normalized = value.normalize();
        if normalized.scale() > 2 {
            return Err(MoneyError::TooManyDecimals);
        }
        if normalized > Money::MAX.0 {
            return Err(MoneyError::TooLarge);
        }
        let mut exact = normalized;
        exact.rescale(2);
        Ok(Money(exact))
    }

    pub fn from_kurus(kurus: u64) -> Result<Money, MoneyError> {
        Money::from_decimal(Decimal::from_i128_with_scale(i128::from(kurus), 2))
    }

    /// The amount in kuruş (×100), the unit of Paynet's string amount fields.
    pub fn kurus(&self) -> u64 {
        // Scale is always 2 and the value is bounded by MAX, so the mantissa fits.
        u64::try_from(self.0.mantissa()).unwrap_or(u64::MAX)
    }

    pub fn as_decimal(&self) -> Decimal {
        self.0
    }

    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }
}

impl fmt::Display for Money {
    /// Always two fractional digits: `12.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2}", self.0)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({self})")
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

impl From<Money> for Decimal {
    fn from(m: Money) -> Decimal {
        m.0
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Accepts a JSON string or a JSON number. Numbers are read from their text
/// (serde_json runs with `arbitrary_precision`), so `12.5` is 12.5 and
/// `0.30000000000000004` is refused rather than rounded.
impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let text = match &value {
            serde_json::Value::String(s) => s.as_str().to_owned(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => return Err(de::Error::custom("must be a decimal amount (string or number)")),
        };
        Money::parse(&text).map_err(de::Error::custom)
    }
}

/// `[+-]digits[.digits][e[+-]digits]`, with digits on at least one side of the point.
fn is_number_syntax(text: &str) -> bool {
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (text, None),
    };
    let mantissa = mantissa.strip_prefix(['+', '-']).unwrap_or(mantissa);
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(whole) && digits(fraction) && !(whole.is_empty() && fraction.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exact_amounts() {
        assert_eq!(Money::parse("12.5").unwrap().to_string(), "12.50");
        assert_eq!(Money::parse("12").unwrap().to_string(), "12.00");
        assert_eq!(Money::parse("12.500").unwrap().to_string(), "12.50");
        assert_eq!(Money::parse("007.10").unwrap().to_string(), "7.10");
        assert_eq!(Money::parse("0.01").unwrap().kurus(), 1);
        assert_eq!(Money::parse("99999999.99").unwrap(), Money::MAX);
    }

    #[test]
    fn refuses_what_is_not_exact_money() {
        assert_eq!(Money::parse("0.30000000000000004"), Err(MoneyError::TooManyDecimals));
        assert_eq!(Money::parse("12.345"), Err(MoneyError::TooManyDecimals));
        assert_eq!(Money::parse("-1"), Err(MoneyError::Negative));
        assert_eq!(Money::parse("1,5"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("NaN"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("Infinity"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse(""), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("100000000"), Err(MoneyError::TooLarge));
        assert_eq!(Money::parse("123456789012345678901234567890"), Err(MoneyError::TooLarge));
        assert_eq!(Money::parse("1.0000000000000000000000000000001"), Err(MoneyError::TooManyDecimals));
        for exponent in ["1e5", "1E+5", "1e21", "1e-30", "1.5E2"] {
            assert_eq!(Money::parse(exponent), Err(MoneyError::Exponent), "{exponent}");
        }
        for garbage in ["1-2", ".", "1..2", "1e", "e5", "--1", "1.2.3", "+", "+12", " 12", "12 ", "12.", ".5", "1\n", "\u{0}1", "-"] {
            assert_eq!(Money::parse(garbage), Err(MoneyError::NotANumber), "{garbage}");
        }
    }

    #[test]
    fn kurus_round_trip() {
        let m = Money::from_kurus(125_600).unwrap();
        assert_eq!(m.to_string(), "1256.00");
        assert_eq!(m.kurus(), 125_600);
    }
}
