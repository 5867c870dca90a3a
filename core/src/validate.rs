//! Checks shared by several endpoints. Each names the field as the user
//! spelled it, so an error points at the argument to fix.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::Value;

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

/// Exactly one of some alternatives, e.g. card data or a saved card's hash;
/// the error names the first field.
pub fn exactly_one(fields: &[(&str, bool)]) -> Result<(), Error> {
    let given = fields.iter().filter(|(_, present)| *present).count();
    if given == 1 {
        return Ok(());
    }
    let names: Vec<String> = fields.iter().map(|(n, _)| format!("`{n}`")).collect();
    let (last, rest) = names.split_last().expect("exactly_one names fields");
    let message = match (given, rest.len()) {
        (0, _) => format!("one of {} or {last} is required", rest.join(", ")),
        (_, 1) => format!("give {} or {last}, not both", rest[0]),
        _ => format!("give only one of {} and {last}", rest.join(", ")),
    };
    Err(Error::invalid(fields[0].0, message))
}

pub fn at_least_one(fields: &[(&str, bool)]) -> Result<(), Error> {
    if fields.iter().any(|(_, present)| *present) {
        return Ok(());
    }
    let names: Vec<String> = fields.iter().map(|(n, _)| format!("`{n}`")).collect();
    Err(Error::invalid(fields[0].0, format!("one of {} is required", names.join(", "))))
}

/// A Turkish mobile number as Paynet's services take it: `5` and nine
/// digits (`5321234567`), no leading 0 or country code.
pub fn gsm(field: &str, value: &str) -> Result<(), Error> {
    if value.len() == 10 && value.starts_with('5') && value.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    Err(Error::invalid(field, "must be `5` and nine digits, like 5321234567 (no leading 0 or +90)"))
}

fn digits(field: &str, value: &str, len: usize, what: &str) -> Result<(), Error> {
    if value.len() == len && value.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    Err(Error::invalid(field, format!("must be {len} digits ({what})")))
}

/// A Turkish identity number (TCKN): 11 digits.
pub fn tckn(field: &str, value: &str) -> Result<(), Error> {
    digits(field, value, 11, "a Turkish identity number")
}

/// A Turkish tax number (VKN): 10 digits.
pub fn vkn(field: &str, value: &str) -> Result<(), Error> {
    digits(field, value, 10, "a tax number")
}

/// The agent's and the main company's shares of `amount` (sent in its unit):
/// each, and both together, at most `amount`. The error names the share to fix.
pub fn shares(amount: Money, agent_amount: Option<Money>, company_amount: Option<Money>) -> Result<(), Error> {
    for (field, share) in [("agent_amount", agent_amount), ("company_amount", company_amount)] {
        if share.is_some_and(|share| share > amount) {
            return Err(Error::invalid(field, format!("must not exceed `amount` ({amount})")));
        }
    }
    if let (Some(agent), Some(company)) = (agent_amount, company_amount)
        && agent.kurus() + company.kurus() > amount.kurus()
    {
        return Err(Error::invalid("company_amount", format!("with `agent_amount` must not exceed `amount` ({agent} + {company} > {amount})")));
    }
    Ok(())
}

// What `#[derive(Spec)]`'s `check_declared` calls, per field type.

/// A field's name as the user spells it, under `prefix` (`card.`) when nested.
pub fn field_name<'a>(prefix: &str, name: &'a str) -> Cow<'a, str> {
    if prefix.is_empty() { Cow::Borrowed(name) } else { Cow::Owned(format!("{prefix}{name}")) }
}

/// `not_blank` and `max_len` on a text: a required one is [`required`], an
/// optional one [`optional_id`] (with `not_blank`) or [`optional`].
pub trait DeclaredText {
    fn not_blank(&self, field: &str) -> Result<(), Error>;
    fn max_len(&self, field: &str, max: usize) -> Result<(), Error>;
}

