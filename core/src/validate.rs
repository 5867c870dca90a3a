//! Checks shared by several endpoints. Each names the field as the user
//! spelled it, so an error points at the argument to fix.

use crate::error::Error;
use crate::money::Money;

/// A required text: present, not blank, at most `max` characters.
pub fn required(field: &str, value: &str, max: usize) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    max_len(field, value, max)
}

pub fn max_len(field: &str, value: &str, max: usize) -> Result<(), Error> {
    let len = value.chars().count();
    if len > max {
        return Err(Error::invalid(field, format!("is {len} characters long; at most {max} are allowed")));
    }
    Ok(())
}

pub fn optional(field: &str, value: Option<&String>, max: usize) -> Result<(), Error> {
    value.map_or(Ok(()), |v| max_len(field, v, max))
}

/// An optional identifier (`xact_id`, `card_hash`, …): absent, or a real
/// value. A blank one would pass a "one of these is required" check and
/// reach Paynet as "no value", so it is refused here by name.
pub fn optional_id(field: &str, value: Option<&String>, max: usize) -> Result<(), Error> {
    match value {
        Some(v) if v.trim().is_empty() => Err(Error::invalid(field, "must not be empty; leave it out instead")),
        _ => optional(field, value, max),
    }
}

pub fn positive(field: &str, amount: Money) -> Result<(), Error> {
    if amount.is_zero() {
        return Err(Error::invalid(field, "must be greater than zero"));
    }
    Ok(())
}

/// Exactly one of two alternatives, e.g. card data or a saved card's hash.
pub fn exactly_one(first: (&str, bool), second: (&str, bool)) -> Result<(), Error> {
    match (first.1, second.1) {
        (true, false) | (false, true) => Ok(()),
        (false, false) => Err(Error::invalid(first.0, format!("one of `{}` or `{}` is required", first.0, second.0))),
        (true, true) => Err(Error::invalid(first.0, format!("give `{}` or `{}`, not both", first.0, second.0))),
    }
}

pub fn at_least_one(fields: &[(&str, bool)]) -> Result<(), Error> {
    if fields.iter().any(|(_, present)| *present) {
        return Ok(());
    }
    let names: Vec<String> = fields.iter().map(|(n, _)| format!("`{n}`")).collect();
    Err(Error::invalid(fields[0].0, format!("one of {} is required", names.join(", "))))
}
