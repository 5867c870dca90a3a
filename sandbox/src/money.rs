//! Integer-kuruş arithmetic, the commission table and exact JSON number output.

use std::fmt::Write as _;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// Commission ratio per instalment count, in basis points of 1/10000 (199 = 0.0199).
/// Only these counts are accepted; anything else is a 400, like an instalment the
/// merchant's ratio table does not offer.
pub const RATIO_TABLE: [(i64, u32); 12] = [
    (0, 199),
    (2, 299),
    (3, 349),
    (4, 419),
    (5, 489),
    (6, 599),
    (7, 649),
    (8, 749),
    (9, 849),
    (10, 929),
    (11, 1019),
    (12, 1099),
];

/// Commission tax (KDV/BSMV stand-in): 20 %.
const TAX_PERCENT: i64 = 20;

pub fn ratio_for(instalment: i64) -> Option<u32> {
    RATIO_TABLE
        .iter()
        .find(|(n, _)| *n == instalment)
        .map(|(_, r)| *r)
}

/// Money split of one transaction, all in kuruş.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// What the card is charged.
    pub amount: i64,
    pub net: i64,
    pub commission: i64,
    pub tax: i64,
}

/// `requested` is the merchant's amount. With `add_commission` the customer pays the
/// commission and its tax on top, so the merchant's net equals the requested amount.
pub fn split(requested: i64, ratio_bp: u32, add_commission: bool) -> Split {
    let commission = div_round_half_up(requested * i64::from(ratio_bp), 10_000);
    let tax = div_round_half_up(commission * TAX_PERCENT, 100);
    if add_commission {
        Split {
            amount: requested + commission + tax,
            net: requested,
            commission,
            tax,
        }
    } else {
        Split {
            amount: requested,
            net: requested - commission - tax,
            commission,
            tax,
        }
    }
}

/// What paying back `amount` of a charge whose split is `whole` returns, when `before`
/// was paid back already: commission and tax go back pro rata, computed on the running
/// total, so the parts of a charge paid back in full add up to its split exactly.
pub fn refund_split(whole: Split, before: i64, amount: i64) -> Split {
    let share = |part: i64, upto: i64| -> i64 {
        if whole.amount == 0 {
            return 0;
        }
        // i128: a 13-digit amount times a commission overflows i64.
        let n = i128::from(part) * i128::from(upto);
        let d = i128::from(whole.amount);
        i64::try_from((n + d / 2) / d).unwrap_or(part)
    };
    let after = before + amount;
    let commission = share(whole.commission, after) - share(whole.commission, before);
    let tax = share(whole.tax, after) - share(whole.tax, before);
    Split {
        amount,
        net: amount - commission - tax,
        commission,
        tax,
    }
}

fn div_round_half_up(n: i64, d: i64) -> i64 {
    // Amounts are never negative here, so plain half-up on the magnitude is enough.
    (n + d / 2) / d
}

/// Appends `kurus` as a TL decimal with `decimals` digits (2 or 4).
pub fn push_tl(out: &mut String, kurus: i64, decimals: usize) {
    let sign = if kurus < 0 { "-" } else { "" };
    let abs = kurus.unsigned_abs();
    let _ = write!(out, "{sign}{}.{:02}", abs / 100, abs % 100);
    for _ in 2..decimals {
        out.push('0');
    }
}

pub fn format_tl(kurus: i64, decimals: usize) -> String {
    let mut s = String::with_capacity(16);
    push_tl(&mut s, kurus, decimals);
    s
}

/// Appends a basis-point ratio as a decimal fraction (`199` → `0.0199`).
pub fn push_ratio(out: &mut String, bp: u32) {
    let _ = write!(out, "{}.{:04}", bp / 10_000, bp % 10_000);
}

fn exact_number<S: Serializer>(text: &str, serializer: S) -> Result<S::Ok, S::Error> {
    // serde_json's arbitrary_precision keeps the token verbatim, so `12.50` goes out as
    // written instead of through an f64.
    match serde_json::Number::from_str(text) {
        Ok(n) => n.serialize(serializer),
        Err(e) => Err(serde::ser::Error::custom(e)),
    }
}

/// A kuruş amount serialized as a TL JSON number with 2 decimals.
#[derive(Debug, Clone, Copy)]
pub struct Tl(pub i64);

impl Serialize for Tl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        exact_number(&format_tl(self.0, 2), serializer)
    }
}

/// A basis-point ratio serialized as a JSON number (`0.0199`).
#[derive(Debug, Clone, Copy)]
pub struct Ratio(pub u32);

impl Serialize for Ratio {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = String::with_capacity(8);
        push_ratio(&mut s, self.0);
        exact_number(&s, serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commission_split() {
        // 100.00 TL at 1.99 %: commission 1.99, tax 0.40 (0.398 rounded), net 97.61
        assert_eq!(
            split(10_000, 199, false),
            Split {
                amount: 10_000,
                net: 9_761,
                commission: 199,
                tax: 40
            }
        );
        assert_eq!(
            split(10_000, 199, true),
            Split {
                amount: 10_239,
                net: 10_000,
                commission: 199,
                tax: 40
            }
        );
        // 12.50 at 1.99 % = 0.24875 → 0.25; tax 0.05
        assert_eq!(split(1_250, 199, false).commission, 25);
    }

    #[test]
    fn refunds_add_up_to_the_charge() {
        let whole = split(10_001, 349, false);
        let parts = [
            refund_split(whole, 0, 3_333),
            refund_split(whole, 3_333, 3_333),
            refund_split(whole, 6_666, 3_335),
        ];
        let sum = |f: fn(&Split) -> i64| parts.iter().map(f).sum::<i64>();
        assert_eq!(sum(|p| p.amount), whole.amount);
        assert_eq!(sum(|p| p.net), whole.net);
        assert_eq!(sum(|p| p.commission), whole.commission);
        assert_eq!(sum(|p| p.tax), whole.tax);
        assert_eq!(refund_split(whole, 0, whole.amount), whole);
    }

    #[test]
    fn formatting() {
        assert_eq!(format_tl(1250, 2), "12.50");
        assert_eq!(format_tl(350_000, 4), "3500.0000");
        assert_eq!(format_tl(5, 2), "0.05");
        let mut s = String::new();
        push_ratio(&mut s, 199);
        assert_eq!(s, "0.0199");
        assert_eq!(
            serde_json::to_string(&Tl(1250)).ok().as_deref(),
            Some("12.50")
        );
    }
}