impl DeclaredText for String {
    fn not_blank(&self, field: &str) -> Result<(), Error> {
        required(field, self, usize::MAX)
    }
    fn max_len(&self, field: &str, max: usize) -> Result<(), Error> {
        max_len(field, self, max)
    }
}

impl DeclaredText for Option<String> {
    fn not_blank(&self, field: &str) -> Result<(), Error> {
        optional_id(field, self.as_ref(), usize::MAX)
    }
    fn max_len(&self, field: &str, max: usize) -> Result<(), Error> {
        optional(field, self.as_ref(), max)
    }
}

/// A secret's rules, checked like text's; messages never repeat a value.
impl DeclaredText for crate::secret::SecretText {
    fn not_blank(&self, field: &str) -> Result<(), Error> {
        required(field, self.expose(), usize::MAX)
    }
    fn max_len(&self, field: &str, max: usize) -> Result<(), Error> {
        max_len(field, self.expose(), max)
    }
}

/// `positive` on an amount; an absent optional one passes.
pub trait DeclaredAmount {
    fn positive(&self, field: &str) -> Result<(), Error>;
}

impl DeclaredAmount for Money {
    fn positive(&self, field: &str) -> Result<(), Error> {
        positive(field, *self)
    }
}

impl DeclaredAmount for Option<Money> {
    fn positive(&self, field: &str) -> Result<(), Error> {
        self.map_or(Ok(()), |m| positive(field, m))
    }
}

/// Whether a field named by `exactly_one` / `at_least_one` was given.
pub trait Present {
    fn present(&self) -> bool;
}

impl<T> Present for Option<T> {
    fn present(&self) -> bool {
        self.is_some()
    }
}

/// A flattened struct field (a card): its own checks, errors named `field.sub`.
pub trait CheckAt {
    fn check_at(&self, field: &str) -> Result<(), Error>;
}

impl<T: CheckAt> CheckAt for Option<T> {
    fn check_at(&self, field: &str) -> Result<(), Error> {
        self.as_ref().map_or(Ok(()), |v| v.check_at(field))
    }
}

/// `one_of`: the value, as JSON, is one of `allowed`; an absent one passes.
/// (No endpoint has an enforced `one_of` today: installment says `by_hand`.)
#[cfg_attr(not(test), allow(dead_code))]
pub fn one_of<T: Serialize>(field: &str, value: &T, allowed: &[Value]) -> Result<(), Error> {
    let value = serde_json::to_value(value).map_err(|e| Error::invalid(field, e))?;
    if value.is_null() || allowed.contains(&value) {
        return Ok(());
    }
    let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
    Err(Error::invalid(field, format!("must be one of {}", list.join(", "))))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use crate::endpoint::WireOptions;
    use crate::money::Money;
    use crate::spec::{CheckDeclared, Spec, WireDeclared};
    use crate::wire::MoneyWire;

    /// What `#[derive(Spec)]` generates for a params struct, on a struct of its own.
    #[derive(Debug, Deserialize, Spec)]
    #[spec(params, at_least_one = ["a", "b"])]
    struct Probe {
        #[spec(not_blank, max_len = 3)]
        a: Option<String>,
        #[spec(wire = "bee", max_len = 2)]
        b: Option<String>,
        #[spec(money = "kurus", positive)]
        amount: Option<Money>,
        #[spec(one_of = [1, 3])]
        count: Option<u32>,
        #[spec(wire_text)]
        id: Option<i64>,
    }

    fn probe(v: serde_json::Value) -> Probe {
        serde_json::from_value(v).unwrap()
    }

    fn error(v: serde_json::Value) -> (Option<String>, String) {
        let e = probe(v).check_declared().unwrap_err();
        (e.field, e.message)
    }

    #[test]
    fn declared_rules_in_declaration_order_with_validate_rs_wording() {
        assert_eq!(error(json!({"a": " "})), (Some("a".into()), "a: must not be empty; leave it out instead".into()));
        assert_eq!(error(json!({"a": "abcd", "amount": "0"})).0.as_deref(), Some("a"));
        // The struct rule comes right after its last field, before `amount`.
        assert_eq!(error(json!({"amount": "0"})), (Some("a".into()), "a: one of `a`, `b` is required".into()));
        assert_eq!(error(json!({"b": "x", "amount": "0"})).1, "amount: must be greater than zero");
        assert_eq!(error(json!({"b": "x", "count": 2})).1, "count: must be one of 1, 3");
        assert!(probe(json!({"b": "x", "count": 3})).check_declared().is_ok());
        let e = probe(json!({"a": "abcd"})).check_declared_at("card.").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("card.a"));
    }

    #[test]
    fn exactly_one_of_any_number_of_fields() {
        let check = |given: [bool; 3]| {
            let fields = [("subscription_id", given[0]), ("reference_no", given[1]), ("group_reference_no", given[2])];
            super::exactly_one(&fields).map_err(|e| (e.field.unwrap_or_default(), e.message))
        };
        assert!(check([false, false, true]).is_ok());
        let none = check([false, false, false]).unwrap_err();
        assert_eq!(none.1, "subscription_id: one of `subscription_id`, `reference_no` or `group_reference_no` is required");
        let two = check([true, false, true]).unwrap_err();
        assert_eq!(two.1, "subscription_id: give only one of `subscription_id`, `reference_no` and `group_reference_no`");
        let pair = super::exactly_one(&[("card", true), ("card_hash", true)]).unwrap_err();
        assert_eq!(pair.message, "card: give `card` or `card_hash`, not both");
    }

    #[test]
    fn one_gsm_tckn_and_vkn_rule() {
        assert!(super::gsm("end_user_gsm", "5321234567").is_ok());
        for bad in ["05321234567", "+905321234567", "4321234567", "532123456", "53212345x7", ""] {
            assert_eq!(super::gsm("end_user_gsm", bad).unwrap_err().field.as_deref(), Some("end_user_gsm"), "{bad}");
        }
        assert!(super::tckn("tckn", "10000000146").is_ok());
        assert!(super::vkn("vkn", "1234567890").is_ok());
        for (f, bad) in [("tckn", "1000000014"), ("tckn", "1000000014a"), ("vkn", "12345678901"), ("vkn", "12345 7890")] {
            let e = if f == "tckn" { super::tckn(f, bad) } else { super::vkn(f, bad) }.unwrap_err();
            assert_eq!(e.field.as_deref(), Some(f), "{bad}");
        }
    }

    #[test]
    fn shares_are_at_most_the_amount_each_and_together() {
        let m = |s: &str| Money::parse(s).unwrap();
        assert!(super::shares(m("100"), Some(m("60")), Some(m("40"))).is_ok());
        assert!(super::shares(m("100"), None, None).is_ok());
        let field = |a: Option<&str>, c: Option<&str>| super::shares(m("100"), a.map(m), c.map(m)).unwrap_err().field.unwrap();
        assert_eq!(field(Some("100.01"), None), "agent_amount");
        assert_eq!(field(None, Some("100.01")), "company_amount");
        assert_eq!(field(Some("60"), Some("40.01")), "company_amount");
    }

    #[test]
    fn declared_wire_body() {
        let options = WireOptions { payment_amount: MoneyWire::DecimalNumber, ratio_amount: MoneyWire::KurusString, subscription_amount: MoneyWire::KurusString };
        let body = probe(json!({"b": "x", "amount": "1.25", "id": 7})).to_wire_declared(&options);
        assert_eq!(serde_json::Value::Object(body), json!({"bee": "x", "amount": "125", "id": "7"}));
    }

    #[test]
    fn loose_ints_are_typed_number_or_text() {
        let spec = crate::spec::spec();
        let card = spec.structs.iter().find(|s| s.name == "Card").unwrap();
        for f in card.fields.iter().filter(|f| f.name.starts_with("exp_")) {
            assert_eq!(f.ty, crate::spec::TypeSpec::Integer { format: "u32", or_text: true }, "{}", f.name);
        }
    }
}
